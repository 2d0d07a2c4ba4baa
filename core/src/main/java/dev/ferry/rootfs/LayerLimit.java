package dev.ferry.rootfs;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * The most uncompressed bytes one layer may hold, so that a small compressed layer that expands without end (a
 * "decompression bomb") fails with a clear error instead of filling the disk. Every layer is counted as it is
 * decompressed, whatever reads it: export and bundle (both passes), and the diffID check of a build's base.
 */
public final class LayerLimit {
    /**
     * The default: 16 GiB. Real layers rarely pass a few GiB uncompressed (the largest CUDA and model layers are
     * around 10 GiB); a layer past this is more likely hostile than real, and the error names the option to raise.
     */
    public static final long DEFAULT = 16L << 30;
    /** No limit. */
    public static final long NONE = Long.MAX_VALUE;

    private LayerLimit() {}

    /**
     * Parses a size: a number of bytes, or with a suffix K, M, G or T (powers of 1024, an optional trailing B or
     * iB, any case): {@code 512M}, {@code 10G}, {@code 1.5G}; {@code unlimited} or {@code none} for no limit.
     *
     * @throws IllegalArgumentException if it is not a positive size
     */
    public static long parse(String text) {
        String s = text.strip().toUpperCase(Locale.ROOT);
        if (s.equals("UNLIMITED") || s.equals("NONE")) {
            return NONE;
        }
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B")) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> shift = -1;
            }
            if (shift >= 0) {
                s = s.substring(0, s.length() - 1);
            } else {
                shift = 0;
            }
        }
        if (s.isEmpty() || !s.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size; use a number of bytes or one with"
                    + " K, M, G or T, like 512M or 10G (or unlimited)");
        }
        BigDecimal bytes = new BigDecimal(s).multiply(BigDecimal.valueOf(2).pow(shift));
        if (bytes.signum() <= 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not a positive size");
        }
        if (bytes.compareTo(BigDecimal.valueOf(NONE)) >= 0) {
            return NONE;
        }
        return bytes.setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** A size as {@link #parse} reads it back: the largest exact unit ({@code 100M}, {@code 16G}) or bytes. */
    public static String format(long bytes) {
        if (bytes == NONE) {
            return "unlimited";
        }
        String[] units = {"T", "G", "M", "K"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes > 0 && bytes % (1L << shifts[i]) == 0) {
                return (bytes >> shifts[i]) + units[i];
            }
        }
        return Long.toString(bytes);
    }
}
