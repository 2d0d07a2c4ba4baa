package dev.ferry.build;

import dev.ferry.internal.CountingOutputStream;
import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.rootfs.Entries;
import dev.ferry.rootfs.FileNames;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.support.Digests;
import dev.ferry.spi.support.NonClosingOutputStream;
import dev.ferry.spi.support.ParallelGzipOutputStream;
import dev.ferry.spi.support.TempFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * smith's layer from a directory, reproducible: entries sorted by name, mtimes all the same (SOURCE_DATE_EPOCH or
 * zero), owner 0:0 unless told, modes (setuid included), symlinks and hardlinks kept. The tar is written once,
 * gzip-compressed, to a temporary file; its diffID and its compressed digest are computed in the same pass.
 */
public final class LayerBuilder {
    /**
     * The built layer.
     *
     * @param file the gzip-compressed tar; the caller deletes it
     * @param digest the digest of the file
     * @param size the file's size
     * @param diffId the digest of the uncompressed tar
     */
    public record Layer(Path file, Digest digest, long size, Digest diffId) {}

    private LayerBuilder() {}

    /**
     * Builds the layer of {@code context}.
     *
     * @param uid the owner to record, or -1 for 0
     * @param gid the group to record, or -1 for 0
     * @param mtime the mtime of every entry
     */
    public static Layer build(Path context, long uid, long gid, Instant mtime, Path tmpDir, Consumer<String> warnings)
            throws IOException {
        if (!Files.isDirectory(context)) {
            throw new FerryException(context + " is not a folder", "name the folder to build the layer from");
        }
        // a TempFiles name: removed at Ctrl-C/SIGTERM, and swept by the next run after a SIGKILL
        Path file = TempFiles.createFile(tmpDir, "layer.tar.gz");
        boolean ok = false;
        try {
            try {
                // a blob's usual mode, since a layout sink may link this very file into blobs/
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX filesystem: keep the default
            }
            MessageDigest compressed = Digests.forStream(DigestAlgorithm.SHA256);
            MessageDigest uncompressed = Digests.forStream(DigestAlgorithm.SHA256);
            long size;
            try (OutputStream fileOut = Files.newOutputStream(file);
                    CountingOutputStream counting = new CountingOutputStream(
                            new DigestOutputStream(new BufferedOutputStream(fileOut, 1 << 16), compressed));
                    ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(
                            new NonClosingOutputStream(counting), ParallelGzipOutputStream.LAYER_LEVEL);
                    TarArchiveOutputStream tar =
                            new TarArchiveOutputStream(new DigestOutputStream(gzip, uncompressed), "UTF-8")) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                tar.setAddPaxHeadersForNonAsciiNames(true);
                write(context, tar, uid < 0 ? 0 : uid, gid < 0 ? 0 : gid, FileTime.from(mtime), warnings);
                tar.finish();
                tar.flush();
                gzip.finish();
                counting.flush();
                size = counting.count();
            }
            Layer layer = new Layer(
                    file,
                    Digest.fromHash(DigestAlgorithm.SHA256, compressed.digest()),
                    size,
                    Digest.fromHash(DigestAlgorithm.SHA256, uncompressed.digest()));
            ok = true;
            return layer;
        } finally {
            if (!ok) {
                TempFiles.delete(file);
            }
        }
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFIFO = 0010000;

    private static void write(
            Path context, TarArchiveOutputStream tar, long uid, long gid, FileTime mtime, Consumer<String> warnings)
            throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(context)) {
            paths = new ArrayList<>(walk.filter(p -> !p.equals(context)).toList());
        }
        paths.sort((a, b) ->
                context.relativize(a).toString().compareTo(context.relativize(b).toString()));
        Map<Object, String> inodes = new HashMap<>();
        for (Path p : paths) {
            String name = FileNames.of(context.relativize(p)).replace('\\', '/');
            // one lstat per path: the kind comes from the mode's type bits
            Map<String, Object> attrs =
                    Files.readAttributes(p, "unix:mode,ino,dev,nlink,size,rdev", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) attrs.get("mode");
            TarArchiveEntry entry;
            switch (mode & S_IFMT) {
                case S_IFLNK -> {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(FileNames.of(Files.readSymbolicLink(p)));
                    entry.setMode(0120777);
                }
                case S_IFDIR -> {
                    entry = new TarArchiveEntry(name + "/");
                    entry.setMode(040000 | (mode & 07777));
                }
                case S_IFREG -> {
                    Object inode = List.of(attrs.get("dev"), attrs.get("ino"));
                    String first = ((Integer) attrs.get("nlink")) > 1 ? inodes.putIfAbsent(inode, name) : null;
                    if (first != null) {
                        entry = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK);
                        entry.setLinkName(first);
                    } else {
                        entry = new TarArchiveEntry(name);
                        entry.setSize((Long) attrs.get("size"));
                    }
                    entry.setMode(0100000 | (mode & 07777));
                }
                case S_IFCHR, S_IFBLK -> {
                    // as tar and docker keep them (a debootstrap rootfs has /dev/null, /dev/console...)
                    boolean chr = (mode & S_IFMT) == S_IFCHR;
                    entry = new TarArchiveEntry(name, chr ? TarArchiveEntry.LF_CHR : TarArchiveEntry.LF_BLK);
                    long rdev = (Long) attrs.get("rdev");
                    entry.setDevMajor((int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL)));
                    entry.setDevMinor((int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL)));
                    entry.setMode((chr ? 020000 : 060000) | (mode & 07777));
                }
                case S_IFIFO -> {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_FIFO);
                    entry.setMode(010000 | (mode & 07777));
                }
                default -> {
                    warnings.accept("skipped " + name + ": a socket (a layer cannot hold one)");
                    continue;
                }
            }
            entry.setUserId(uid);
            entry.setGroupId(gid);
            entry.setUserName("");
            entry.setGroupName("");
            entry.setModTime(mtime);
            tar.putArchiveEntry(entry);
            if (Entries.isRegular(entry)) {
                try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                    long copied = in.transferTo(tar);
                    if (copied != entry.getSize()) {
                        throw new FerryException(p + " changed while the layer was built", "build again");
                    }
                }
            }
            tar.closeArchiveEntry();
        }
    }
}
