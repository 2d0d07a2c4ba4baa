package dev.ferry.engine;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.LinkingSink;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Moves blobs from one source to one sink: each blob once per copy, skipped when the sink has it, verified (size
 * and digest) while it streams, hardlinked instead of copied where the sink can and the caller allows, and counted.
 * Thread-safe: {@link #copyAll} runs transfers on a {@link BlobScheduler}.
 */
final class BlobTransfer {
    private final ImageSource source;
    private final ImageSink sink;
    private final CopyListener listener;
    private final boolean link;
    private final BlobScheduler scheduler;
    private final Set<Digest> done = ConcurrentHashMap.newKeySet();
    /** What the sink's store holds from earlier copies of a sync (skipped without asking it); null for none. */
    private final StoreBlobs known;
    /** The blobs the sink holds once this copy commits: those stored, and those it had. */
    private final Set<Digest> inSink = ConcurrentHashMap.newKeySet();

    private int copied;
    private int skipped;
    private long bytes;

    BlobTransfer(ImageSource source, ImageSink sink, CopyListener listener, boolean link, BlobScheduler scheduler) {
        this(source, sink, listener, link, scheduler, null);
    }

    /** As above, skipping what {@code known} says the sink's store holds (null: nothing known). */
    BlobTransfer(
            ImageSource source,
            ImageSink sink,
            CopyListener listener,
            boolean link,
            BlobScheduler scheduler,
            StoreBlobs known) {
        this.known = known;
        this.source = source;
        this.sink = sink;
        this.listener = listener;
        this.link = link;
        this.scheduler = scheduler;
    }

    synchronized int copied() {
        return copied;
    }

    synchronized int skipped() {
        return skipped;
    }

    synchronized long bytes() {
        return bytes;
    }

    /**
     * Claims {@code digest} for this copy: true the first time, false when it was already claimed (copied, being
     * copied, or stored another way).
     */
    boolean claim(Digest digest) {
        return done.add(digest);
    }

    /** Whether the sink has {@code blob} already. */
    boolean hasInSink(Descriptor blob) throws IOException {
        return sink.hasBlob(blob);
    }

    /** The blobs the sink holds once this copy commits (stored by it, or there already). */
    Set<Digest> inSink() {
        return inSink;
    }

    /**
     * Copies the blobs the sink lacks, those not claimed yet, up to the scheduler's number at once. Whether the sink
     * has a blob is asked in parallel too (a request each, for a registry), without holding a transfer permit.
     */
    void copyAll(List<Descriptor> blobs) throws IOException {
        copyAll(blobs, List.of());
    }

    /**
     * As {@link #copyAll(List)}, running {@code more} (conversions that store blobs of their own) on the same
     * scheduler, together with the copies.
     */
    void copyAll(List<Descriptor> blobs, List<BlobScheduler.Task> more) throws IOException {
        List<BlobScheduler.Task> todo = new ArrayList<>();
        // largest first: the copy lasts at least as long as its largest blob, so that one starts at once
        List<Descriptor> largestFirst = new ArrayList<>(blobs);
        largestFirst.sort(Comparator.comparingLong(Descriptor::size).reversed());
        for (Descriptor blob : largestFirst) {
            if (!claim(blob.digest())) {
                continue;
            }
            if (known != null && known.has(blob.digest())) {
                skippedBlob(blob);
                continue;
            }
            todo.add(() -> {
                if (sink.hasBlob(blob)) {
                    skippedBlob(blob);
                } else {
                    scheduler.transfer(() -> copy(blob));
                }
            });
        }
        todo.addAll(more);
        scheduler.run(todo);
    }

    private void skippedBlob(Descriptor blob) {
        inSink.add(blob.digest());
        countSkipped();
        listener.blobFinished(blob, CopyListener.Outcome.SKIPPED);
    }

    /** Stores small content Ferry made (a converted config), unless claimed already or the sink has it. */
    void putBytes(Descriptor descriptor, byte[] content) throws IOException {
        if (!takes(descriptor)) {
            return;
        }
        put(descriptor, new ByteArrayInputStream(content));
        countCopied(descriptor);
    }

    /**
     * Whether this copy stores {@code descriptor}: it claimed the digest first (no other copy of it is in flight) and
     * the sink does not have it already (then it counts as skipped).
     */
    private boolean takes(Descriptor descriptor) throws IOException {
        if (!claim(descriptor.digest())) {
            return false;
        }
        if (sink.hasBlob(descriptor)) {
            countSkipped();
            return false;
        }
        return true;
    }

    /**
     * Stores a blob spooled to {@code file} (a recompressed layer), unless claimed already or the sink has it.
     * {@code file} must be a temporary file of Ferry's whose digest and size were computed as it was written,
     * {@code descriptor}'s: its size is checked again as it is read, its digest is not.
     *
     * @return whether it was stored
     */
    boolean putFile(Descriptor descriptor, Path file) throws IOException {
        if (!takes(descriptor)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            // the file is ours, its digest computed as it was written: not hashed again (its size still is checked)
            put(descriptor, VerifyingInputStream.trusted(in, descriptor));
        }
        countCopied(descriptor);
        return true;
    }

    /**
     * Stores a layer inflated as it streams, announced with {@code descriptor}'s size, unless claimed already or the
     * sink has it. {@code in} checks the size and the digest itself before it ends: the bytes are not hashed a
     * second time.
     *
     * @return whether it was stored
     */
    boolean putInflated(Descriptor descriptor, InflatedLayer in) throws IOException {
        if (!takes(descriptor)) {
            return false;
        }
        put(descriptor, VerifyingInputStream.trusted(in, descriptor));
        countCopied(descriptor);
        return true;
    }

    /**
     * Stores a layer the source compressed as it spooled it ({@link ImageSource#compressedBlob}), unless claimed
     * already or the sink has it: linked when the sink can link its file (digested by this process as it was
     * written), else copied and verified.
     *
     * @return whether it was stored
     */
    boolean putCompressed(Descriptor descriptor, BlobStream stream) throws IOException {
        if (!takes(descriptor)) {
            return false;
        }
        Path file = stream.file();
        boolean linked = link
                && file != null
                && sink instanceof LinkingSink linking
                && linking.canLink(file)
                && descriptor.digest().equals(stream.fileDigest())
                && Files.size(file) == descriptor.size()
                && linking.linkBlob(descriptor, file);
        if (!linked) {
            put(descriptor, stream.stream());
        }
        countCopied(descriptor);
        return true;
    }

    /** Stores a blob read from {@code in}, which must have {@code descriptor}'s digest (it is verified). */
    void putStream(Descriptor descriptor, InputStream in) throws IOException {
        put(descriptor, in);
        countCopied(descriptor);
    }

    private void copy(Descriptor blob) throws IOException {
        listener.blobStarted(blob);
        boolean linked;
        try (BlobStream stream = source.blob(blob)) {
            if (stream.size() >= 0 && stream.size() != blob.size()) {
                throw new DigestMismatchException(blob.digest(), null, blob.size(), stream.size());
            }
            InputStream in = new ProgressStream(stream.stream(), blob, listener);
            linked = link
                    && stream.file() != null
                    && sink instanceof LinkingSink linking
                    && link(linking, blob, stream, in);
            if (!linked) {
                put(blob, in);
            }
        }
        countCopied(blob);
        listener.blobFinished(blob, linked ? CopyListener.Outcome.LINKED : CopyListener.Outcome.COPIED);
    }

    /**
     * Verifies a blob by reading its file (a read, no write), then lets the sink link the file. False, with the
     * stream unread, if the sink cannot link it; if linking fails after the read, copies from a new stream.
     */
    private boolean link(LinkingSink linking, Descriptor blob, BlobStream stream, InputStream in) throws IOException {
        Path file = stream.file();
        if (!linking.canLink(file)) {
            return false;
        }
        if (blob.digest().equals(stream.fileDigest()) && Files.size(file) == blob.size()) {
            // digested by this process as it wrote the file: reading it again would prove nothing more
            listener.blobProgress(blob, blob.size());
        } else {
            VerifyingInputStream.verify(in, blob).drainAndVerify();
        }
        if (!linking.linkBlob(blob, file)) {
            try (BlobStream again = source.blob(blob)) {
                put(blob, again.stream());
            }
        }
        return true;
    }

    /** Puts a blob through verification, and checks the sink read it whole. */
    private void put(Descriptor blob, InputStream in) throws IOException {
        VerifyingInputStream verifying = VerifyingInputStream.verify(in, blob);
        sink.putBlob(blob, verifying);
        if (!verifying.verified()) {
            throw new FerryException(
                    "transport " + sink.reference().transport().name() + " stored blob " + blob.digest()
                            + " without reading it whole",
                    "the transport breaks the ImageSink contract; report it to its author");
        }
    }

    private synchronized void countCopied(Descriptor blob) {
        inSink.add(blob.digest());
        copied++;
        bytes += blob.size();
    }

    synchronized void countSkipped() {
        skipped++;
    }
}
