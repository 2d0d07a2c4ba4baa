package dev.ferry.spi.support;

/**
 * Paths as messages show them: whole up to {@link #MAX} characters, beyond that the first and last {@link #KEEP}
 * characters around "...", so that a path over the system's limit (4,096 bytes) still makes a readable line.
 */
public final class ShortPath {
    /** The longest path shown whole. */
    public static final int MAX = 160;
    /** Characters kept at each end of a longer path. */
    public static final int KEEP = 60;

    private ShortPath() {}

    /** {@code path} for a message: itself, or its middle elided when it is longer than {@link #MAX}. */
    public static String of(Object path) {
        String text = String.valueOf(path);
        if (text.length() <= MAX) {
            return text;
        }
        int head = KEEP;
        int tail = text.length() - KEEP;
        // never cut a surrogate pair in two
        if (Character.isHighSurrogate(text.charAt(head - 1))) {
            head--;
        }
        if (Character.isLowSurrogate(text.charAt(tail))) {
            tail++;
        }
        return text.substring(0, head) + "..." + text.substring(tail);
    }
}
