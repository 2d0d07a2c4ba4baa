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
