package dev.ferry.spi.support;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Copies streams in large chunks. {@link InputStream#transferTo} moves 8 KiB at a time, which for a file costs one
 * system call (and one copy through a direct buffer) per 8 KiB: a 100 MB layer is 12,000 writes. These move up to
 * {@link #CHUNK} bytes per write, with one buffer per call (heap stays flat: one chunk per stream in flight).
 */
public final class Streams {
    /** Bytes moved per read and write. */
    public static final int CHUNK = 256 * 1024;

    private Streams() {}

    /** Copies {@code in} to its end into {@code out}; returns the bytes copied. Neither stream is closed. */
    public static long copy(InputStream in, OutputStream out) throws IOException {
        return copy(in, out, new byte[CHUNK]);
    }

    /**
     * Copies {@code in} to its end into {@code out} through {@code buf} (reused across many small copies), in
     * writes of its size; returns the bytes copied. Neither stream is closed.
     */
    public static long copy(InputStream in, OutputStream out, byte[] buf) throws IOException {
        long total = 0;
        int n;
        while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }

    /**
     * Copies {@code in} to its end into {@code out} at its position, with whole-chunk writes; returns the bytes
     * copied. Neither is closed.
     */
    public static long copy(InputStream in, FileChannel out) throws IOException {
        return copy(in, out, total -> {});
    }

    /** What runs after each chunk a copy into a file wrote. */
    @FunctionalInterface
    private interface AfterChunk {
        /** The chunk is written; {@code total} bytes have been copied so far. */
        void written(long total) throws IOException;
    }

    /**
     * The one copy loop into a file: {@code in} to its end into {@code out} at its position, with whole-chunk writes,
     * calling {@code after} after each chunk; returns the bytes copied. Neither is closed.
     */
    private static long copy(InputStream in, FileChannel out, AfterChunk after) throws IOException {
        byte[] buf = new byte[CHUNK];
        ByteBuffer wrap = ByteBuffer.wrap(buf);
        long total = 0;
        int n;
        while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
            wrap.clear().limit(n);
            while (wrap.hasRemaining()) {
                out.write(wrap);
            }
            total += n;
            after.written(total);
        }
        return total;
    }

    /** Bytes written between two background flushes of {@link #copyFlushing}. */
    static final long FLUSH_EVERY = 16L << 20;

    /**
     * Runs the background flushes of {@link #copyFlushing}: one at a time, on a thread nothing interrupts (made on
     * first use: most commands write no layout).
     */
    private static final class Flusher {
        static final ExecutorService FLUSHER = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ferry-writeback");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * As {@link #copy(InputStream, FileChannel)}, for a file the caller forces to disk at the end: every
     * {@value #FLUSH_EVERY} bytes the file is also forced in the background (while the copy goes on), so that its
     * final force has only the last bytes left to write instead of the whole file (516 MB: 0.15-0.6 s, after the last
     * byte arrived). Returns once no background force is running; throws what one of them met (a write error the
     * kernel reports once, to whichever force comes first, must not be lost to the caller's).
     */
    public static long copyFlushing(InputStream in, FileChannel out) throws IOException {
        BackgroundForces forces = new BackgroundForces(out);
        long total;
        try {
            total = copy(in, out, forces::written);
        } catch (IOException | RuntimeException | Error e) {
            forces.drop();
            throw e;
        }
        forces.await();
        return total;
    }

    /** The background forces of one {@link #copyFlushing}: at most one pending at a time. */
    private static final class BackgroundForces {
        private final FileChannel out;
        private long flushed;
        private Future<?> pending;
        private AtomicBoolean started; // whether the pending force has begun (a queued one can be dropped)

        BackgroundForces(FileChannel out) {
            this.out = out;
        }

        /** After a chunk: starts a force once {@value Streams#FLUSH_EVERY} more bytes are written and none is running. */
        void written(long total) throws IOException {
            if (total - flushed >= FLUSH_EVERY && (pending == null || pending.isDone())) {
                if (pending != null) {
                    finish(pending);
                }
                AtomicBoolean begun = new AtomicBoolean();
                started = begun;
                pending = Flusher.FLUSHER.submit(() -> {
                    if (begun.compareAndSet(false, true)) {
                        out.force(false);
                    }
                    return null;
                });
                flushed = total;
            }
        }

        /** The copy failed: a force not begun never will. */
        void drop() {
            if (pending != null) {
                started.set(true);
            }
        }

        /**
         * The copy ended: a force still queued (behind other copies' forces) is dropped, since the caller's own force
         * does its work; one that began is waited for, since a write error is reported to one force only.
         */
        void await() throws IOException {
            if (pending != null && !started.compareAndSet(false, true)) {
                finish(pending);
            }
        }
    }

    /** Waits for a background force and throws what it met. */
    private static void finish(Future<?> force) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    force.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the force is short and the caller forces the file next anyway
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new IOException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The file {@code file} as a stream that skips by moving its position (without reading) and answers 0 to
     * {@link InputStream#available()}, so that a {@link BufferedInputStream} over it returns what one read gave
     * instead of asking the file's size and position (two system calls) after each read, as it would of
     * {@code Files.newInputStream}.
     */
    public static InputStream fileInput(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        return new InputStream() {
            private final byte[] one = new byte[1];

            @Override
            public int read() throws IOException {
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public long skip(long n) throws IOException {
                long position = channel.position();
                long skipped = Math.max(0, Math.min(n, channel.size() - position));
                channel.position(position + skipped);
                return skipped;
            }

            @Override
            public int available() {
                return 0;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
