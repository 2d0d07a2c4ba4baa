package dev.ferry.cli;

import dev.ferry.engine.CopyResult;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Progress on a terminal: a line per blob in flight, each with its own bytes, a bar, the rate and the time left,
 * redrawn in place five times a second by a ticker thread; a permanent line for each blob copied, linked or
 * skipped; and, while no blob moves (a daemon loading or saving, a manifest being read), a spinner with the time
 * elapsed.
 */
final class ProgressDisplay extends Progress {
    private static final long TICK_MILLIS = 200;
    private static final int MAX_LIVE_LINES = 12;
    private static final String SPINNER = "|/-\\";

    /** One blob in flight. */
    private static final class Blob {
        final Descriptor descriptor;
        final long start = System.nanoTime();
        long done;

        Blob(Descriptor descriptor) {
            this.descriptor = descriptor;
        }
    }

    private final PrintWriter err;
    private final String activity;
    private final String afterBlobs;
    private final int columns;
    private final long start = System.nanoTime();
    private final Map<Digest, Blob> inFlight = new LinkedHashMap<>();
    private final Thread ticker;
    private int drawn;
    private int ticks;
    private int finished;
    private boolean closed;

    ProgressDisplay(PrintWriter err, String activity, int columns) {
        this(err, activity, activity, columns);
    }

    /**
     * @param activity what the command does while no blob moved yet, e.g. "Reading docker-daemon:app" (a spinner
     *     and the time elapsed follow it)
     * @param afterBlobs what it does once blobs moved and none is in flight, e.g. "Writing docker-daemon:app"
     *     (a daemon loading what it was sent)
     */
    ProgressDisplay(PrintWriter err, String activity, String afterBlobs, int columns) {
        this.err = err;
        this.activity = activity;
        this.afterBlobs = afterBlobs;
        this.columns = columns;
        this.ticker = new Thread(this::tick, "ferry-progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    private void tick() {
        try {
            while (true) {
                Thread.sleep(TICK_MILLIS);
                if (!tickOnce()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** One redraw, as the ticker does five times a second; false once closed. */
    synchronized boolean tickOnce() {
        if (closed) {
            return false;
        }
        ticks++;
        redraw();
        return true;
    }

    @Override
    public synchronized void blobStarted(Descriptor blob) {
        inFlight.put(blob.digest(), new Blob(blob));
    }

    @Override
    public synchronized void blobProgress(Descriptor blob, long bytes) {
        Blob b = inFlight.get(blob.digest());
        if (b != null) {
            b.done += bytes;
        }
    }

    @Override
    public void blobDone(Descriptor blob, boolean skipped) {
        blobFinished(blob, skipped ? Outcome.SKIPPED : Outcome.COPIED);
    }

    @Override
    public synchronized void blobFinished(Descriptor blob, Outcome outcome) {
        Blob b = inFlight.remove(blob.digest());
        finished++;
        String line = verb(outcome) + " " + blob.digest().shortHex() + "  " + human(blob.size());
        if (outcome == Outcome.SKIPPED) {
            line += "  (already present)";
        } else if (b != null) {
            double seconds = Math.max(1e-3, (System.nanoTime() - b.start) / 1e9);
            line += String.format(Locale.ROOT, "  in %.1f s", seconds);
        }
        permanent(line);
    }

    @Override
    public synchronized void note(String message) {
        permanent("ferry: " + message);
    }

    @Override
    public synchronized void attemptDiscarded(long bytes) {
        // the blobs of the copy made again start afresh; the lines of those finished stay, above the note that says so
        inFlight.clear();
        finished = 0;
        redraw();
    }

    @Override
    synchronized void finish(CopyResult result) {
        close();
        err.println(summary(result, start));
        err.flush();
    }

    @Override
    synchronized void finish() {
        close();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            ticker.interrupt();
            clearLive();
            err.flush();
        }
    }

    /** A line above the live ones, kept on screen. */
    private void permanent(String line) {
        if (closed) {
            return;
        }
        clearLive();
        err.println(line); // may wrap: only the live lines below are redrawn
        redraw();
    }

    private void clearLive() {
        if (drawn > 0) {
            err.print("\r\033[" + drawn + "A\033[J");
            drawn = 0;
        }
    }

    private void redraw() {
        if (closed) {
            return;
        }
        List<String> lines = live();
        StringBuilder out = new StringBuilder();
        if (drawn > 0) {
            out.append("\r\033[").append(drawn).append('A');
        }
        for (String line : lines) {
            out.append('\r').append(fit(line)).append("\033[K\n");
        }
        out.append("\033[J");
        err.print(out);
        err.flush();
        drawn = lines.size();
    }

    /** The live lines: each blob in flight, or the spinner when none is. */
    private List<String> live() {
        List<String> lines = new ArrayList<>();
        long now = System.nanoTime();
        if (inFlight.isEmpty()) {
            lines.add(SPINNER.charAt(ticks % SPINNER.length()) + " " + (finished > 0 ? afterBlobs : activity) + "  "
                    + clock((now - start) / 1e9));
            return lines;
        }
        int shown = 0;
        for (Blob b : inFlight.values()) {
            if (shown++ == MAX_LIVE_LINES) {
                lines.add("  ... and " + (inFlight.size() - MAX_LIVE_LINES) + " more blobs");
                break;
            }
            lines.add(line(b, now));
        }
        return lines;
    }

    /** {@code abcdef123456 [#######.........]  45% 12.3 MiB / 27.0 MiB 34.5 MiB/s ETA 0:03}: 80 columns at most. */
    private static String line(Blob b, long now) {
        long size = Math.max(0, b.descriptor.size());
        long done = Math.min(b.done, size);
        int percent = size == 0 ? 100 : (int) (done * 100 / size);
        int width = 16;
        int filled = size == 0 ? width : (int) (done * width / size);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        double seconds = (now - b.start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 && done > 0 ? clock((size - done) / rate) : "--:--";
        return String.format(
                Locale.ROOT,
                "%s [%s] %3d%% %s / %s %s/s ETA %s",
                b.descriptor.digest().shortHex(),
                bar,
                percent,
                human(done),
                human(size),
                human((long) rate),
                eta);
    }

    private static String clock(double seconds) {
        long s = (long) seconds;
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Cut to the terminal's width, so that no line wraps (a wrapped line breaks the redraw). */
    private String fit(String line) {
        return line.length() < columns ? line : line.substring(0, columns - 1);
    }
}
