package dev.ferry.rootfs;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.support.Digests;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A layer's uncompressed bytes as they are decompressed: counted against the {@linkplain LayerLimit limit} (the
 * read that goes past it fails, so a bomb stops there) and, when a diffID is expected, hashed, so that
 * {@link #verifyDiffId} can tell at the end whether they are what the config says.
 */
final class UncompressedLayer extends FilterInputStream {
    private final Descriptor layer;
    private final long limit;
    private final Digest expected;
    private final MessageDigest hash;
    private long count;
    private boolean ended;

    /**
     * @param in the decompressed bytes
     * @param layer the layer, for messages
     * @param limit the most bytes allowed
     * @param expected the diffID to check, or null to count only
     */
    UncompressedLayer(InputStream in, Descriptor layer, long limit, Digest expected) {
        super(in);
        this.layer = layer;
        this.limit = limit;
        this.expected = expected;
        this.hash = expected == null ? null : Digests.forStream(expected.algorithm());
    }

    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        if (n < 0) {
            ended = true;
            return n;
        }
        if (count + n > limit) {
            throw new LayerTooLargeException(layer.digest(), limit);
        }
        count += n;
        if (hash != null) {
            hash.update(buf, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        return Streams.skipByReading(this, n); // every byte passes through read
    }

    @Override
    public int available() throws IOException {
        return 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads what is left, so that every byte is counted and hashed. */
    void drain() throws IOException {
        byte[] buf = new byte[1 << 16];
        while (read(buf, 0, buf.length) >= 0) {
            // counted and hashed as it goes
        }
    }

    /**
     * Checks the diffID, once the stream was read to its end.
     *
     * @throws CorruptImageException naming the layer, the expected and the actual diffID
     */
    void verifyDiffId(int index) throws CorruptImageException {
        if (hash == null) {
            return;
        }
        if (!ended) {
            throw new IllegalStateException("the layer was not read to its end");
        }
        Digest actual = Digest.fromHash(expected.algorithm(), hash.digest());
        if (!actual.equals(expected)) {
            throw mismatch(layer, index, expected, actual);
        }
    }

    /** The error for a layer whose uncompressed tar is not the one the config lists, as umoci's "diffid mismatch". */
    static CorruptImageException mismatch(Descriptor layer, int index, Digest expected, Digest actual) {
        return new CorruptImageException("diffid mismatch: layer " + (index + 1) + " (" + layer.digest()
                + ") has diffID " + actual + " but the config's rootfs.diff_ids lists " + expected);
    }
}
