package dev.ferry.engine;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.support.Digests;
import dev.ferry.spi.support.Gzip;
import dev.ferry.spi.support.ReadAheadStream;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.zip.ZipException;

/**
 * A gzip layer inflated on its way into the sink, with no spool: the sink is told the uncompressed size before the
 * bytes (a docker archive's tar header carries it), taken from the gzip trailer's ISIZE ({@link #trailerSize}), and
 * the stream checks it as it passes. It ends ({@code read} returns -1) only once everything is proven: the
 * compressed blob read to its end has its descriptor's digest and size, the inflated bytes have the config's diffID
 * and are exactly as many as announced. So a sink that completes an entry only at the end of its stream never
 * completes a wrong one.
 *
 * <p>When more or fewer bytes come than announced (a multi-member gzip whose last member's ISIZE is not the total, a
 * layer over 4 GiB, bytes after the last member), the stream fails with a {@link FerryException}, after inflating
 * the rest to measure the true size ({@link #measured()}) and to check the digests: a corrupt layer fails as
 * corrupt, with the error the spooling path gives, and a layer that is whole but larger or smaller than its trailer
 * says can be streamed again with the size measured. The sink, broken in the middle of an entry, must be discarded.
 */
final class InflatedLayer extends InputStream {
    /** Deflate's largest ratio: 258 bytes from a 1-bit code, about 1032:1. */
    static final long MAX_RATIO = 1032;
    /** Each stage hands on up to 4 blocks of 256 KiB. */
    private static final int STAGE_BLOCK = 1 << 18;

    private static final int STAGE_BLOCKS = 4;

    private final Descriptor layer;
    private final Digest diffId;
    private final VerifyingInputStream compressed;
    /** {@link #compressed} read (and so hashed) on a thread of its own, ahead of the inflater. */
    private final ReadAheadStream read;
    /** The inflater, on a thread of its own, ahead of this stream's reader (who hashes what comes out). */
    private final ReadAheadStream plain;

    private final InputStream inflater;
    private final MessageDigest hash;
    /** The size announced, or -1 while {@link #drain() draining}. */
    private long announced;

    private long count;
    private long measured = -1;
    private boolean finished;
    /** Why the stream failed, thrown again by any later read. */
    private IOException failure;

    /**
     * @param source the compressed bytes, unverified ({@code layer}'s digest and size are checked); not closed here
     * @param diffId the digest the inflated bytes must have
     * @param announced the size the inflated bytes must have
     */
    InflatedLayer(InputStream source, Descriptor layer, Digest diffId, long announced) throws IOException {
        this.layer = layer;
        this.diffId = diffId;
        this.announced = announced;
        this.compressed = VerifyingInputStream.verify(source, layer);
        this.hash = Digests.forStream(diffId.algorithm());
        // Three stages on as many threads (a 2-core machine halved the wall of a copy into a docker archive): the
        // blob read and hashed, inflated, and the inflated bytes hashed and passed to the sink by the caller.
        this.read = new ReadAheadStream(() -> compressed, "ferry-read-layer", STAGE_BLOCK, STAGE_BLOCKS);
        InputStream inflater;
        try {
            // The inflater must not close the source: the rest of it is verified at the end.
            inflater = Gzip.input(new FilterInputStream(read) {
                @Override
                public void close() {
                    // left open on purpose
                }
            });
        } catch (ZipException e) {
            read.close();
            throw new CorruptImageException(
                    "layer " + layer.digest() + " is not gzip-compressed as its media type says: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            read.close();
            throw e;
        }
        this.inflater = inflater;
        this.plain = new ReadAheadStream(() -> inflater, "ferry-inflate-layer", STAGE_BLOCK, STAGE_BLOCKS);
    }

    /**
     * The uncompressed size the gzip trailer of {@code file} (a layer's blob, {@code size} bytes) gives, when it can
     * be the size of the whole: else -1, and the layer is spooled. The trailer's ISIZE is the last member's size
     * modulo 2^32, so it is not taken when the file is not gzip, or is larger than deflate would make of that many
     * bytes (stored blocks add 5 bytes per 64 KiB; the header 10 and more, the trailer 8), or smaller than deflate can
     * make them (its ratio stops at about 1032:1): the marks of a multi-member gzip whose last member is small (an
     * eStargz layer's footer), or of a layer over 4 GiB that compresses badly. What this cannot see (a multi-member
     * gzip whose last member is large, a layer over 4 GiB that compresses well) the stream finds as it passes.
     */
    static long trailerSize(Path file, long size) throws IOException {
        if (size < 18) {
            return -1;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() != size) {
                return -1;
            }
            ByteBuffer head = readFully(channel, 0, 3);
            if (head.get(0) != (byte) 0x1f || head.get(1) != (byte) 0x8b || head.get(2) != 8) {
                return -1;
            }
            long isize = Integer.toUnsignedLong(readFully(channel, size - 4, 4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .getInt(0));
            if (size > isize + isize / 1000 + 1024 || isize / MAX_RATIO > size) {
                return -1;
            }
            return isize;
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of " + channel);
            }
        }
        return buffer;
    }

    /** The true uncompressed size, once the stream failed because it differs from the one announced; else -1. */
    long measured() {
        return measured;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (finished) {
            return -1;
        }
        try {
            return checkedRead(b, off, len);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    private int checkedRead(byte[] b, int off, int len) throws IOException {
        int n = inflate(b, off, len);
        if (n < 0) {
            finish();
            return -1;
        }
        hash.update(b, off, n);
        count += n;
        if (announced >= 0 && count > announced) {
            // nothing beyond the size announced goes out: measure the rest, check it, and fail
            byte[] rest = new byte[1 << 16];
            int r;
            while ((r = inflate(rest, 0, rest.length)) >= 0) {
                hash.update(rest, 0, r);
                count += r;
            }
            finish();
        }
        return n;
    }

    /**
     * Reads the rest without passing it on and returns the whole uncompressed size, checked as at the end of a
     * read (for a layer not stored after all: the sink has it). The size announced is not required.
     */
    long drain() throws IOException {
        announced = -1;
        byte[] buffer = new byte[1 << 16];
        while (read(buffer, 0, buffer.length) >= 0) {
            // reading checks
        }
        return count;
    }

    private int inflate(byte[] b, int off, int len) throws IOException {
        try {
            return plain.read(b, off, len);
        } catch (ZipException e) {
            throw new CorruptImageException("layer " + layer.digest() + " does not decompress: " + e.getMessage(), e);
        }
    }

    /** At the end of the inflated bytes: the blob, the diffID, then the size. */
    private void finish() throws IOException {
        finished = true;
        // the inflater's thread has ended (it passed on the end); what follows the last member, read ahead and
        // hashed already, is drained here: then the blob is at its end and its digest can be checked
        plain.join();
        byte[] rest = new byte[1 << 13];
        while (read.read(rest, 0, rest.length) >= 0) {
            // drained
        }
        read.join();
        compressed.drainAndVerify();
        Digest actual = Digest.fromHash(diffId.algorithm(), hash.digest());
        if (!actual.equals(diffId)) {
            throw new CorruptImageException("layer " + layer.digest() + " uncompresses to " + actual
                    + ", but the config's diffID is " + diffId);
        }
        if (announced >= 0 && count != announced) {
            measured = count;
            throw new FerryException(
                    "layer " + layer.digest() + " inflates to " + count + " bytes, not the " + announced
                            + " announced for it",
                    "the blob changed while it was copied; run the copy again");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            plain.close();
        } finally {
            try {
                read.close();
            } finally {
                inflater.close(); // frees the inflater's native memory; the source stays open (see above)
            }
        }
    }
}
