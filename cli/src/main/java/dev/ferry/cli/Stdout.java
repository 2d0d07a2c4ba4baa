package dev.ferry.cli;

import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.io.OutputStream;

/** The byte stream behind standard output, for output that must be bytes exactly ({@code inspect --raw}). */
public record Stdout(OutputStream stream) {

    /**
     * Standard output that fails loudly: a write or flush that fails (the reader closed the pipe, as {@code head}
     * does; the disk is full) throws a {@link Closed} and is remembered, so that the command exits 1 with one line
     * even where the failure went through a {@link java.io.PrintWriter}, which swallows it. Closing it flushes but
     * leaves the process's standard output open.
     */
    static final class Guard extends OutputStream {
        private final OutputStream out;
        private long written;
        private volatile Closed failure;

        Guard(OutputStream out) {
            this.out = out;
        }

        /** The failure, once a write or flush failed; null while all is well. */
        Closed failure() {
            return failure;
        }

        @Override
        public void write(int b) throws IOException {
            check();
            try {
                out.write(b);
            } catch (IOException e) {
                throw failed(e);
            }
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check();
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw failed(e);
            }
            written += len;
        }

        @Override
        public void flush() throws IOException {
            check();
            try {
                out.flush();
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }

        private void check() throws Closed {
            if (failure != null) {
                throw failure;
            }
        }

        private synchronized Closed failed(IOException e) {
            if (failure == null) {
                failure = new Closed(e, written);
            }
            return failure;
        }
    }

    /** Standard output could not be written: its reader went away, or its file system refused. */
    static final class Closed extends FerryException {
        Closed(IOException cause, long written) {
            super(message(cause, written), hint(cause), cause);
        }

        private static boolean brokenPipe(IOException cause) {
            String m = String.valueOf(cause.getMessage());
            return m.contains("Broken pipe") || m.contains("Stream closed") || m.contains("Bad file descriptor");
        }

        private static String message(IOException cause, long written) {
            if (brokenPipe(cause)) {
                return "standard output was closed before the end of the output (after " + written + " bytes)";
            }
            return "cannot write to standard output after " + written + " bytes: " + cause.getMessage();
        }

        private static String hint(IOException cause) {
            return brokenPipe(cause)
                    ? "the program reading it stopped early, so what it got is incomplete"
                    : "the output is incomplete; write to a file on a file system with room";
        }
    }
}
