package dev.ferry.transport.oci;

import dev.ferry.model.Digest;
import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writers' lock of a store, held while its list of refs is read, changed and replaced, so that concurrent
 * writers (threads or processes) never lose each other's refs. A file lock on a file that is never replaced (a
 * lock taken on a file that a rename then replaces would guard the old file); file locks are per process, so the
 * threads of one process also share an in-process lock.
 *
 * <ul>
 *   <li>A layout directory: its own {@code oci-layout} file, so no file is added to the layout.</li>
 *   <li>An archive: {@code .NAME.ferry-lock} beside it, made by the first writer and left in place (deleting it
 *       would race a writer waiting for it), never followed if it is a symlink.</li>
 * </ul>
 */
final class WriterLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();
    /** Longest archive name kept in the lock file's name, in bytes (NAME_MAX is 255). */
    private static final int MAX_NAME = 200;

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock fileLock;

    private WriterLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
        this.local = local;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Locks the layout at {@code dir}, whose {@code oci-layout} file must exist; blocks until it can. */
    static WriterLock layout(Path dir) throws IOException {
        Path file = dir.toRealPath().resolve(LayoutFiles.OCI_LAYOUT);
        return acquire(file, file, "check that you may write to the layout", StandardOpenOption.WRITE);
    }

    /** The lock file of the archive at {@code target}. */
    static Path archiveLockFile(Path target) {
        String name = target.getFileName().toString();
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
            name = Digest.sha256(name.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32);
        }
        return target.resolveSibling("." + name + ".ferry-lock");
    }

    /** Locks the archive at {@code target}; blocks until it can. */
    static WriterLock archive(Path target) throws IOException {
        Path file = archiveLockFile(target.toAbsolutePath());
        Path key;
        try {
            key = file.getParent().toRealPath().resolve(file.getFileName());
        } catch (NoSuchFileException e) {
            key = file.normalize();
        }
        return acquire(
                file,
                key,
                "check that you may write to " + file.getParent(),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
    }

    private static WriterLock acquire(Path file, Path key, String hint, OpenOption... options) throws IOException {
        ReentrantLock local = LOCAL.computeIfAbsent(key, p -> new ReentrantLock());
        local.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, options);
            return new WriterLock(local, channel, channel.lock());
        } catch (IOException e) {
            if (channel != null) {
                channel.close();
            }
            local.unlock();
            throw new FerryException("cannot lock " + file + ": " + e.getMessage(), hint, e);
        } catch (RuntimeException | Error e) {
            if (channel != null) {
                channel.close();
            }
            local.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            fileLock.release();
            channel.close();
        } finally {
            local.unlock();
        }
    }
}
