package dev.ferry.spi.support;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * The gzip codec every part of Ferry uses: Intel's ISA-L (Debian's {@code libisal2}, loaded through JNA on first
 * use) when it is installed, else the JDK's zlib. {@code FERRY_GZIP=jdk} in the environment forces zlib, for
 * zlib's bytes (a layer's digest depends on the codec that compressed it; both are standard gzip that any reader
 * accepts).
 */
public final class Gzip {
    private Gzip() {}

    /** The codecs. */
    public enum Codec {
        /** Intel ISA-L's igzip through {@code libisal.so.2}. */
        ISAL,
        /** The JDK's {@link java.util.zip.Deflater} and {@link java.util.zip.Inflater} (zlib). */
        JDK
    }

    /** ISA-L when it is loaded and {@code FERRY_GZIP} is not {@code jdk}, else the JDK's zlib. */
    public static Codec codec() {
        return Isal.available() ? Codec.ISAL : Codec.JDK;
    }

    /** Why ISA-L is not used, or null when it is. */
    public static String whyNotIsal() {
        return Isal.unavailableReason();
    }

    /**
     * Reads gzip from {@code in} with the {@linkplain #codec() codec in use}: members one after the other, each
     * one's CRC32 and size checked, bytes after the last member that do not start another one ignored, as {@link
     * GZIPInputStream} does. Closing the result closes {@code in}; buffer {@code in} only if its reads are costly
     * (the result reads 64 KiB at a time).
     */
    public static InputStream input(InputStream in) throws IOException {
        return input(in, codec());
    }

    /** {@link #input(InputStream)} with the given codec ({@link Codec#ISAL} only when it is available). */
    public static InputStream input(InputStream in, Codec codec) throws IOException {
        if (codec == Codec.ISAL) {
            if (!Isal.available()) {
                throw new IllegalStateException("ISA-L is not available: " + Isal.unavailableReason());
            }
            return new IsalGzipInputStream(in);
        }
        return new GZIPInputStream(in, 1 << 16);
    }
}
