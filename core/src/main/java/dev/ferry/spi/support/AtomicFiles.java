package dev.ferry.spi.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes that are atomic: a reader, or a process killed half-way, sees the old file or the new one, never a mix. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * A fresh temporary file name in {@code dir}, hidden, named after {@code purpose} and this process, so that
     * {@link TempFiles#sweep} can remove it if this process is killed before it is renamed or deleted.
     */
    public static Path tempPath(Path dir, String purpose) {
        return TempFiles.path(dir, purpose);
    }

    /**
     * Replaces {@code target} with {@code bytes}: written to a temporary file beside it, flushed to disk, then
     * renamed over it.
     */
    public static void replace(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = tempPath(dir, target.getFileName().toString());
        TempFiles.track(tmp); // removed at Ctrl-C/SIGTERM
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(ch)) {
                TempFiles.checkNotExiting(tmp);
                out.write(bytes);
                out.flush();
                ch.force(true);
            }
            move(tmp, target);
        } finally {
            TempFiles.delete(tmp);
        }
    }

    /**
     * Creates {@code target} with {@code bytes} unless it exists, atomically: other processes see no file or the
     * whole file.
     *
     * @return true if this call created it
     */
    public static boolean createIfAbsent(Path target, byte[] bytes) throws IOException {
        if (Files.exists(target)) {
            return false;
        }
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = tempPath(dir, target.getFileName().toString());
        TempFiles.track(tmp); // removed at Ctrl-C/SIGTERM
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            TempFiles.checkNotExiting(tmp);
            try {
                Files.createLink(target, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException e) {
                try {
                    Files.move(tmp, target);
                    return true;
                } catch (FileAlreadyExistsException e2) {
                    return false;
                }
            }
        } finally {
            TempFiles.delete(tmp);
        }
    }

    /** Renames {@code from} to {@code to} atomically, replacing {@code to}. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Flushes a directory's entries (renames into it) to disk, where the platform allows. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can open a directory; the rename is still atomic.
        }
    }
}
