package dev.ferry.spi.support;

import com.sun.jna.Memory;
import java.io.IOException;
import java.util.Arrays;

/**
 * One ISA-L deflate stream in native memory (the stream struct, its level buffer, an input and an output buffer),
 * reused block after block by one thread at a time; {@link #close()} frees it. Raw deflate only: the gzip header
 * and trailer are the caller's. Not thread-safe. Only constructed once {@link Isal#available()} (or by its
 * self-test).
 */
final class IsalDeflater implements AutoCloseable {
    /** The most input one {@link #deflate} call takes: the parallel writer's block. */
    static final int MAX_INPUT = ParallelGzipOutputStream.BLOCK;

    private static final int DICTIONARY = 32 << 10;
    private static final int OUT = MAX_INPUT + (MAX_INPUT >> 4) + 1024;

    /** What {@link #deflate} wrote: {@code length} bytes of {@code buffer} (the caller's, or a larger copy). */
    record Output(byte[] buffer, int length) {}

    private final int level;
    private Memory stream;
    private Memory levelBuffer;
    private Memory in;
    private Memory dict;
    private Memory out;

    /** ISA-L level 0-3. */
    IsalDeflater(int level) {
        if (level < 0 || level > 3) {
            throw new IllegalArgumentException("ISA-L level " + level + " (0-3)");
        }
        this.level = level;
        this.stream = new Memory(Isal.ZSTREAM_SIZE + Isal.SLACK);
        int levelSize = Isal.levelBufferSize(level);
        this.levelBuffer = levelSize > 0 ? new Memory(levelSize) : null;
        this.in = new Memory(MAX_INPUT);
        this.dict = new Memory(DICTIONARY);
        this.out = new Memory(OUT);
    }

    /**
     * Deflates {@code input[off, off+len)} as raw deflate blocks, with {@code dictionary} (its last 32 KiB, or none
     * when null) as the history, ended with a sync flush, or with the final block when {@code last}. Writes into
     * {@code output}, or a larger copy of it when it is too small.
     */
    Output deflate(byte[] input, int off, int len, byte[] dictionary, boolean last, byte[] output) throws IOException {
        if (stream == null) {
            throw new IOException("ISA-L deflater closed");
        }
        if (off < 0 || len < 0 || len > MAX_INPUT || off > input.length - len) {
            throw new IllegalArgumentException("input " + off + "+" + len + " of " + input.length);
        }
        Isal.isal_deflate_init(stream);
        stream.setInt(Isal.Z_LEVEL, level);
        if (levelBuffer != null) {
            stream.setPointer(Isal.Z_LEVEL_BUF, levelBuffer);
            stream.setInt(Isal.Z_LEVEL_BUF_SIZE, (int) levelBuffer.size());
        }
        stream.setShort(Isal.Z_GZIP_FLAG, (short) Isal.IGZIP_DEFLATE);
        stream.setShort(Isal.Z_HIST_BITS, (short) 0);
        stream.setShort(Isal.Z_FLUSH, (short) (last ? Isal.NO_FLUSH : Isal.SYNC_FLUSH));
        stream.setShort(Isal.Z_END_OF_STREAM, (short) (last ? 1 : 0));
        if (dictionary != null && dictionary.length > 0) {
            int n = Math.min(dictionary.length, DICTIONARY);
            dict.write(0, dictionary, dictionary.length - n, n);
            int rc = Isal.isal_deflate_set_dict(stream, dict, n);
            if (rc != Isal.COMP_OK) {
                throw new IOException("ISA-L refused the dictionary (" + rc + ")");
            }
        }
        if (len > 0) {
            in.write(0, input, off, len);
        }
        stream.setPointer(Isal.Z_NEXT_IN, in);
        stream.setInt(Isal.Z_AVAIL_IN, len);
        byte[] buf = output;
        int n = 0;
        while (true) {
            stream.setPointer(Isal.Z_NEXT_OUT, out);
            stream.setInt(Isal.Z_AVAIL_OUT, OUT);
            int rc = Isal.isal_deflate(stream);
            if (rc != Isal.COMP_OK) {
                throw new IOException("ISA-L deflate failed (" + rc + ")");
            }
            int availOut = stream.getInt(Isal.Z_AVAIL_OUT);
            if (availOut < 0 || availOut > OUT) {
                throw new IOException("ISA-L deflate: output count out of range (" + availOut + ")");
            }
            int produced = OUT - availOut;
            if (n + produced > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + produced));
            }
            out.read(0, buf, n, produced);
            n += produced;
            // the output had room left: all input is in, flushed (sync) or ended (last)
            if (availOut > 0) {
                break;
            }
        }
        int state = stream.getInt(Isal.Z_STATE);
        if (stream.getInt(Isal.Z_AVAIL_IN) != 0 || (last ? state != Isal.ZSTATE_END : state != Isal.ZSTATE_NEW_HDR)) {
            throw new IOException("ISA-L deflate did not finish its block (state " + state + ")");
        }
        return new Output(buf, n);
    }

    /** Frees the native memory. Idempotent. */
    @Override
    public void close() {
        if (stream != null) {
            stream.close();
            if (levelBuffer != null) {
                levelBuffer.close();
            }
            in.close();
            dict.close();
            out.close();
            stream = null;
            levelBuffer = null;
            in = null;
            dict = null;
            out = null;
        }
    }
}
