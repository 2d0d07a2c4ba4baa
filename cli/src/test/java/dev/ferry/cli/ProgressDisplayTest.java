package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyListener.Outcome;
import dev.ferry.engine.CopyResult;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.MediaTypes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
    private static final long MIB = 1L << 20;

    private static Descriptor blob(String seed, long size) {
        return Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(seed.getBytes(StandardCharsets.UTF_8)), size);
    }

    /** The screen's lines as drawn, escape sequences removed, split at carriage returns and newlines. */
    static List<String> lines(String drawn) {
        return Stream.of(drawn.replaceAll("\033\\[[0-9]*[A-Za-z]", "").split("[\r\n]+"))
                .filter(l -> !l.isBlank())
                .toList();
    }

    @Test
    void parallelBlobsEachHaveTheirOwnCountBarRateAndEta() {
        StringWriter text = new StringWriter();
        ProgressDisplay d = new ProgressDisplay(new PrintWriter(text), "Copying oci:in", 100);
        Descriptor a = blob("a", 150 * MIB);
        Descriptor b = blob("b", 34 * MIB);
        d.blobStarted(a);
        d.blobStarted(b);
        d.blobProgress(a, 50 * MIB);
        d.blobProgress(b, 34 * MIB);
        d.tickOnce();
        String out = text.toString();
        assertTrue(out.contains(a.digest().shortHex() + " [#####...........]  33% 50.0 MiB / 150.0 MiB"), out);
        assertTrue(out.contains(b.digest().shortHex() + " [################] 100% 34.0 MiB / 34.0 MiB"), out);
        assertTrue(out.contains("iB/s ETA 0:00"), out);
        d.blobProgress(a, 100 * MIB);
        d.blobFinished(a, Outcome.COPIED);
        d.blobFinished(b, Outcome.LINKED);
        d.blobFinished(blob("c", 3 * MIB), Outcome.SKIPPED);
        d.finish(new CopyResult(a.digest(), MediaTypes.OCI_MANIFEST, 2, 1, 184 * MIB));
        Matcher percent = Pattern.compile("(\\d+)%").matcher(text.toString());
        while (percent.find()) {
            assertTrue(Integer.parseInt(percent.group(1)) <= 100, text.toString());
        }
        List<String> lines = lines(text.toString());
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.startsWith("Copied  " + a.digest().shortHex() + "  150.0 MiB")),
                out);
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.startsWith("Linked  " + b.digest().shortHex())),
                out);
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("(already present)")), out);
        assertTrue(lines.get(lines.size() - 1).startsWith("Copied 2 blobs (184.0 MiB), skipped 1, in "), out);
    }

    @Test
    void aDiscardedAttemptLeavesNeitherItsBlobsInFlightNorItsBytes() throws Exception {
        StringWriter text = new StringWriter();
        ProgressDisplay d = new ProgressDisplay(new PrintWriter(text), "Copying oci:in", 100);
        JsonResult json = new JsonResult();
        CopyListener counting = json.counting(d);
        Descriptor a = blob("a", 150 * MIB);
        Descriptor b = blob("b", 34 * MIB);
        counting.blobStarted(a);
        counting.blobStarted(b);
        counting.blobProgress(a, 50 * MIB);
        counting.blobProgress(b, 34 * MIB);
        counting.blobFinished(b, Outcome.COPIED);
        // the copy is made again: a's 50 MiB and b's 34 MiB do not count, and a is no longer in flight
        counting.attemptDiscarded(84 * MIB);
        text.getBuffer().setLength(0);
        d.tickOnce();
        assertFalse(text.toString().contains(a.digest().shortHex()), text.toString());
        assertTrue(text.toString().contains("Copying oci:in"), text.toString());
        counting.blobStarted(a);
        counting.blobProgress(a, 150 * MIB);
        counting.blobFinished(a, Outcome.COPIED);
        d.close();
        StringWriter out = new StringWriter();
        json.print(new PrintWriter(out), "export", "oci:in", "out.tar", true);
        assertTrue(out.toString().contains("\"blobs\":{\"copied\":1,"), out.toString());
        assertTrue(out.toString().contains("\"bytes\":" + 150 * MIB + ","), out.toString());
    }

    @Test
    void noBlobInFlightIsASpinnerWithTheTimeElapsed() {
        StringWriter text = new StringWriter();
        ProgressDisplay d = new ProgressDisplay(new PrintWriter(text), "Copying docker-daemon:app", 100);
        d.tickOnce();
        d.close();
        assertTrue(
                lines(text.toString()).stream().anyMatch(l -> l.matches("[|/\\\\-] Copying docker-daemon:app  0:0\\d")),
                text.toString());
    }

    @Test
    void onceBlobsMovedTheSpinnerSaysWhatIsBeingWritten() {
        StringWriter text = new StringWriter();
        ProgressDisplay d =
                new ProgressDisplay(new PrintWriter(text), "Reading oci:in", "Writing docker-daemon:app", 100);
        d.tickOnce();
        Descriptor a = blob("a", MIB);
        d.blobStarted(a);
        d.blobProgress(a, MIB);
        d.blobFinished(a, Outcome.COPIED);
        d.tickOnce();
        d.close();
        List<String> lines = lines(text.toString());
        assertTrue(lines.get(0).matches("[|/\\\\-] Reading oci:in  0:0\\d"), lines.toString());
        assertTrue(
                lines.get(lines.size() - 1).matches("[|/\\\\-] Writing docker-daemon:app  0:0\\d"), lines.toString());
    }

    @Test
    void closingClearsTheLiveLinesAndStopsDrawing() {
        StringWriter text = new StringWriter();
        ProgressDisplay d = new ProgressDisplay(new PrintWriter(text), "Copying x", 100);
        d.blobStarted(blob("a", MIB));
        d.tickOnce();
        d.close();
        int length = text.getBuffer().length();
        assertFalse(d.tickOnce());
        d.note("late");
        assertEquals(length, text.getBuffer().length());
        assertTrue(text.toString().endsWith("\r\033[1A\033[J"), text.toString());
    }

    @Test
    void linesAreCutToTheTerminalWidth() {
        StringWriter text = new StringWriter();
        ProgressDisplay d = new ProgressDisplay(new PrintWriter(text), "Copying " + "x".repeat(200), 60);
        d.tickOnce();
        d.close();
        for (String line : lines(text.toString())) {
            assertTrue(line.length() < 60, line);
        }
    }

    @Test
    void humanSizes() {
        assertEquals("512 B", Progress.human(512));
        assertEquals("1.5 KiB", Progress.human(1536));
        assertEquals("2.0 GiB", Progress.human(2L << 30));
    }
}
