package dev.ferry.spi.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * A stream read on a thread of its own, ahead of its reader, through a {@link BlockPipe}: the work of producing
 * the bytes (reading a file and hashing it, inflating) runs on one core while the reader's (hashing what comes out,
 * writing it) runs on another. Stages chain: a blob read and hashed ahead of the inflater that reads it, itself read
 * ahead of the sink. At most {@code blocks * blockSize} bytes are in flight.
 *
 * <p>What the stream is opened with is read only by the thread; once the reader has seen the end (or an error) and
 * {@link #join joined} the thread, or {@link #close closed} this stream, it is the caller's again (to drain what
 * follows, to check a digest computed as it was read). A failure of the source reaches the reader as the exception
 * the source threw, never as a clean end. The source must not block forever (a file, or a stream that ends when it
 * is closed elsewhere): closing waits for the thread's current read.
 */
public final class ReadAheadStream extends InputStream {
    /** Opens the stream to read ahead; called on the reading-ahead thread. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    private final BlockPipe pipe;
    private final InputStream input;
    private final Thread thread;

    /**
     * Starts a thread named {@code name} that opens {@code opener}'s stream (not closed by it) and reads it to the
     * end into a pipe of {@code blocks} blocks of {@code blockSize} bytes.
     */
    public ReadAheadStream(Opener opener, String name, int blockSize, int blocks) {
        this.pipe = new BlockPipe(blockSize, blocks);
        this.input = pipe.input();
        int chunk = Math.min(blockSize, 1 << 16);
        this.thread = new Thread(
                () -> {
                    // not try-with-resources: closing the output first would end the stream whole, and the
                    // failure would be dropped
                    OutputStream out = pipe.output();
                    try {
                        InputStream in = opener.open();
                        byte[] buf = new byte[chunk];
                        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                            out.write(buf, 0, n);
                        }
                        out.close();
                    } catch (IOException e) {
                        pipe.fail(e);
                    } catch (RuntimeException | Error e) {
                        pipe.fail(new IOException(e));
                    }
                },
                name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public int read() throws IOException {
        return input.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return input.read(b, off, len);
    }

    /**
     * Waits for the thread, which ends once it read its source to the end or failed (or this stream was closed):
     * afterwards what it read from is the caller's again.
     */
    public void join() throws InterruptedIOException {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + thread.getName());
        }
    }

    /**
     * Stops reading ahead (the thread's write fails when it next takes or hands over a block: it may read up to a
     * block more from its source first) and waits for the thread, even when this thread is
     * interrupted (a copy stopped because another blob failed): the source, and what reads it (an inflater whose
     * native memory the caller frees next), is the caller's again only once the thread has ended. The interrupt is
     * kept for the caller.
     */
    @Override
    public void close() throws IOException {
        input.close();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
