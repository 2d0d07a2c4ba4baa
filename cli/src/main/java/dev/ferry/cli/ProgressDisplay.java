package dev.ferry.cli;

import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyResult;
import dev.ferry.model.Descriptor;
import java.io.PrintWriter;
import java.util.Locale;

/** Progress on a terminal: one line per blob, redrawn in place at most five times a second. */
final class ProgressDisplay implements CopyListener {
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter err;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long done;

    ProgressDisplay(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized void blobStarted(Descriptor blob) {
        done = 0;
        draw(blob, true);
    }

    @Override
    public synchronized void blobProgress(Descriptor blob, long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS) {
            draw(blob, false);
        }
    }

    @Override
    public synchronized void blobDone(Descriptor blob, boolean skipped) {
        err.print("\r\033[K");
        err.println((skipped ? "Skipped blob " : "Copied blob  ")
                + blob.digest().shortHex() + "  " + human(blob.size()) + (skipped ? " (already present)" : ""));
        err.flush();
    }

    @Override
    public synchronized void note(String message) {
        err.print("\r\033[K");
        err.println("ferry: " + message);
        err.flush();
    }

    private void draw(Descriptor blob, boolean force) {
        lastDraw = System.nanoTime();
        int percent = blob.size() == 0 ? 100 : (int) (done * 100 / blob.size());
        err.print("\r\033[KCopying blob " + blob.digest().shortHex() + "  " + human(done) + " / " + human(blob.size())
                + "  " + percent + "%");
        err.flush();
    }

    void finish(CopyResult result) {
        double seconds = (System.nanoTime() - start) / 1e9;
        err.println(String.format(
                Locale.ROOT,
                "Copied %d blobs (%s), skipped %d, in %.1f s; manifest %s",
                result.blobsCopied(),
                human(result.bytesCopied()),
                result.blobsSkipped(),
                seconds,
                result.mediaType()));
        err.flush();
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
