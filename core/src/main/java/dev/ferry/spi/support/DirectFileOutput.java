package dev.ferry.spi.support;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A new large file written around the page cache (O_DIRECT), for blobs that this command writes and does not read
 * again: the bytes go from one of two aligned buffers to the disk, the next buffer filling while the other is
 * written on a thread of its own. For the layers gzipped from a daemon's save (870 MB on 2 cores that gzip and the
 * daemon need), a CPU profile put 2.4 s of the command's 10 in the kernel's copy into the page cache (on this VM,
 * memory freed goes back to its host and is faulted in again when the cache takes it); written here, the command
 * took 1.2 CPU s less (docs/benchmarks.md). Not for files fed by the network: a registry pull took 2.2 s where it
 * took 1.6, its CPU no lower (one write in flight per file waits for the disk). The file is on disk when the copy
 * ends, so the caller's force before it links or renames the file into a store has no dirty pages left to write.
 *
 * <p>{@link #create} answers null where the filesystem refuses O_DIRECT (tmpfs before Linux 6.6, some FUSE
 * filesystems), where its block size is not a power of two up to 64 KiB, and when {@code FERRY_DIRECT_IO=0}: the
 * caller then writes the file as it would have. The last block is written whole (zero-padded, as O_DIRECT wants)
 * and the file truncated to its size. Not thread-safe. Memory: two 1 MiB direct buffers while open, kept for the
 * next file when closed (up to {@value #POOLED}).
 */
public final class DirectFileOutput extends OutputStream {
    /** Files expected to be smaller than this are better written through the cache (O_DIRECT writes wait). */
    public static final long MIN_SIZE = 4L << 20;

    /** Bytes per write. */
    static final int CHUNK = 1 << 20;

    /** The alignment of every buffer: enough for any block size this writes with. */
    private static final int BUFFER_ALIGNMENT = 64 << 10;

    private static final int POOLED = 8;
    private static final Deque<ByteBuffer> POOL = new ArrayDeque<>();

    private static final boolean ENABLED = !"0".equals(System.getenv("FERRY_DIRECT_IO"));

    /** Writes the full buffers; daemon threads, made on first use and gone after a minute idle. */
    private static final class Writers {
        static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ferry-direct-write");
            t.setDaemon(true);
            return t;
        });
    }

    private final FileChannel channel;
    private final int alignment;
    private ByteBuffer filling;
    private ByteBuffer spare; // null while its write is in flight
    private Future<ByteBuffer> inFlight;
    private long position; // the file offset where filling's bytes go
    private boolean broken; // a write failed: close() writes nothing more
    private boolean finished;
    private boolean closed;

    private DirectFileOutput(FileChannel channel, int alignment) {
        this.channel = channel;
        this.alignment = alignment;
        this.filling = acquire();
        this.spare = acquire();
    }

    /**
     * Creates {@code file} (which must not exist) for writing around the page cache; null, with no file created,
     * where that is not possible here or {@code FERRY_DIRECT_IO=0}.
     *
     * @throws FileAlreadyExistsException if {@code file} exists
     */
    public static DirectFileOutput create(Path file) throws IOException {
        return ENABLED ? create(file, true) : null;
    }

    /** As {@link #create(Path)}, with the switch given: for the tests. */
    static DirectFileOutput create(Path file, boolean enabled) throws IOException {
        if (!enabled) {
            return null;
        }
        long blockSize;
        try {
            blockSize = Files.getFileStore(file.toAbsolutePath().getParent()).getBlockSize();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
        if (blockSize <= 0 || blockSize > BUFFER_ALIGNMENT || Long.bitCount(blockSize) != 1) {
            return null;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException e) {
            return null;
        } catch (IOException e) {
            // EINVAL: the filesystem has no O_DIRECT; Linux made the file before it said so, and it is ours
            Files.deleteIfExists(file);
            return null;
        }
        return new DirectFileOutput(channel, (int) blockSize);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkWritable();
        while (len > 0) {
            int n = Math.min(len, filling.remaining());
            filling.put(b, off, n);
            off += n;
            len -= n;
            if (!filling.hasRemaining()) {
                submitFull();
            }
        }
    }

    /** Hands the full buffer to a writer thread, once the previous one is written; fills the other meanwhile. */
    private void submitFull() throws IOException {
        awaitInFlight();
        ByteBuffer full = filling.flip();
        long at = position;
        position += full.remaining();
        filling = spare;
        spare = null;
        filling.clear();
        inFlight = Writers.WRITERS.submit(() -> {
            while (full.hasRemaining()) {
                channel.write(full, at + full.position());
            }
            return full;
        });
    }

    /** Waits for the buffer in flight to be written, and takes it back as the spare; throws what the write met. */
    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        Future<ByteBuffer> pending = inFlight;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    spare = pending.get();
                    inFlight = null;
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the write is short; its buffer must not be reused before it ends
                } catch (ExecutionException e) {
                    inFlight = null;
                    spare = acquire(); // the failed write's buffer is left to the collector
                    broken = true;
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException("writing " + channel + " failed", cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes what is buffered (the last block zero-padded, then the file truncated to its size); nothing may be
     * written after. Idempotent.
     */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        checkWritable();
        try {
            awaitInFlight();
            int tail = filling.position();
            if (tail > 0) {
                int padded = (tail + alignment - 1) / alignment * alignment;
                while (filling.position() < padded) {
                    filling.put((byte) 0);
                }
                filling.flip();
                while (filling.hasRemaining()) {
                    channel.write(filling, position + filling.position());
                }
                channel.truncate(position + tail);
                position += tail;
            }
            finished = true;
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e;
        }
    }

    /** {@link #finish}, then forces the file's bytes and size to disk. */
    public void sync() throws IOException {
        finish();
        channel.force(false);
    }

    /** The bytes written so far, all of them after {@link #finish}. */
    public long size() {
        return position + (finished ? 0 : filling.position());
    }

    private void checkWritable() throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        if (finished) {
            throw new IOException("finished");
        }
        if (broken) {
            throw new IOException("an earlier write failed");
        }
    }

    /** Finishes the file unless a write failed or it is finished (not forced: see {@link #sync}), then closes it. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (!broken && !finished) {
                finish();
            }
        } finally {
            closed = true;
            try {
                if (inFlight != null) {
                    try {
                        awaitInFlight();
                    } catch (IOException e) {
                        // the caller has the first failure; this one only had to end before the buffer is reused
                    }
                }
            } finally {
                channel.close();
                release(filling);
                release(spare);
                filling = null;
                spare = null;
            }
        }
    }

    private static ByteBuffer acquire() {
        synchronized (POOL) {
            ByteBuffer pooled = POOL.poll();
            if (pooled != null) {
                return pooled.clear();
            }
        }
        return ByteBuffer.allocateDirect(CHUNK + BUFFER_ALIGNMENT)
                .alignedSlice(BUFFER_ALIGNMENT)
                .limit(CHUNK)
                .slice();
    }

    private static void release(ByteBuffer buffer) {
        if (buffer == null) {
            return;
        }
        synchronized (POOL) {
            if (POOL.size() < POOLED) {
                POOL.push(buffer);
            }
        }
    }
}
