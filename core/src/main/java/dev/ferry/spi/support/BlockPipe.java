package dev.ferry.spi.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pipe between two threads that hands over whole blocks, so that both ends run at once.
 *
 * <p>{@link java.io.PipedInputStream} works in lockstep: the writer fills the buffer and sleeps until the reader
 * has drained all of it, and the reader is woken only when the buffer is empty. Measured on a 2.1 GiB
 * {@code POST /images/load}, each side spent about 5 s waiting for the other. Here the writer fills a block
 * while the reader empties another; at most {@code blocks} blocks of {@code blockSize} bytes are in flight, and
 * they are reused, so memory stays at {@code blocks * blockSize} whatever goes through.
 *
 * <p>Closing the output is the end of the stream. {@link #fail} ends it with an error instead: the reader then
 * gets that error, never a clean end that would make a truncated stream look whole. Closing the input makes
 * every later write fail, so a writer never blocks on a reader that is gone.
 *
 * <p>For transport authors: a sink that hands what it is given to a client library expecting to read a request
 * body (an HTTP upload, a daemon's load) writes into {@link #output()} on the copying thread and gives the
 * library {@link #input()}. Exactly one thread writes and one reads.
 */
public final class BlockPipe {
    private final int blockSize;
    private final int blocks;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** A block handed over, and how many of its bytes are data. */
    private record Filled(byte[] data, int length) {}

    private final ArrayDeque<Filled> filled = new ArrayDeque<>();
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private int allocated;
    private boolean writerClosed;
    private boolean readerClosed;
    private IOException failure;
    private final Output output = new Output();
    private final Input input = new Input();

    public BlockPipe(int blockSize, int blocks) {
        if (blockSize <= 0 || blocks <= 0) {
            throw new IllegalArgumentException("block size and count must be positive");
        }
        this.blockSize = blockSize;
        this.blocks = blocks;
    }

    /** The writing end: one thread writes, then closes it (or calls {@link #fail}). */
    public OutputStream output() {
        return output;
    }

    /** The reading end: one thread reads to the end, or closes it early. */
    public InputStream input() {
        return input;
    }

    /**
     * Ends the stream with {@code cause}: once the blocks already handed over are read, every read throws
     * {@code cause} itself. Ignored after the output was closed: the stream had ended whole.
     */
    public void fail(IOException cause) {
        Objects.requireNonNull(cause, "cause");
        lock.lock();
        try {
            if (failure == null && !writerClosed) {
                failure = cause;
            }
            writerClosed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A block to fill: a spare one, a new one while fewer than {@code blocks} exist, or waits for one. */
    private byte[] takeEmpty() throws IOException {
        lock.lock();
        try {
            while (true) {
                if (readerClosed) {
                    throw new IOException("the pipe's reader is gone");
                }
                if (writerClosed) {
                    throw new IOException("the pipe is closed");
                }
                if (!spare.isEmpty()) {
                    return spare.pop();
                }
                if (allocated < blocks) {
                    allocated++;
                    return new byte[blockSize];
                }
                awaitChange();
            }
        } finally {
            lock.unlock();
        }
    }

    private void handOver(byte[] block, int length) throws IOException {
        lock.lock();
        try {
            if (readerClosed) {
                throw new IOException("the pipe's reader is gone");
            }
            filled.add(new Filled(block, length));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next filled block, or null at the end; the previous block's array goes back to the spares. */
    private Filled takeFilled(byte[] done) throws IOException {
        lock.lock();
        try {
            if (done != null) {
                spare.push(done);
                changed.signalAll();
            }
            while (filled.isEmpty()) {
                if (readerClosed) {
                    throw new IOException("the pipe is closed");
                }
                if (writerClosed) {
                    if (failure != null) {
                        throw failure; // the writer's own exception, so that its type (a digest mismatch...) stays
                    }
                    return null;
                }
                awaitChange();
            }
            return filled.pop();
        } finally {
            lock.unlock();
        }
    }

    private void awaitChange() throws InterruptedIOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on a pipe");
        }
    }

    private final class Output extends OutputStream {
        private byte[] block;
        private int used;
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("the pipe is closed");
            }
            while (len > 0) {
                if (block == null) {
                    block = takeEmpty();
                    used = 0;
                }
                int n = Math.min(len, blockSize - used);
                System.arraycopy(b, off, block, used, n);
                used += n;
                off += n;
                len -= n;
                if (used == blockSize) {
                    sendBlock();
                }
            }
        }

        private void sendBlock() throws IOException {
            byte[] full = block;
            block = null;
            handOver(full, used);
        }

        /** Hands over a partly filled block, so the reader sees everything written so far. */
        @Override
        public void flush() throws IOException {
            if (block != null && used > 0) {
                sendBlock();
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                flush();
            } finally {
                lock.lock();
                try {
                    writerClosed = true;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private final class Input extends InputStream {
        private Filled block;
        private int position;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (ended) {
                return -1;
            }
            if (block == null || position == block.length()) {
                byte[] done = block == null ? null : block.data();
                block = null; // back to the spares exactly once, even if taking the next one throws
                block = takeFilled(done);
                position = 0;
                if (block == null) {
                    ended = true;
                    return -1;
                }
            }
            int n = Math.min(len, block.length() - position);
            System.arraycopy(block.data(), position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return block == null ? 0 : block.length() - position;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                readerClosed = true;
                filled.clear();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
