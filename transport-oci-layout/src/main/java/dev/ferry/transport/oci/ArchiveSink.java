package dev.ferry.transport.oci;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.model.LayoutIndex;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.AtomicFiles;
import dev.ferry.spi.support.NonClosingOutputStream;
import dev.ferry.spi.support.Streams;
import dev.ferry.spi.support.TempFiles;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes an OCI archive as one tar stream: {@code oci-layout} and the blob folders first, each blob as it
 * arrives, and {@code index.json} last. The stream goes to a temporary file beside the target, renamed over it
 * at commit, so the target is either the old archive or the new one. When the target already is an OCI archive,
 * its blobs and its other refs are carried over: writing a ref replaces only that ref, as with {@code oci:}.
 *
 * <p>Concurrent writers (threads or processes) all land: the commit takes the archive's writer lock, re-reads the
 * archive as it is then (another writer may have replaced it since this one started), carries over its blobs and
 * refs, and renames the merged archive into place before it lets go. The lock is an advisory lock on a lock file
 * beside the archive, {@code .NAME.ferry-lock}, created by the first writer and left in place (empty, never
 * replaced). Not a lock on the archive itself: every commit replaces the archive by a rename, so a lock on it
 * would hold the old file while the next writer opens the new one (a retry loop comparing identities needs the
 * identity of an open channel, which Java does not give); there is nothing to lock before the first archive
 * exists; and the JVM's POSIX locks are dropped when any channel of the same file in the process is closed, while
 * the commit must open and close readers of that very file under the lock. Removing the lock file after use
 * would race with a writer waiting on it.
 *
 * <p>A writer killed with SIGKILL leaves its temporary file ({@code .ferry-NAME-...tmp}, a
 * {@link TempFiles} name); the next writer into the same folder sweeps it. Ctrl-C and SIGTERM remove it at once.
 */
final class ArchiveSink implements ImageSink {
    private final LayoutReference reference;
    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private final TarArchiveOutputStream tar;
    private final TarStore previous;
    /** What the archive was when this sink opened it: when it still is at commit, it is not read again. */
    private final Identity previousIdentity;

    private final Set<Digest> written = new HashSet<>();
    /** Blobs not written because the previous archive had them: carried over at commit, whatever happened since. */
    private final Map<Digest, Long> fromPrevious = new HashMap<>();

    private final Set<DigestAlgorithm> directories = new HashSet<>();
    private ManifestBytes top;
    private boolean failed;
    /** Why the stream broke, when it did: what a later call reports, whichever thread makes it. */
    private Exception failure;

    private boolean committed;
    private boolean closed;

    private ArchiveSink(
            LayoutReference reference,
            Path target,
            Path tmp,
            FileChannel channel,
            TarArchiveOutputStream tar,
            TarStore previous,
            Identity previousIdentity) {
        this.reference = reference;
        this.target = target;
        this.tmp = tmp;
        this.channel = channel;
        this.tar = tar;
        this.previous = previous;
        this.previousIdentity = previousIdentity;
    }

    static ArchiveSink open(LayoutReference reference) throws IOException {
        Path target = reference.path();
        checkTarget(target);
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new FerryException(
                    "cannot write " + target + ": " + parent + " is not a directory",
                    "create the parent directory first");
        }
        TempFiles.sweep(parent); // what killed writers left beside their archives
        TarStore previous = null;
        Identity previousIdentity = null;
        // No lock here (a refused file gets no lock file beside it): a writer that replaced the archive between
        // the reading of its headers and the opening of its data shows as a changed identity, and is read again.
        for (int attempt = 0; previous == null && Files.exists(target); attempt++) {
            Identity before = Identity.of(target);
            TarStore store;
            try {
                store = openExisting(target);
            } catch (IOException e) {
                // headers of one archive and data of the next read as garbage: refused only if nothing replaced it
                if (attempt < 10 && !before.equals(Identity.of(target))) {
                    continue;
                }
                throw e;
            }
            if (before.equals(Identity.of(target)) || attempt >= 10) {
                previous = store; // after 10 changes, still safe: what is carried over from it is verified
                previousIdentity = before;
            } else {
                store.close();
            }
        }
        Path tmp = AtomicFiles.tempPath(parent, target.getFileName().toString());
        FileChannel channel;
        TempFiles.track(tmp);
        try {
            channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            TempFiles.release(tmp);
            if (previous != null) {
                previous.close();
            }
            throw e;
        }
        try {
            TempFiles.checkNotExiting(tmp);
        } catch (IOException e) {
            channel.close();
            TempFiles.release(tmp);
            if (previous != null) {
                previous.close();
            }
            throw e;
        }
        OutputStream out =
                new BufferedOutputStream(new NonClosingOutputStream(Channels.newOutputStream(channel)), 1 << 16);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        ArchiveSink sink = new ArchiveSink(reference, target, tmp, channel, tar, previous, previousIdentity);
        try {
            sink.writeFile(LayoutFiles.OCI_LAYOUT, LayoutFiles.OCI_LAYOUT_BYTES);
            sink.writeDirectory(LayoutFiles.BLOBS + "/");
            sink.algorithmDirectory(DigestAlgorithm.SHA256);
        } catch (IOException | RuntimeException e) {
            sink.close();
            throw e;
        }
        return sink;
    }

    /** Refuses a target that is a directory, a device, a FIFO or a socket (or a symlink to one). */
    private static void checkTarget(Path target) throws FerryException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(target, BasicFileAttributes.class);
        } catch (IOException e) {
            return; // absent (or a dangling symlink): the rename makes a new file
        }
        if (attrs.isDirectory()) {
            throw new FerryException(
                    target + " is a directory",
                    "use oci:" + target + " to write a layout directory, or name a file for oci-archive:");
        }
        if (!attrs.isRegularFile()) {
            throw new FerryException(
                    target + " is not a regular file (a device, FIFO or socket); refusing to" + " replace it",
                    "name a regular file, or a new one, for oci-archive:");
        }
    }

    /** Indexes the OCI archive at {@code target}, refusing a file that is not one. */
    private static TarStore openExisting(Path target) throws IOException {
        TarStore store = null;
        try {
            store = TarStore.open(target);
            if (store.size(LayoutFiles.OCI_LAYOUT) < 0 || store.size(LayoutFiles.INDEX) < 0) {
                throw new CorruptImageException("no oci-layout or index.json");
            }
            LayoutFiles.parseIndex(
                    LayoutSource.readSmall(store, LayoutFiles.INDEX, LayoutFiles.MAX_INDEX_SIZE), target.toString());
            return store;
        } catch (CorruptImageException e) {
            if (store != null) {
                store.close();
            }
            throw new FerryException(
                    target + " exists and is not an OCI archive (" + e.getMessage() + "); refusing to overwrite it",
                    "remove it first, or name another file");
        } catch (IOException | RuntimeException e) {
            if (store != null) {
                store.close();
            }
            throw e;
        }
    }

    @Override
    public ImageReference reference() {
        return reference;
    }

    @Override
    public List<String> supportedManifestTypes() {
        return DirectorySink.SUPPORTED;
    }

    @Override
    public synchronized boolean hasBlob(Descriptor descriptor) {
        if (written.contains(descriptor.digest())) {
            return true;
        }
        if (previous != null && previous.size(LayoutFiles.blobPath(descriptor.digest())) == descriptor.size()) {
            fromPrevious.put(descriptor.digest(), descriptor.size());
            return true;
        }
        return false;
    }

    @Override
    public synchronized void putBlob(Descriptor descriptor, InputStream in) throws IOException {
        checkOpen();
        VerifyingInputStream verifying = VerifyingInputStream.verify(in, descriptor);
        if (written.contains(descriptor.digest())) {
            verifying.drainAndVerify();
            return;
        }
        algorithmDirectory(descriptor.digest().algorithm());
        failed = true; // until the entry is whole: a tar stream cannot take back half an entry
        try {
            TarArchiveEntry entry = ArchiveEntries.file(LayoutFiles.blobPath(descriptor.digest()), descriptor.size());
            tar.putArchiveEntry(entry);
            Streams.copy(verifying, tar);
            if (!verifying.verified()) {
                verifying.drainAndVerify();
            }
            tar.closeArchiveEntry();
        } catch (IOException | RuntimeException e) {
            failure = e;
            throw e;
        }
        written.add(descriptor.digest());
        failed = false;
    }

    private void putManifestBytes(ManifestBytes manifest) throws IOException {
        checkOpen();
        if (!DirectorySink.SUPPORTED.contains(manifest.mediaType())) {
            throw new UnsupportedManifestException(
                    reference.displayName(), manifest.mediaType(), DirectorySink.SUPPORTED);
        }
        if (written.add(manifest.digest())) {
            algorithmDirectory(manifest.digest().algorithm());
            writeFile(LayoutFiles.blobPath(manifest.digest()), manifest.bytes());
        }
    }

    @Override
    public synchronized void putChildManifest(ManifestBytes manifest) throws IOException {
        putManifestBytes(manifest);
    }

    @Override
    public synchronized void putManifest(ManifestBytes manifest) throws IOException {
        putManifestBytes(manifest);
        top = manifest;
    }

    @Override
    public synchronized void commit() throws IOException {
        checkOpen();
        if (top == null) {
            throw new IllegalStateException("commit() before putManifest()");
        }
        try (WriterLock lock = WriterLock.archive(target)) {
            // The archive as it is now: another writer may have committed since this sink opened it.
            checkTarget(target);
            TarStore current = null;
            boolean currentIsPrevious = false;
            if (Files.exists(target)) {
                if (previous != null && previousIdentity.equals(Identity.of(target))) {
                    current = previous;
                    currentIsPrevious = true;
                } else {
                    current = openExisting(target);
                }
            }
            try {
                LayoutIndex index = current == null
                        ? LayoutIndex.empty()
                        : LayoutFiles.parseIndex(
                                LayoutSource.readSmall(current, LayoutFiles.INDEX, LayoutFiles.MAX_INDEX_SIZE),
                                target.toString());
                if (current != null) {
                    carryOverBlobs(current);
                }
                if (!currentIsPrevious) {
                    carryOverSkipped();
                }
                Descriptor entry = top.descriptor();
                if (reference.ref() != null) {
                    entry = entry.withAnnotations(Map.of(Descriptor.REF_NAME_ANNOTATION, reference.ref()));
                }
                writeFile(LayoutFiles.INDEX, index.with(entry).toBytes());
                tar.close(); // writes the end blocks and flushes everything, but leaves the channel open
                channel.force(true);
                channel.close();
                AtomicFiles.move(tmp, target);
                TempFiles.release(tmp);
                AtomicFiles.syncDirectory(target.getParent());
                committed = true;
            } finally {
                if (current != null && !currentIsPrevious) {
                    current.close();
                }
            }
        }
        closePrevious();
    }

    /** Copies the blobs of {@code store} that this image did not bring, verifying each. */
    private void carryOverBlobs(TarStore store) throws IOException {
        for (String name : new TreeSet<>(store.names())) {
            if (!name.startsWith(LayoutFiles.BLOBS + "/")) {
                continue;
            }
            String[] parts = name.split("/");
            if (parts.length != 3) {
                continue;
            }
            Digest digest = Digest.tryParse(parts[1] + ":" + parts[2]).orElse(null);
            if (digest == null || written.contains(digest)) {
                continue;
            }
            Descriptor descriptor = Descriptor.of("application/octet-stream", digest, store.size(name));
            try (InputStream in = store.open(name)) {
                putBlob(descriptor, in);
            }
        }
    }

    /**
     * Copies from the archive as it was when this sink opened it the blobs this image skipped because it had
     * them, when the archive that replaced it meanwhile no longer does (another tool rewrote it): this sink's
     * manifest names them.
     */
    private void carryOverSkipped() throws IOException {
        for (Map.Entry<Digest, Long> skipped : new TreeMap<>(fromPrevious).entrySet()) {
            if (written.contains(skipped.getKey())) {
                continue;
            }
            Descriptor descriptor = Descriptor.of("application/octet-stream", skipped.getKey(), skipped.getValue());
            try (InputStream in = previous.open(LayoutFiles.blobPath(skipped.getKey()))) {
                putBlob(descriptor, in);
            }
        }
    }

    /** Writes {@code blobs/<algorithm>/} before the first blob of that algorithm. */
    private void algorithmDirectory(DigestAlgorithm algorithm) throws IOException {
        if (directories.add(algorithm)) {
            writeDirectory(LayoutFiles.BLOBS + "/" + algorithm.ociName() + "/");
        }
    }

    private void writeFile(String name, byte[] bytes) throws IOException {
        ArchiveEntries.writeFile(tar, name, bytes);
    }

    private void writeDirectory(String name) throws IOException {
        ArchiveEntries.writeDirectory(tar, name);
    }

    private void checkOpen() throws IOException {
        if (closed || committed) {
            throw new IllegalStateException(
                    "sink for " + reference.displayName() + " is already " + (committed ? "committed" : "closed"));
        }
        if (failed) {
            throw new FerryException(
                    "an earlier blob failed" + (failure == null ? "" : " (" + failure.getMessage() + ")") + "; "
                            + reference.displayName() + " cannot be completed",
                    "run the copy again",
                    failure);
        }
    }

    private void closePrevious() throws IOException {
        if (previous != null) {
            previous.close();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!committed) {
                channel.close();
                TempFiles.delete(tmp);
            }
        } finally {
            closePrevious();
        }
    }

    /**
     * What a file at a path is: its inode (file key), size and modification time. Ferry's writers replace an
     * archive by a rename, never in place, so an unchanged identity means an unchanged archive.
     */
    private record Identity(Object key, long size, long modified) {
        static Identity of(Path file) throws IOException {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            return new Identity(
                    attrs.fileKey(), attrs.size(), attrs.lastModifiedTime().toMillis());
        }
    }
}
