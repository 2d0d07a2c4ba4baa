package dev.ferry.spi.support;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

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
        }
        return total;
    }

    /**
     * {@code in}, answering 0 to {@link InputStream#available()}: a {@link BufferedInputStream} over it returns
     * what one read gave instead of asking for more while the stream has some, which for a file opened with
     * {@code Files.newInputStream} costs two system calls (its size and position) per read.
     */
    public static InputStream withoutAvailable(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return in.read(b, off, len);
            }

            @Override
            public int available() {
                return 0;
            }
        };
    }
}
