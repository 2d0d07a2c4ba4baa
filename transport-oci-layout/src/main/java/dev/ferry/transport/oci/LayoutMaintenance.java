package dev.ferry.transport.oci;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.model.ImageIndex;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.LayoutIndex;
import dev.ferry.model.Manifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.AmbiguousImageException;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.GarbageCollectable;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.support.AtomicFiles;
import dev.ferry.spi.support.NonClosingOutputStream;
import dev.ferry.spi.support.TempFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Listing, deleting and garbage collection for layouts. A directory's {@code index.json} is changed only under its
 * writers' lock ({@link WriterLock}), as writers change it; an archive is rewritten whole, under its lock, and
 * renamed over the old one. Garbage collection keeps what the refs reach and what live writers rely on: each
 * {@link DirectorySink} notes in its staging folder ({@value DirectorySink#NEEDS}) every blob of the layout it
 * skipped because the layout had it, before it looks, and checks again at commit that they are still there.
 */
final class LayoutMaintenance {
    private LayoutMaintenance() {}

    /** The named refs of a layout, as references into it, in {@code index.json} order. */
    static List<ImageStore> list(LayoutReference reference, LayoutStore store) throws IOException {
        List<ImageStore> refs = new ArrayList<>();
        for (Descriptor entry : index(store).entries()) {
            if (entry.refName() != null) {
                refs.add(reference.withRef(entry.refName()));
            }
        }
        return refs;
    }

    static LayoutIndex index(LayoutStore store) throws IOException {
        if (store.size(LayoutFiles.OCI_LAYOUT) < 0) {
            throw new ImageNotFoundException(
                    store.describe(),
                    store.describe() + " is not an OCI layout (no oci-layout file)",
                    "check the path");
        }
        if (store.size(LayoutFiles.INDEX) < 0) {
            throw new CorruptImageException(store.describe() + " has no index.json");
        }
        return LayoutFiles.parseIndex(
                LayoutSource.readSmall(store, LayoutFiles.INDEX, LayoutFiles.MAX_INDEX_SIZE), store.describe());
    }

    /** The entry {@code reference} names: its ref, or the only entry when it names none. */
    private static Descriptor entry(LayoutReference reference, LayoutIndex index) throws IOException {
        List<Descriptor> matching = reference.ref() == null
                ? index.entries()
                : index.entries().stream()
                        .filter(d -> reference.ref().equals(d.refName()))
                        .toList();
        if (matching.isEmpty()) {
            throw new ImageNotFoundException(
                    reference.displayName(),
                    reference.ref() == null
                            ? "the layout holds no images"
                            : "no image has ref \"" + reference.ref() + "\"",
                    "`ferry list-tags " + reference.transport().name() + ":" + reference.pathText()
                            + "` lists the refs");
        }
        if (matching.size() > 1 && reference.ref() == null) {
            throw new AmbiguousImageException(
                    reference.displayName(),
                    matching.stream()
                            .map(d -> d.refName() != null
                                    ? d.refName()
                                    : "(unnamed " + d.digest().shortHex() + ")")
                            .toList(),
                    "name one: " + reference.displayName() + ":REF");
        }
        return matching.get(0);
    }

    /** Removes the ref's entry from a layout directory's {@code index.json}, under the writers' lock. */
    static Digest deleteInDirectory(LayoutReference reference) throws IOException {
        Path dir = reference.path();
        DirectoryStore store = new DirectoryStore(dir);
        index(store); // a layout at all
        try (WriterLock lock = WriterLock.layout(dir)) {
            LayoutIndex index = index(store);
            Descriptor entry = entry(reference, index);
            LayoutIndex without = reference.ref() != null ? index.withoutRef(reference.ref()) : withoutOnly(index);
            AtomicFiles.replace(dir.resolve(LayoutFiles.INDEX), without.toBytes());
            AtomicFiles.syncDirectory(dir);
            return entry.digest();
        }
    }

    private static LayoutIndex withoutOnly(LayoutIndex index) {
        Descriptor only = index.entries().get(0);
        LayoutIndex empty = LayoutIndex.empty();
        // the only entry, unnamed: an index with nothing left (unknown fields of an unnamed single-image layout go)
        return only.refName() != null ? index.withoutRef(only.refName()) : empty;
    }

    /** Every blob the entries reach (manifests, their children, configs, layers, subjects). */
    static Set<Digest> reachable(LayoutStore store, List<Descriptor> roots) throws IOException {
        Set<Digest> seen = new HashSet<>();
        Deque<Descriptor> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            Descriptor d = todo.pop();
            if (!seen.add(d.digest())) {
                continue;
            }
            String path = LayoutFiles.blobPath(d.digest());
            if (store.size(path) < 0) {
                continue; // missing already: nothing to keep, and not ours to repair
            }
            ManifestBytes bytes;
            Manifest manifest;
            try {
                bytes = ManifestBytes.of(
                        LayoutSource.readSmall(store, path, ManifestBytes.MAX_SIZE),
                        d.mediaType(),
                        d.digest().algorithm());
                manifest = bytes.parse();
            } catch (IllegalArgumentException e) {
                throw new CorruptImageException(
                        "cannot tell what manifest " + d.digest() + " (" + d.mediaType() + ") in " + store.describe()
                                + " references: " + e.getMessage() + "; nothing was removed",
                        e);
            }
            if (manifest instanceof ImageManifest image) {
                for (Descriptor blob : image.blobs()) {
                    seen.add(blob.digest());
                }
                if (image.subject() != null) {
                    todo.push(image.subject());
                }
            } else if (manifest instanceof ImageIndex index) {
                index.manifests().forEach(todo::push);
            }
        }
        return seen;
    }

    /**
     * Removes the blobs of a layout directory that no entry of {@code index.json} reaches and no live writer
     * relies on, under the writers' lock. Writers' staging folders are never touched.
     */
    static GarbageCollectable.Result collectInDirectory(LayoutReference reference) throws IOException {
        Path dir = reference.path();
        DirectoryStore store = new DirectoryStore(dir);
        index(store);
        try (WriterLock lock = WriterLock.layout(dir)) {
            Set<Digest> keep = new HashSet<>(liveWritersNeeds(dir));
            keep.addAll(reachable(store, index(store).entries()));
            int removed = 0;
            int kept = 0;
            long freed = 0;
            Path blobs = dir.resolve(LayoutFiles.BLOBS);
            if (!Files.isDirectory(blobs, LinkOption.NOFOLLOW_LINKS)) {
                return new GarbageCollectable.Result(0, 0, 0);
            }
            for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
                Path folder = blobs.resolve(algorithm.ociName());
                if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                    for (Path file : files) {
                        Digest digest = Digest.tryParse(algorithm.ociName() + ":" + file.getFileName())
                                .orElse(null);
                        if (digest == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                            continue; // not a blob: not ours to remove
                        }
                        if (keep.contains(digest)) {
                            kept++;
                            continue;
                        }
                        long size = Files.size(file);
                        try {
                            Files.delete(file);
                            removed++;
                            freed += size;
                        } catch (NoSuchFileException e) {
                            // gone already
                        }
                    }
                }
                AtomicFiles.syncDirectory(folder);
            }
            return new GarbageCollectable.Result(removed, freed, kept);
        }
    }

    /**
     * The blobs the live writers of a layout noted they rely on. A staging folder whose owner lock is free belongs
     * to a dead writer: what it noted does not count (its image will never be committed).
     */
    private static Set<Digest> liveWritersNeeds(Path dir) throws IOException {
        Set<Digest> needs = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, DirectorySink.STAGING_PREFIX + "*")) {
            for (Path staging : entries) {
                if (!Files.isDirectory(staging, LinkOption.NOFOLLOW_LINKS) || !live(staging)) {
                    continue;
                }
                Path file = staging.resolve(DirectorySink.NEEDS);
                List<String> lines;
                try {
                    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    continue;
                }
                for (String line : lines) {
                    Digest.tryParse(line.strip()).ifPresent(needs::add);
                }
            }
        }
        return needs;
    }

    private static boolean live(Path staging) throws IOException {
        Path owner = staging.resolve(DirectorySink.OWNER);
        if (!Files.exists(owner)) {
            return true; // being created
        }
        try (FileChannel ch = FileChannel.open(owner, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // a writer of this process
        } catch (NoSuchFileException e) {
            return false; // finished meanwhile
        }
    }

    /**
     * Rewrites an OCI archive without the ref's entry and without the blobs no remaining entry reaches, under the
     * archive's writers' lock; the new archive is renamed over the old one.
     */
    static Digest deleteInArchive(LayoutReference reference) throws IOException {
        Digest[] deleted = new Digest[1];
        rewriteArchive(reference, index -> {
            deleted[0] = entry(reference, index).digest();
            return reference.ref() != null ? index.withoutRef(reference.ref()) : withoutOnly(index);
        });
        return deleted[0];
    }

    /** Rewrites an OCI archive with only the blobs its entries reach. */
    static GarbageCollectable.Result collectInArchive(LayoutReference reference) throws IOException {
        return rewriteArchive(reference, index -> index);
    }

    private interface IndexChange {
        LayoutIndex apply(LayoutIndex index) throws IOException;
    }

    private static GarbageCollectable.Result rewriteArchive(LayoutReference reference, IndexChange change)
            throws IOException {
        Path target = reference.path();
        if (!Files.isRegularFile(target)) {
            throw new ImageNotFoundException(reference.displayName(), target + " does not exist", "check the path");
        }
        try (WriterLock lock = WriterLock.archive(target);
                TarStore store = TarStore.open(target)) {
            LayoutIndex changed = change.apply(index(store));
            Set<Digest> keep = reachable(store, changed.entries());
            Path parent = target.getParent();
            Path tmp = AtomicFiles.tempPath(parent, target.getFileName().toString());
            TempFiles.track(tmp);
            int removed = 0;
            int kept = 0;
            long freed = 0;
            boolean done = false;
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(
                        new NonClosingOutputStream(Channels.newOutputStream(channel)), 1 << 16);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                ArchiveEntries.writeFile(tar, LayoutFiles.OCI_LAYOUT, LayoutFiles.OCI_LAYOUT_BYTES);
                ArchiveEntries.writeDirectory(tar, LayoutFiles.BLOBS + "/");
                Set<String> folders = new HashSet<>();
                for (String name : new TreeSet<>(store.names())) {
                    String[] parts = name.split("/");
                    if (parts.length != 3 || !parts[0].equals(LayoutFiles.BLOBS)) {
                        continue;
                    }
                    Digest digest = Digest.tryParse(parts[1] + ":" + parts[2]).orElse(null);
                    if (digest == null || !keep.contains(digest)) {
                        removed++;
                        freed += Math.max(0, store.size(name));
                        continue;
                    }
                    kept++;
                    if (folders.add(parts[1])) {
                        ArchiveEntries.writeDirectory(tar, LayoutFiles.BLOBS + "/" + parts[1] + "/");
                    }
                    tar.putArchiveEntry(ArchiveEntries.file(name, store.size(name)));
                    try (InputStream in = store.open(name)) {
                        in.transferTo(tar);
                    }
                    tar.closeArchiveEntry();
                }
                ArchiveEntries.writeFile(tar, LayoutFiles.INDEX, changed.toBytes());
                tar.close();
                channel.force(true);
                done = true;
            } finally {
                if (!done) {
                    TempFiles.delete(tmp);
                }
            }
            AtomicFiles.move(tmp, target);
            TempFiles.release(tmp);
            AtomicFiles.syncDirectory(parent);
            return new GarbageCollectable.Result(removed, freed, kept);
        }
    }
}
