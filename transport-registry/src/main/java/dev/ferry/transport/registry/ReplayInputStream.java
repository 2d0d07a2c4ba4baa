package dev.ferry.transport.registry;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a stream once, keeping the last {@code capacity} bytes read, so that a failed upload can be sent again from
 * any offset within them: {@link #from(long)} serves the kept bytes from that offset, then goes on reading.
 * Thread-safe: an HTTP client reads it on a thread of its own while the caller may ask where it stands.
 */
final class ReplayInputStream {
    private final InputStream in;
    private final byte[] ring;
    private long consumed;

    ReplayInputStream(InputStream in, int capacity) {
        this.in = in;
        this.ring = new byte[capacity];
    }

    /** The bytes read from the underlying stream so far. */
    synchronized long consumed() {
        return consumed;
    }

    /** The lowest offset {@link #from} can start at. */
    synchronized long oldest() {
        return Math.max(0, consumed - ring.length);
    }

    /** A stream of the bytes from {@code offset} on: kept ones first, then new ones. */
    InputStream from(long offset) {
        synchronized (this) {
            if (offset < oldest() || offset > consumed) {
                throw new IllegalArgumentException(
                        "offset " + offset + " is not within [" + oldest() + ", " + consumed + "]");
            }
        }
        return new InputStream() {
            private long position = offset;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                synchronized (ReplayInputStream.this) {
                    if (position < consumed) {
                        if (position < consumed - ring.length) {
                            throw new IOException("replay offset " + position + " was overwritten");
                        }
                        int start = (int) (position % ring.length);
                        int n = (int) Math.min(Math.min(len, consumed - position), ring.length - start);
                        System.arraycopy(ring, start, b, off, n);
                        position += n;
                        return n;
                    }
                }
                int n = in.read(b, off, len);
                if (n > 0) {
                    synchronized (ReplayInputStream.this) {
                        keep(b, off, n);
                        position += n;
                    }
                }
                return n;
            }
        };
    }

    private void keep(byte[] b, int off, int n) {
        int copied = 0;
        if (n > ring.length) {
            copied = n - ring.length;
            consumed += copied;
        }
        while (copied < n) {
            int start = (int) (consumed % ring.length);
            int part = Math.min(n - copied, ring.length - start);
            System.arraycopy(b, off + copied, ring, start, part);
            consumed += part;
            copied += part;
        }
    }
}
