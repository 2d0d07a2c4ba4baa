package dev.ferry.transport.oci;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import dev.ferry.internal.TarEntries;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.AtomicFiles;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes an OCI archive as one tar stream: {@code oci-layout} and the blob folders first, each blob as it
 * arrives, and {@code index.json} last. The stream goes to a temporary file beside the target, renamed over it
 * at commit, so the target is either the old archive or the new one. When the target already is an OCI archive,
 * its blobs and its other refs are carried over: writing a ref replaces only that ref, as with {@code oci:}.
 */
final class ArchiveSink implements ImageSink {
    private final LayoutReference reference;
    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private final TarArchiveOutputStream tar;
    private final TarStore previous;
    private final Set<Digest> written = new HashSet<>();
    private final Set<DigestAlgorithm> directories = new HashSet<>();
    private ManifestBytes top;
    private boolean failed;
    /** Why the stream broke, when it did: what a later call reports, whichever thread makes it. */
    private Exception failure;
    private boolean committed;
    private boolean closed;

    private ArchiveSink(LayoutReference reference, Path target, Path tmp, FileChannel channel,
                        TarArchiveOutputStream tar, TarStore previous) {
        this.reference = reference;
        this.target = target;
        this.tmp = tmp;
        this.channel = channel;
        this.tar = tar;
        this.previous = previous;
    }

    static ArchiveSink open(LayoutReference reference) throws IOException {
        Path target = reference.path();
        if (Files.isDirectory(target)) {
            throw new FerryException(target + " is a directory", "use oci:" + target
                    + " to write a layout directory, or name a file for oci-archive:");
        }
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new FerryException("cannot write " + target + ": " + parent + " is not a directory",
                    "create the parent directory first");
        }
        TarStore previous = null;
        if (Files.exists(target)) {
            try {
                previous = TarStore.open(target);
                if (previous.size(LayoutFiles.OCI_LAYOUT) < 0 || previous.size(LayoutFiles.INDEX) < 0) {
                    throw new CorruptImageException("no oci-layout or index.json");
                }
                LayoutFiles.parseIndex(LayoutSource.readSmall(previous, LayoutFiles.INDEX,
                        LayoutFiles.MAX_INDEX_SIZE), target.toString());
            } catch (CorruptImageException e) {
                if (previous != null) {
                    previous.close();
                }
                throw new FerryException(target + " exists and is not an OCI archive (" + e.getMessage()
                        + "); refusing to overwrite it", "remove it first, or name another file");
            }
        }
        Path tmp = AtomicFiles.tempPath(parent, target.getFileName().toString());
        FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        OutputStream out = new BufferedOutputStream(
                new dev.ferry.internal.NonClosingOutputStream(Channels.newOutputStream(channel)), 1 << 16);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        ArchiveSink sink = new ArchiveSink(reference, target, tmp, channel, tar, previous);
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
        return written.contains(descriptor.digest())
                || previous != null && previous.size(LayoutFiles.blobPath(descriptor.digest())) == descriptor.size();
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
            TarArchiveEntry entry = TarEntries.file(LayoutFiles.blobPath(descriptor.digest()), descriptor.size());
            tar.putArchiveEntry(entry);
            verifying.transferTo(tar);
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
            throw new UnsupportedManifestException(reference.displayName(), manifest.mediaType(),
                    DirectorySink.SUPPORTED);
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
        ObjectNode index = LayoutFiles.emptyIndex();
        if (previous != null) {
            index = LayoutFiles.parseIndex(LayoutSource.readSmall(previous, LayoutFiles.INDEX,
                    LayoutFiles.MAX_INDEX_SIZE), target.toString());
            carryOverBlobs();
        }
        Descriptor entry = top.descriptor();
        if (reference.ref() != null) {
            entry = entry.withAnnotations(Map.of(Descriptor.REF_NAME_ANNOTATION, reference.ref()));
        }
        LayoutFiles.addEntry(index, entry);
        writeFile(LayoutFiles.INDEX, Json.write(index));
        tar.close(); // writes the end blocks and flushes everything, but leaves the channel open
        channel.force(true);
        channel.close();
        AtomicFiles.move(tmp, target);
        AtomicFiles.syncDirectory(target.getParent());
        committed = true;
        closePrevious();
    }

    /** Copies the previous archive's blobs that this image did not bring, verifying each. */
    private void carryOverBlobs() throws IOException {
        for (String name : new TreeSet<>(previous.names())) {
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
            Descriptor descriptor = Descriptor.of("application/octet-stream", digest, previous.size(name));
            try (InputStream in = previous.open(name)) {
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
        TarEntries.writeFile(tar, name, bytes);
    }

    private void writeDirectory(String name) throws IOException {
        TarEntries.writeDirectory(tar, name);
    }

    private void checkOpen() throws IOException {
        if (closed || committed) {
            throw new IllegalStateException("sink for " + reference.displayName() + " is already "
                    + (committed ? "committed" : "closed"));
        }
        if (failed) {
            throw new FerryException("an earlier blob failed" + (failure == null ? "" : " (" + failure.getMessage()
                    + ")") + "; " + reference.displayName() + " cannot be completed", "run the copy again", failure);
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
                Files.deleteIfExists(tmp);
            }
        } finally {
            closePrevious();
        }
    }
}
