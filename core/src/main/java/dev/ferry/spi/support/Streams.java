package dev.ferry.spi.support;

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
        byte[] buf = new byte[CHUNK];
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
}
