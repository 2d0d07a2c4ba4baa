package dev.ferry.spi;

import dev.ferry.model.Digest;

/**
 * Content whose bytes do not match its descriptor: a different digest or a different size. Nothing of it was
 * stored.
 */
public class DigestMismatchException extends FerryException {
    private final Digest expected;
    private final Digest actual;
    private final long expectedSize;
    private final long actualSize;

    /**
     * @param actual the digest of the bytes read, or null when the size already differed
     * @param actualSize the bytes read (or at least that many, when more than expected arrived)
     */
    public DigestMismatchException(Digest expected, Digest actual, long expectedSize, long actualSize) {
        super(
                actual == null || expectedSize != actualSize
                        ? "blob " + expected + " has "
                                + (actualSize > expectedSize ? "more than " + expectedSize : actualSize)
                                + " bytes, but its descriptor says " + expectedSize
                        : "blob " + expected + " has digest " + actual + " instead: its content is corrupt",
                "the source image is corrupt or was changed while read; copy it again from its origin");
        this.expected = expected;
        this.actual = actual;
        this.expectedSize = expectedSize;
        this.actualSize = actualSize;
    }

    public Digest expected() {
        return expected;
    }

    /** The digest of the bytes actually read, or null when their size already differed. */
    public Digest actual() {
        return actual;
    }

    public long expectedSize() {
        return expectedSize;
    }

    public long actualSize() {
        return actualSize;
    }
}
