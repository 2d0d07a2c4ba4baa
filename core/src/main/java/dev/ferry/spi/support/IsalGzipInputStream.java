package dev.ferry.spi.support;

import com.sun.jna.Memory;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.ZipException;

/**
 * Gzip read through ISA-L's inflate, as {@link java.util.zip.GZIPInputStream} reads it: members one after the
 * other, each one's header parsed here (FEXTRA, FNAME, FCOMMENT, FHCRC checked), its CRC32 and ISIZE checked by
 * ISA-L against the trailer ({@code ISAL_GZIP_NO_HDR_VER}), and bytes after a member that do not start another
 * member ignored (GZIPInputStream's rule for trailing garbage). A corrupt or truncated member is an error. Native
 * memory (the inflate state, 64 KiB in, 128 KiB out) is freed by {@link #close()}, which closes {@code in}.
 */
final class IsalGzipInputStream extends InputStream {
    private static final int IN = 64 << 10;
    private static final int OUT = 128 << 10;

    private final InputStream in;
    private Memory state;
    private Memory nativeIn;
    private Memory nativeOut;
    /** The input, also in {@code nativeIn} at the same offsets: {@code [inPos, inLimit)} not consumed yet. */
    private final byte[] input = new byte[IN];

    private int inPos;
    private int inLimit;
    private boolean inEof;
    /** Inflated bytes not read yet: {@code [outPos, outLimit)}. */
    private final byte[] output = new byte[OUT];

    private int outPos;
    private int outLimit;
    /** Inside a member's deflate data (false between members and at the end). */
    private boolean inMember;

    private boolean eof;
    private boolean closed;

    IsalGzipInputStream(InputStream in) throws IOException {
        this.in = in;
        this.state = new Memory(Isal.INFLATE_STATE_SIZE + Isal.SLACK);
        this.nativeIn = new Memory(IN);
        this.nativeOut = new Memory(OUT);
        try {
            Isal.isal_inflate_init(state);
            if (!readHeader(true)) {
                throw new EOFException("empty gzip stream");
            }
        } catch (IOException | RuntimeException e) {
            free();
            throw e;
        }
    }

    @Override
    public int read() throws IOException {
        if (outPos < outLimit) {
            return output[outPos++] & 0xff;
        }
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (off < 0 || len < 0 || len > b.length - off) {
            throw new IndexOutOfBoundsException();
        }
        if (len == 0) {
            return 0;
        }
        while (outPos == outLimit) {
            if (eof || !inflate()) {
                return -1;
            }
        }
        int n = Math.min(len, outLimit - outPos);
        System.arraycopy(output, outPos, b, off, n);
        outPos += n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return outLimit - outPos;
    }

    /** Inflates some more into {@code output}; false at the end of the last member. */
    private boolean inflate() throws IOException {
        outPos = 0;
        outLimit = 0;
        if (!inMember) {
            if (!readHeader(false)) {
                eof = true;
                return false;
            }
        }
        if (inPos == inLimit && !fill()) {
            throw new EOFException("Unexpected end of ZLIB input stream");
        }
        int availIn = inLimit - inPos;
        state.setPointer(Isal.I_NEXT_IN, nativeIn.share(inPos));
        state.setInt(Isal.I_AVAIL_IN, availIn);
        state.setPointer(Isal.I_NEXT_OUT, nativeOut);
        state.setInt(Isal.I_AVAIL_OUT, OUT);
        int rc = Isal.isal_inflate(state);
        int leftIn = state.getInt(Isal.I_AVAIL_IN);
        int leftOut = state.getInt(Isal.I_AVAIL_OUT);
        if (leftIn < 0 || leftIn > availIn || leftOut < 0 || leftOut > OUT) {
            throw new IOException("ISA-L inflate: counts out of range (" + leftIn + ", " + leftOut + ")");
        }
        if (rc < 0) {
            throw new ZipException(
                    rc == Isal.ISAL_INCORRECT_CHECKSUM
                            ? "Corrupt GZIP trailer (CRC32 or size does not match)"
                            : "invalid deflate data (ISA-L error " + rc + ")");
        }
        inPos += availIn - leftIn;
        outLimit = OUT - leftOut;
        if (outLimit > 0) {
            nativeOut.read(0, output, 0, outLimit);
        }
        if (state.getInt(Isal.I_BLOCK_STATE) == Isal.ISAL_BLOCK_FINISH) {
            inMember = false;
        }
        return true;
    }

    /**
     * Reads a member's header and readies ISA-L for its data. At the start ({@code first}) anything but a gzip
     * header is an error; after a member, the end of the input or bytes that are not a header end the stream.
     */
    private boolean readHeader(boolean first) throws IOException {
        int start = inPos;
        CRC32 crc = new CRC32();
        try {
            int id1 = next(crc);
            if (id1 < 0 && !first) {
                return false;
            }
            int id2 = next(crc);
            if (id1 != 0x1f || id2 != 0x8b) {
                if (first) {
                    throw new ZipException("Not in GZIP format");
                }
                return false;
            }
            if (next(crc) != 8) {
                if (first) {
                    throw new ZipException("Unsupported compression method");
                }
                return false;
            }
            int flags = next(crc);
            for (int i = 0; i < 6; i++) {
                need(next(crc));
            }
            if ((flags & 4) != 0) { // FEXTRA
                int xlen = need(next(crc)) | need(next(crc)) << 8;
                for (int i = 0; i < xlen; i++) {
                    need(next(crc));
                }
            }
            if ((flags & 8) != 0) { // FNAME
                while (need(next(crc)) != 0) {}
            }
            if ((flags & 16) != 0) { // FCOMMENT
                while (need(next(crc)) != 0) {}
            }
            if ((flags & 2) != 0) { // FHCRC
                int expected = (int) crc.getValue() & 0xffff;
                int actual = need(next(null)) | need(next(null)) << 8;
                if (actual != expected) {
                    throw new ZipException("Corrupt GZIP header");
                }
            }
        } catch (EOFException e) {
            if (first) {
                throw e;
            }
            return false; // a truncated header after a member: trailing garbage, as GZIPInputStream has it
        }
        Isal.isal_inflate_reset(state);
        state.setInt(Isal.I_CRC_FLAG, Isal.ISAL_GZIP_NO_HDR_VER);
        state.setInt(Isal.I_HIST_BITS, 0);
        inMember = true;
        return true;
    }

    private static int need(int b) throws EOFException {
        if (b < 0) {
            throw new EOFException("Unexpected end of GZIP header");
        }
        return b;
    }

    /** The next input byte (added to {@code crc} when given), or -1 at the end of the input. */
    private int next(CRC32 crc) throws IOException {
        if (inPos == inLimit && !fill()) {
            return -1;
        }
        int b = input[inPos++] & 0xff;
        if (crc != null) {
            crc.update(b);
        }
        return b;
    }

    /** Moves what is not consumed to the front and reads more; false at the end of the input. */
    private boolean fill() throws IOException {
        if (inEof) {
            return false;
        }
        if (inPos > 0) {
            int left = inLimit - inPos;
            System.arraycopy(input, inPos, input, 0, left);
            if (left > 0) {
                nativeIn.write(0, input, 0, left);
            }
            inPos = 0;
            inLimit = left;
        }
        if (inLimit == IN) {
            return true;
        }
        int n = in.read(input, inLimit, IN - inLimit);
        if (n < 0) {
            inEof = true;
            return false;
        }
        if (n > 0) {
            nativeIn.write(inLimit, input, inLimit, n);
            inLimit += n;
        }
        return true;
    }

    private void free() {
        if (state != null) {
            state.close();
            nativeIn.close();
            nativeOut.close();
            state = null;
            nativeIn = null;
            nativeOut = null;
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            eof = true;
            outPos = 0;
            outLimit = 0;
            free();
            in.close();
        }
    }
}
