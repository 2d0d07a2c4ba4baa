package dev.ferry.transport.oci;

import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writer's lock of a layout directory, held while {@code index.json} is read, changed and replaced, so that
 * concurrent writers (threads or processes) never lose each other's entries. It locks the layout's own
 * {@code oci-layout} file, which is never replaced, so no extra file is added to the layout; file locks are per
 * process, so threads of one process also share an in-process lock.
 */
final class LayoutLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock fileLock;

    private LayoutLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
        this.local = local;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Locks the layout at {@code dir}, whose {@code oci-layout} file must exist; blocks until it can. */
    static LayoutLock acquire(Path dir) throws IOException {
        Path real = dir.toRealPath();
        ReentrantLock local = LOCAL.computeIfAbsent(real, p -> new ReentrantLock());
        local.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(real.resolve(LayoutFiles.OCI_LAYOUT), StandardOpenOption.WRITE);
            return new LayoutLock(local, channel, channel.lock());
        } catch (IOException e) {
            if (channel != null) {
                channel.close();
            }
            local.unlock();
            throw new FerryException("cannot lock " + real.resolve(LayoutFiles.OCI_LAYOUT) + ": " + e.getMessage(),
                    "check that you may write to the layout", e);
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
