package dev.ferry.transport.oci;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.LayoutIndex;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.LinkingSink;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.AtomicFiles;
import dev.ferry.spi.support.ShutdownCleanup;
import dev.ferry.spi.support.Streams;
import dev.ferry.spi.support.TempFiles;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes an image into a layout directory as a transaction. Blobs and manifests are staged, verified and
 * flushed, in a private folder inside the layout ({@code .ferry-staging-PID.START-RANDOM.tmp}); {@link #commit()} takes the
 * layout's lock, renames them into {@code blobs/}, and replaces {@code index.json} atomically. Until then the
 * layout is untouched: a failed or killed copy leaves it as it was. A killed copy leaves its staging folder, which
 * no reader looks at; its name says which process owns it ({@link TempFiles}), and each sink also holds a lock on
 * {@code .owner} in its folder while it lives (folders of older versions are named {@code .ferry-staging-UUID}), so
 * the next commit into the layout can tell a dead writer's folder from a live one and removes it.
 */
final class DirectorySink implements ImageSink, LinkingSink {
    static final List<String> SUPPORTED = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX);
    static final String STAGING_PREFIX = ".ferry-staging-";
    static final String OWNER = ".owner";
    /**
     * In the staging folder: the digests of the layout's blobs this writer found there and will not stage (one a
     * line), written before it looks, so that a concurrent garbage collection keeps them.
     */
    static final String NEEDS = ".needs";
    /** A staging folder without an owner lock file is another writer's just-created one, unless it is this old. */
    private static final Duration ORPHAN_AGE = Duration.ofHours(1);

    private final LayoutReference reference;
    private final Path dir;
    private final boolean createdDir;
    private final Path staging;
    private final FileChannel ownerChannel;
    private final Map<Digest, Path> staged = new ConcurrentHashMap<>();
    /** Blobs of the layout this writer relies on (found there, not staged): checked again at commit. */
    private final Map<Digest, Long> relied = new ConcurrentHashMap<>();

    private volatile ManifestBytes top;
    private volatile boolean committed;
    private volatile boolean closed;

    private DirectorySink(
            LayoutReference reference, Path dir, boolean createdDir, Path staging, FileChannel ownerChannel) {
        this.reference = reference;
        this.dir = dir;
        this.createdDir = createdDir;
        this.staging = staging;
        this.ownerChannel = ownerChannel;
    }

    static DirectorySink open(LayoutReference reference) throws IOException {
        Path dir = reference.path();
        boolean created = false;
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new FerryException(
                        dir + " exists and is not a directory",
                        "name a directory for oci:, or use oci-archive: for a tar file");
            }
            Path layoutFile = dir.resolve(LayoutFiles.OCI_LAYOUT);
            if (Files.exists(layoutFile)) {
                LayoutFiles.checkLayoutFile(
                        LayoutSource.readSmall(new DirectoryStore(dir), LayoutFiles.OCI_LAYOUT, 4096), dir.toString());
            } else if (!onlyFerryWork(dir) && !Files.exists(layoutFile)) {
                // (checked again: a concurrent writer creates oci-layout before anything else it adds)
                throw new FerryException(
                        dir + " is not an OCI layout (no oci-layout file) and is not empty;"
                                + " refusing to write into it",
                        "name an empty or new directory, or an existing layout");
            }
        } else {
            Path parent = dir.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new FerryException(
                        "cannot create " + dir + ": " + parent + " is not a directory",
                        "create the parent directory first");
            }
            try {
                Files.createDirectory(dir);
                created = true;
            } catch (FileAlreadyExistsException e) {
                // created concurrently: fine
            }
        }
        // A TempFiles name (.ferry-staging-PID.START-RANDOM.tmp), registered before it exists: removed at
        // Ctrl-C/SIGTERM, and by the next writer's sweep when its process is gone, even if it was killed before
        // it could make its .owner file.
        Path staging = TempFiles.createDirectory(dir, "staging");
        FileChannel owner =
                FileChannel.open(staging.resolve(OWNER), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        owner.lock(); // held until this sink is closed, or its process dies
        return new DirectorySink(reference, dir, created, staging, owner);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    /** Whether {@code dir} holds nothing but other Ferry writers' staging (a layout being created concurrently). */
    private static boolean onlyFerryWork(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(STAGING_PREFIX) && !(name.startsWith(".ferry-") && name.endsWith(".tmp"))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public ImageReference reference() {
        return reference;
    }

    @Override
    public List<String> supportedManifestTypes() {
        return SUPPORTED;
    }

    @Override
    public boolean hasBlob(Descriptor descriptor) throws IOException {
        if (staged.containsKey(descriptor.digest())) {
            return true;
        }
        Path blob = dir.resolve(LayoutFiles.blobPath(descriptor.digest()));
        if (!Files.isRegularFile(blob)) {
            return false;
        }
        noteNeed(descriptor.digest()); // before looking again: a gc that runs now keeps it, or the commit sees it gone
        if (Files.isRegularFile(blob) && Files.size(blob) == descriptor.size()) {
            relied.put(descriptor.digest(), descriptor.size());
            return true;
        }
        return false;
    }

    /** Appends a digest to {@link #NEEDS}, flushed to the file before this returns. */
    private synchronized void noteNeed(Digest digest) throws IOException {
        checkOpen();
        Files.writeString(
                staging.resolve(NEEDS),
                digest + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    @Override
    public void putBlob(Descriptor descriptor, InputStream in) throws IOException {
        checkOpen();
        VerifyingInputStream verifying = VerifyingInputStream.verify(in, descriptor);
        Path tmp = staging.resolve(UUID.randomUUID() + ".partial");
        boolean ok = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                Streams.copyFlushing(verifying, ch);
                if (!verifying.verified()) {
                    verifying.drainAndVerify();
                }
                ch.force(false);
            }
            stage(descriptor.digest(), tmp);
            ok = true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    @Override
    public Path scratchDirectory() throws IOException {
        checkOpen();
        Path scratch = staging.resolve("scratch");
        Files.createDirectories(scratch);
        return scratch;
    }

    @Override
    public boolean canLink(Path file) throws IOException {
        try {
            return Files.getAttribute(file, "unix:dev").equals(Files.getAttribute(staging, "unix:dev"));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return Files.getFileStore(file).equals(Files.getFileStore(staging));
        }
    }

    /** Hardlinks a verified blob file into staging; at commit it is renamed into blobs/ as a copied one would be. */
    @Override
    public boolean linkBlob(Descriptor descriptor, Path file) throws IOException {
        checkOpen();
        Path tmp = staging.resolve(UUID.randomUUID() + ".partial");
        try {
            Files.createLink(tmp, file);
        } catch (FileSystemException | UnsupportedOperationException e) {
            return false; // another filesystem after all, or one without hardlinks (EXDEV, EPERM, EMLINK)
        }
        boolean ok = false;
        try {
            if (!Files.isRegularFile(tmp, LinkOption.NOFOLLOW_LINKS) || Files.size(tmp) != descriptor.size()) {
                throw new IOException(file + " changed while it was linked as blob " + descriptor.digest()
                        + "; a blob file must not be modified in place");
            }
            // on disk before the index names it, as a copied blob is (the file may have been written unforced)
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ)) {
                ch.force(false);
            }
            stage(descriptor.digest(), tmp);
            ok = true;
            return true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private void stage(Digest digest, Path tmp) throws IOException {
        Path name = staging.resolve(digest.algorithm().ociName() + "-" + digest.hex());
        AtomicFiles.move(tmp, name);
        staged.put(digest, name);
    }

    private void stageBytes(ManifestBytes manifest) throws IOException {
        checkOpen();
        if (!SUPPORTED.contains(manifest.mediaType())) {
            throw new UnsupportedManifestException(reference.displayName(), manifest.mediaType(), SUPPORTED);
        }
        Path tmp = staging.resolve(UUID.randomUUID() + ".partial");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(manifest.bytes()));
            ch.force(false);
        }
        stage(manifest.digest(), tmp);
    }

    @Override
    public void putChildManifest(ManifestBytes manifest) throws IOException {
        stageBytes(manifest);
    }

    @Override
    public void putManifest(ManifestBytes manifest) throws IOException {
        stageBytes(manifest);
        top = manifest;
    }

    @Override
    public void commit() throws IOException {
        checkOpen();
        if (top == null) {
            throw new IllegalStateException("commit() before putManifest()");
        }
        AtomicFiles.createIfAbsent(dir.resolve(LayoutFiles.OCI_LAYOUT), LayoutFiles.OCI_LAYOUT_BYTES);
        try (WriterLock lock = WriterLock.layout(dir)) {
            for (Map.Entry<Digest, Long> e : relied.entrySet()) {
                Path blob = dir.resolve(LayoutFiles.blobPath(e.getKey()));
                if (!staged.containsKey(e.getKey())
                        && !(Files.isRegularFile(blob) && Files.size(blob) == e.getValue())) {
                    throw new FerryException(
                            "blob " + e.getKey() + " of " + dir + " was removed while " + reference.displayName()
                                    + " was written (a concurrent ferry gc, or another tool); nothing was committed",
                            "run the copy again");
                }
            }
            for (Map.Entry<Digest, Path> e : staged.entrySet()) {
                Path target = dir.resolve(LayoutFiles.blobPath(e.getKey()));
                Files.createDirectories(target.getParent());
                AtomicFiles.move(e.getValue(), target);
            }
            for (Digest digest : staged.keySet()) {
                AtomicFiles.syncDirectory(
                        dir.resolve(LayoutFiles.blobPath(digest)).getParent());
            }
            Path indexFile = dir.resolve(LayoutFiles.INDEX);
            LayoutIndex index = Files.exists(indexFile)
                    ? LayoutFiles.parseIndex(
                            LayoutSource.readSmall(
                                    new DirectoryStore(dir), LayoutFiles.INDEX, LayoutFiles.MAX_INDEX_SIZE),
                            dir.toString())
                    : LayoutIndex.empty();
            Descriptor entry = top.descriptor();
            if (reference.ref() != null) {
                entry = entry.withAnnotations(Map.of(Descriptor.REF_NAME_ANNOTATION, reference.ref()));
            }
            AtomicFiles.replace(indexFile, index.with(entry).toBytes());
            AtomicFiles.syncDirectory(dir);
            committed = true;
            removeDeadWritersStaging();
        } finally {
            deleteStaging();
        }
    }

    /** Removes the staging folders of writers that died (killed copies), keeping live writers' ones. */
    private void removeDeadWritersStaging() throws IOException {
        TempFiles.sweep(dir); // a killed writer's index.json.tmp
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, STAGING_PREFIX + "*")) {
            for (Path other : entries) {
                if (other.equals(staging) || !Files.isDirectory(other)) {
                    continue;
                }
                Path owner = other.resolve(OWNER);
                if (!Files.exists(owner)) {
                    Instant modified = Files.getLastModifiedTime(other).toInstant();
                    if (modified.isBefore(Instant.now().minus(ORPHAN_AGE))) {
                        deleteTree(other);
                    }
                    continue;
                }
                try (FileChannel ch = FileChannel.open(owner, StandardOpenOption.WRITE)) {
                    FileLock lock = ch.tryLock();
                    if (lock != null) {
                        deleteTree(other); // nobody holds it: its writer is gone
                        lock.release();
                    }
                } catch (OverlappingFileLockException | NoSuchFileException e) {
                    // a live writer of this process, or one that just finished: leave it
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed) {
            deleteStaging();
            if (createdDir && isEmpty(dir)) {
                Files.deleteIfExists(dir);
            }
        }
    }

    private void checkOpen() {
        if (closed || committed) {
            throw new IllegalStateException(
                    "sink for " + reference.displayName() + " is already " + (committed ? "committed" : "closed"));
        }
    }

    private void deleteStaging() throws IOException {
        ownerChannel.close(); // releases the owner lock
        deleteTree(staging);
        ShutdownCleanup.unregisterTree(staging);
    }

    /** Deletes a staging folder; another writer's cleanup may be deleting it at the same time. */
    private static void deleteTree(Path root) throws IOException {
        TempFiles.deleteTree(root);
    }
}
