package dev.ferry.rootfs;

import java.io.IOException;
import java.io.InputStream;

/** Stream helpers of this package. */
final class Streams {
    private Streams() {}

    /**
     * Skips by reading through {@code in}'s own {@code read}, for filter streams that must see every byte (to hash,
     * count or copy it): {@link java.io.FilterInputStream#skip} would pass the skip to the stream below.
     */
    static long skipByReading(InputStream in, long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
        long skipped = 0;
        while (skipped < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }
}
