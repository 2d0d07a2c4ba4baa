package dev.ferry.spi.support;

import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * A file that a command writes whole: checked before anything is opened, written to a temporary file beside it,
 * and renamed over it at {@link #commit()}, so that a reader or a killed command sees the old file or the new
 * one, never a mix.
 *
 * <p>Only regular files are written. {@link #check} refuses a directory, a device, a FIFO, a socket, a symlink
 * to one of those or to nothing, a file the user may not write, and a folder that is missing or read-only, with
 * one line that says which. It only looks at the path's type (it never opens it), so a FIFO cannot block it and
 * a device is never touched. Every command that writes a file calls it first, so all refuse alike.
 *
 * <p>A symlink to a regular file is written through, as {@code tar -f} and {@code cp} do: the link stays and the
 * file it points to is replaced (atomically, in its own folder). Replacing the link itself by a regular file
 * would silently cut what the user linked; writing into the file in place would not be atomic. As the kernel's
 * {@code protected_symlinks} does for {@code open}, a link in a shared sticky folder (such as {@code /tmp}) owned
 * by someone else is not followed.
 *
 * <p>A replaced file keeps its mode (a 0444 file stays 0444, setuid bits included) and, when the process may set
 * them (root), its owner and group. Hard links to a replaced file keep the old content (a rename makes a new
 * file).
 */
public final class OutputFile implements AutoCloseable {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFLNK = 0120000;
    /** The largest all-zero file taken for an empty tar: GNU tar's empty archive is one 10 KiB record. */
    private static final long EMPTY_TAR_MAX = 10240;

    private final Path named;
    private final Path file;
    /** {@code unix:mode,uid,gid} of the file replaced, or null when there is none. */
    private final Map<String, Object> existing;

    private Path tmp;
    private FileChannel channel;
    private boolean committed;

    private OutputFile(Path named, Path file, Map<String, Object> existing) {
        this.named = named;
        this.file = file;
        this.existing = existing;
    }

    /**
     * Checks that {@code path} may be written as a whole new file: it does not exist (and its folder does), or it
     * is a regular file the user may write, or a symlink to one. Never opens it.
     *
     * @throws FerryException saying why not, in one line
     */
    public static OutputFile check(Path path) throws IOException {
        return check(path, null);
    }

    /**
     * As {@link #check(Path)}; {@code otherChoice}, when not null, is added to the hint of a refusal (such as
     * "or - for standard output").
     */
    public static OutputFile check(Path path, String otherChoice) throws IOException {
        Path named = path.toAbsolutePath();
        String hint = "name a regular file" + (otherChoice == null ? "" : ", " + otherChoice);
        if (named.getFileName() == null) {
            throw new FerryException("cannot write " + ShortPath.of(named) + ": it is a directory", hint);
        }
        Map<String, Object> attrs = attributes(named, LinkOption.NOFOLLOW_LINKS);
        Path file = named;
        if (attrs != null && type(attrs) == S_IFLNK) {
            Path target = Files.readSymbolicLink(named);
            refuseForeignLink(named, attrs);
            Map<String, Object> followed = attributes(named);
            if (followed == null) {
                throw new FerryException(
                        "cannot write " + ShortPath.of(named) + ": it is a symlink to " + ShortPath.of(target)
                                + ", which does not exist",
                        "remove the link or name another file (Ferry does not write through a dangling link)");
            }
            if (type(followed) != S_IFREG) {
                throw new FerryException(
                        "cannot write " + ShortPath.of(named) + ": it is a symlink to " + ShortPath.of(target) + ", "
                                + kind(type(followed)) + "; Ferry writes only regular files",
                        hint);
            }
            file = named.toRealPath();
            attrs = followed;
        } else if (attrs != null && type(attrs) != S_IFREG) {
            throw new FerryException(
                    "cannot write " + ShortPath.of(named) + ": it is " + kind(type(attrs))
                            + "; Ferry writes only regular files",
                    hint);
        }
        Path dir = file.getParent();
        Map<String, Object> dirAttrs = attributes(dir);
        if (dirAttrs == null) {
            throw new FerryException(
                    "cannot write " + ShortPath.of(named) + ": its folder " + ShortPath.of(dir) + " does not exist",
                    "create the folder first");
        }
        if (type(dirAttrs) != S_IFDIR) {
            throw new FerryException(
                    "cannot write " + ShortPath.of(named) + ": " + ShortPath.of(dir) + " is not a folder",
                    "check the path");
        }
        if (isReadOnlyStore(dir)) {
            throw new FerryException(
                    "cannot write " + ShortPath.of(named) + ": it is on a read-only file system",
                    "name a file on a writable file system");
        }
        if (attrs != null && !Files.isWritable(file)) {
            throw new FerryException(
                    "cannot replace " + ShortPath.of(named) + ": it is read-only for this user" + " (mode "
                            + String.format("%04o", mode(attrs) & 07777) + ")",
                    "make it writable (chmod u+w), or name another file");
        }
        if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
            throw new FerryException(
                    "cannot write " + ShortPath.of(named) + ": its folder " + ShortPath.of(dir)
                            + " is not writable for this user",
                    "name a file in a folder you may write");
        }
        return new OutputFile(named, file, attrs);
    }

    /** The path as the user named it (absolute). */
    public Path named() {
        return named;
    }

    /** Where the bytes land: {@link #named()}, or the regular file it is a symlink to. */
    public Path file() {
        return file;
    }

    /** Whether a file is there, to be replaced. */
    public boolean exists() {
        return existing != null;
    }

    /**
     * For tar outputs: refuses to replace an existing file that is neither empty nor a tar archive, since that is
     * more likely a mistake (a swapped argument) than a wish. An uncompressed tar (ustar, GNU, pax or v7 header)
     * passes, as does an empty one.
     *
     * @param force what the user can pass to replace it anyway, such as "--force"; null when nothing
     */
    public void requireTarOrEmpty(String force) throws IOException {
        if (existing == null || looksLikeTar(file)) {
            return;
        }
        throw new FerryException(
                "cannot replace " + ShortPath.of(named) + ": it is not a tar archive and not empty",
                force == null
                        ? "remove it first, or name another file"
                        : "name another file, or pass " + force + " to replace it");
    }

    /** Whether {@code file}, a regular file, is empty or starts with a tar header (or is an empty tar). */
    static boolean looksLikeTar(Path file) throws IOException {
        byte[] header;
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                InputStream in = Channels.newInputStream(ch)) {
            size = ch.size();
            header = in.readNBytes(512);
        }
        if (size == 0) {
            return true;
        }
        if (header.length < 512) {
            return false;
        }
        boolean zero = true;
        for (byte b : header) {
            zero &= b == 0;
        }
        if (zero) {
            return size <= EMPTY_TAR_MAX && size % 512 == 0; // the end-of-archive blocks alone
        }
        return header[0] != 0 && TarUtils.verifyCheckSum(header);
    }

    /**
     * Creates the temporary file beside {@link #file()} (a {@link TempFiles} name, removed at Ctrl-C and SIGTERM)
     * and returns a channel to write it, after removing what killed runs left in that folder.
     */
    public FileChannel open() throws IOException {
        if (channel != null) {
            throw new IllegalStateException("already open");
        }
        Path dir = file.getParent();
        TempFiles.sweep(dir);
        Path path = TempFiles.path(dir, file.getFileName().toString());
        TempFiles.track(path);
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            TempFiles.release(path);
            throw e;
        }
        tmp = path;
        return channel;
    }

    /** The temporary file, once {@link #open()}ed. */
    public Path temporary() {
        return tmp;
    }

    /**
     * Everything was written: flushes it to disk, gives it the mode (and owner, when allowed) of the file it
     * replaces, checks that what is there now still is a regular file (or nothing), and renames it into place.
     */
    public void commit() throws IOException {
        if (channel == null) {
            throw new IllegalStateException("not open");
        }
        channel.force(true);
        channel.close();
        Map<String, Object> now = attributes(file, LinkOption.NOFOLLOW_LINKS);
        if (now != null && type(now) != S_IFREG) {
            throw new FerryException(
                    "cannot write " + ShortPath.of(named) + ": it became " + kind(type(now))
                            + " while Ferry was writing; Ferry replaces only regular files",
                    "name a regular file");
        }
        Map<String, Object> keep = now != null ? now : existing;
        if (keep != null) {
            keepOwnerAndMode(tmp, keep);
        }
        AtomicFiles.move(tmp, file);
        TempFiles.release(tmp);
        committed = true;
        AtomicFiles.syncDirectory(file.getParent());
    }

    /** Removes the temporary file unless it was committed. */
    @Override
    public void close() throws IOException {
        if (committed || tmp == null) {
            return;
        }
        try {
            channel.close();
        } finally {
            TempFiles.delete(tmp);
        }
    }

    private static void keepOwnerAndMode(Path tmp, Map<String, Object> attrs) throws IOException {
        Map<String, Object> mine = attributes(tmp, LinkOption.NOFOLLOW_LINKS);
        for (String id : new String[] {"uid", "gid"}) {
            Object wanted = attrs.get(id);
            if (mine != null && wanted != null && !wanted.equals(mine.get(id))) {
                try {
                    Files.setAttribute(tmp, "unix:" + id, wanted, LinkOption.NOFOLLOW_LINKS);
                } catch (FileSystemException | SecurityException e) {
                    // only root may give a file away: the new file is this user's, as after any editor's save
                }
            }
        }
        // after chown, which clears setuid and setgid bits
        Files.setAttribute(tmp, "unix:mode", mode(attrs) & 07777, LinkOption.NOFOLLOW_LINKS);
    }

    /** A symlink in a sticky world-writable folder, owned by neither this user nor the folder's owner. */
    private static void refuseForeignLink(Path link, Map<String, Object> linkAttrs) throws IOException {
        Map<String, Object> dir = attributes(link.getParent(), LinkOption.NOFOLLOW_LINKS);
        if (dir == null || (mode(dir) & 01002) != 01002) {
            return;
        }
        Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Object owner = linkAttrs.get("uid");
        if (!owner.equals(me) && !owner.equals(dir.get("uid"))) {
            throw new FerryException(
                    "cannot write " + ShortPath.of(link) + ": it is a symlink owned by another user"
                            + " in the shared folder " + ShortPath.of(link.getParent()) + "; Ferry does not follow it",
                    "name the file it points to, or another file");
        }
    }

    private static boolean isReadOnlyStore(Path dir) {
        try {
            return Files.getFileStore(dir).isReadOnly();
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code unix:mode,uid,gid} of {@code path}, or null if there is nothing there. */
    private static Map<String, Object> attributes(Path path, LinkOption... options) throws IOException {
        try {
            return Files.readAttributes(path, "unix:mode,uid,gid", options);
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("Not a directory")) {
                return null; // a component of the path is a file: reported as a missing folder
            }
            throw e;
        }
    }

    private static int mode(Map<String, Object> attrs) {
        return (Integer) attrs.get("mode");
    }

    private static int type(Map<String, Object> attrs) {
        return mode(attrs) & S_IFMT;
    }

    /** "a character device", "a FIFO"... for a file type. */
    static String kind(int type) {
        return switch (type) {
            case S_IFDIR -> "a directory";
            case S_IFCHR -> "a character device";
            case S_IFBLK -> "a block device";
            case S_IFIFO -> "a FIFO (named pipe)";
            case S_IFSOCK -> "a socket";
            case S_IFLNK -> "a symlink";
            case S_IFREG -> "a regular file";
            default -> "not a regular file";
        };
    }
}
