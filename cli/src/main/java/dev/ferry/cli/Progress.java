package dev.ferry.cli;

import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyResult;
import dev.ferry.model.Descriptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a command that moves data shows on stderr while it works: live lines on a terminal ({@link ProgressDisplay}),
 * one line per blob for logs ({@code --progress=plain}), or only the notes the user must see (in a pipe). Close it
 * when the command ends, whether it succeeded or not.
 */
abstract class Progress implements CopyListener, AutoCloseable {
    /** {@code --progress}: auto (a terminal gets live lines, anything else only notes), tty, plain, none. */
    enum Mode {
        auto,
        tty,
        plain,
        none
    }

    /** What the user asked for, resolved against where stderr goes. */
    static Progress open(GlobalOptions global, PrintWriter err, String activity) {
        return open(global, err, activity, activity);
    }

    /**
     * As {@link #open(GlobalOptions, PrintWriter, String)}, with what the spinner says before the first blob and
     * after the last one.
     */
    static Progress open(GlobalOptions global, PrintWriter err, String activity, String afterBlobs) {
        Mode mode = global.quiet() ? Mode.none : global.progress();
        if (mode == Mode.auto) {
            mode = global.stderrIsTerminal() ? Mode.tty : Mode.none;
        }
        return switch (mode) {
            case tty -> new ProgressDisplay(err, activity, afterBlobs, Terminal.columns());
            case plain -> new Plain(err);
            case none, auto -> global.quiet() ? new Quiet() : new NotesOnly(err);
        };
    }

    /** The command succeeded with {@code result}: a summary line where progress is shown. */
    void finish(CopyResult result) {}

    /** The command succeeded (no copy result): what is pending is printed. */
    void finish() {}

    @Override
    public void close() {}

    /** The summary of a copy, as the terminal and plain displays print it. */
    static String summary(CopyResult result, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return String.format(
                Locale.ROOT,
                "Copied %d blobs (%s), skipped %d, in %.1f s; manifest %s",
                result.blobsCopied(),
                human(result.bytesCopied()),
                result.blobsSkipped(),
                seconds,
                result.mediaType());
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

    static String verb(Outcome outcome) {
        return switch (outcome) {
            case COPIED -> "Copied ";
            case SKIPPED -> "Skipped";
            case LINKED -> "Linked ";
        };
    }

    /** -q: nothing. */
    static final class Quiet extends Progress {}

    /**
     * Off a terminal: no progress, but what the user must know (conversions) goes to stderr once the command
     * succeeded; a failure stays one line.
     */
    static final class NotesOnly extends Progress {
        private final PrintWriter err;
        private final List<String> notes = new ArrayList<>();

        NotesOnly(PrintWriter err) {
            this.err = err;
        }

        @Override
        public synchronized void note(String message) {
            notes.add(message);
        }

        @Override
        void finish(CopyResult result) {
            finish();
        }

        @Override
        synchronized void finish() {
            notes.forEach(n -> err.println("ferry: " + n));
            notes.clear();
            err.flush();
        }
    }

    /** {@code --progress=plain}, for logs: one line per blob as it finishes, notes as they come, a summary. */
    static final class Plain extends Progress {
        private final PrintWriter err;
        private final long start = System.nanoTime();
        private final Map<Descriptor, Long> started = new HashMap<>();

        Plain(PrintWriter err) {
            this.err = err;
        }

        @Override
        public synchronized void blobStarted(Descriptor blob) {
            started.put(blob, System.nanoTime());
        }

        @Override
        public void blobDone(Descriptor blob, boolean skipped) {
            blobFinished(blob, skipped ? Outcome.SKIPPED : Outcome.COPIED);
        }

        @Override
        public synchronized void blobFinished(Descriptor blob, Outcome outcome) {
            Long since = started.remove(blob);
            String line = verb(outcome) + " " + blob.digest() + "  " + human(blob.size());
            if (outcome == Outcome.SKIPPED) {
                line += " (already present)";
            } else if (since != null) {
                double seconds = Math.max(1e-3, (System.nanoTime() - since) / 1e9);
                line += String.format(Locale.ROOT, " in %.1f s (%s/s)", seconds, human((long) (blob.size() / seconds)));
            }
            err.println(line);
            err.flush();
        }

        @Override
        public synchronized void note(String message) {
            err.println("ferry: " + message);
            err.flush();
        }

        @Override
        public synchronized void attemptDiscarded(long bytes) {
            started.clear();
        }

        @Override
        synchronized void finish(CopyResult result) {
            err.println(summary(result, start));
            err.flush();
        }
    }

    /** Where stderr goes. */
    static final class Terminal {
        private Terminal() {}

        /**
         * Whether file descriptor 2 is a terminal. System.console() answers for stdin and stdout, which is the wrong
         * question: {@code D=$(ferry copy ...)} has a terminal on stderr, {@code ferry copy ... 2>log} has not.
         */
        static boolean stderrIsTerminal() {
            try {
                String target =
                        Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return false;
            }
        }

        /** The terminal's width: COLUMNS when exported, else 80. */
        static int columns() {
            try {
                String columns = System.getenv("COLUMNS");
                return columns == null ? 80 : Math.max(40, Integer.parseInt(columns.strip()));
            } catch (NumberFormatException e) {
                return 80;
            }
        }
    }
}
