package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress as users see it: the real launcher under a pseudo-terminal (script(1), from bsdutils, which every Debian
 * has), in a pipe, and for logs.
 */
class ProgressIT {
    private static final Pattern LIVE =
            Pattern.compile("([0-9a-f]{12}) \\[[#.]+\\] +(\\d+)% ([0-9.]+ [KMGT]?i?B) / ([0-9.]+ [KMGT]?i?B) ");
    private static final Pattern DONE =
            Pattern.compile("^(Copied|Linked|Skipped) +([0-9a-f]{12})  ([0-9.]+ [KMGT]?i?B)");
    private static final Pattern SUMMARY = Pattern.compile("^Copied (\\d+) blobs \\(([^)]+)\\), skipped (\\d+), in ");

    @TempDir
    Path dir;

    private static Path launcher() {
        return Path.of(System.getProperty("ferry.repoRoot", "..")).resolve("ferry");
    }

    /** Runs {@code ferry ARGS} under a pseudo-terminal; returns what the terminal received. */
    private String underTerminal(String... args) throws Exception {
        StringBuilder command = new StringBuilder("\"$FERRY\"");
        List<String> env = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            command.append(" \"$A").append(i).append('"');
            env.add("A" + i);
        }
        Path out = dir.resolve("terminal.txt");
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", command.toString(), "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("script.err").toFile());
        pb.environment().put("SHELL", "/bin/bash");
        pb.environment().put("FERRY", launcher().toString());
        for (int i = 0; i < args.length; i++) {
            pb.environment().put(env.get(i), args[i]);
        }
        int code = pb.start().waitFor();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, code, text + Files.readString(dir.resolve("script.err")));
        return text;
    }

    /** The screen's lines, escape sequences removed, split at carriage returns and newlines. */
    private static List<String> lines(String drawn) {
        List<String> lines = new ArrayList<>();
        for (String line : drawn.replaceAll("\033\\[[0-9]*[A-Za-z]", "").split("[\r\n]+")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static String human(long bytes) {
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

    private static long blobSize(Path layout, String shortHex) throws IOException {
        try (var files = Files.list(layout.resolve("blobs/sha256"))) {
            Path blob = files.filter(f -> f.getFileName().toString().startsWith(shortHex))
                    .findFirst()
                    .orElseThrow();
            return Files.size(blob);
        }
    }

    @Test
    void onATerminalParallelBlobsEachCountTheirOwnBytesAndTheyAddUp() throws Exception {
        Path big = BigImage.layout();
        String screen =
                underTerminal("copy", "-j", "4", "oci:" + big + ":big", "oci-archive:" + dir.resolve("out.tar"));
        List<String> lines = lines(screen);
        int live = 0;
        for (String line : lines) {
            Matcher m = LIVE.matcher(line);
            if (m.find()) {
                live++;
                assertTrue(Integer.parseInt(m.group(2)) <= 100, line);
                long size = blobSize(big, m.group(1));
                assertEquals(human(size), m.group(4), line);
            }
        }
        assertTrue(live > 0, "live progress lines: " + lines);
        long sum = 0;
        int copied = 0;
        for (String line : lines) {
            Matcher m = DONE.matcher(line);
            if (m.find()) {
                assertEquals("Copied", m.group(1), line);
                long size = blobSize(big, m.group(2));
                assertEquals(human(size), m.group(3), line);
                sum += size;
                copied++;
            }
        }
        Matcher summary = lines.stream()
                .map(SUMMARY::matcher)
                .filter(Matcher::find)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no summary: " + lines));
        assertEquals(copied, Integer.parseInt(summary.group(1)), lines.toString());
        assertEquals(human(sum), summary.group(2), lines.toString());
        assertTrue(copied >= 3, "config and two layers: " + lines);
        assertTrue(lines.get(lines.size() - 1).matches("sha256:[0-9a-f]{64}"), lines.toString());
    }

    @Test
    void quietOnATerminalPrintsOnlyTheDigest() throws Exception {
        Path layout = Fixtures.syntheticLayout(dir.resolve("in"), "small", 4096, 1 << 20);
        String screen = underTerminal("copy", "-q", "oci:" + layout + ":small", "oci:" + dir.resolve("out") + ":x");
        List<String> lines = lines(screen);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("sha256:[0-9a-f]{64}"), lines.toString());
    }

    @Test
    void inAPipeStderrStaysEmpty() throws Exception {
        Path layout = Fixtures.syntheticLayout(dir.resolve("in"), "small", 4096, 1 << 20);
        Process process = new ProcessBuilder(
                        launcher().toString(),
                        "copy",
                        "oci:" + layout + ":small",
                        "oci-archive:" + dir.resolve("out.tar"))
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), err);
        assertEquals("", err);
        assertTrue(Files.readString(dir.resolve("stdout")).startsWith("sha256:"));
    }

    @Test
    void plainProgressIsOneLinePerBlobAndASummary() throws Exception {
        Path layout = Fixtures.syntheticLayout(dir.resolve("in"), "small", 4096, 1 << 20);
        Cli.Result result = Cli.ferry(
                        "copy", "--progress=plain", "oci:" + layout + ":small", "oci-archive:" + dir.resolve("o.tar"))
                .ok();
        List<String> lines = result.stderr().lines().toList();
        assertEquals(4, lines.size(), result.stderr()); // config, two layers, summary
        for (String line : lines.subList(0, 3)) {
            assertTrue(line.matches("Copied  sha256:[0-9a-f]{64}  [0-9.]+ [KM]?i?B in [0-9.]+ s \\(.*/s\\)"), line);
        }
        assertTrue(SUMMARY.matcher(lines.get(3)).find(), lines.get(3));
        assertTrue(!result.stderr().contains("\033"), "no escape sequences in logs");
    }

    @Test
    void syncOnATerminalCountsImagesAndBytesAndIsSilentWithQuiet() throws Exception {
        Path layout = Fixtures.syntheticLayout(dir.resolve("in"), "a", 4096, 1 << 20);
        Cli.ferry("copy", "-q", "oci:" + layout + ":a", "oci:" + layout + ":b").ok();
        List<String> lines = lines(underTerminal("sync", "oci:" + layout, "oci:" + dir.resolve("mirror")));
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.matches("images 2/2  [0-9.]+ MB moved of [0-9.]+ MB planned  [0-9.]+ MB/s")),
                lines.toString());
        for (String line : lines) {
            Matcher m = Pattern.compile("^images (\\d+)/(\\d+) ").matcher(line);
            if (m.find()) {
                assertTrue(Integer.parseInt(m.group(1)) <= 2 && m.group(2).equals("2"), line);
            }
        }
        assertTrue(lines.get(lines.size() - 1).startsWith("ferry: synced 2 images: 2 copied"), lines.toString());
        String last = lines.stream()
                .filter(l -> l.startsWith("images 2/2"))
                .reduce((a, b) -> b)
                .orElseThrow();
        Matcher moved =
                Pattern.compile("([0-9.]+) MB moved of ([0-9.]+) MB planned").matcher(last);
        assertTrue(moved.find(), last);
        assertEquals(moved.group(2), moved.group(1), "the shared blobs planned once and moved once: " + last);
        List<String> quiet = lines(underTerminal("sync", "-q", "oci:" + layout, "oci:" + dir.resolve("mirror2")));
        assertEquals(List.of(), quiet, "-q: nothing on the terminal");
    }

    @Test
    void bundleAndExportShowEachLayerOnce() throws Exception {
        Path layout = Fixtures.syntheticLayout(dir.resolve("in"), "small", 4096, 1 << 20);
        for (String[] command : new String[][] {
            {
                "bundle",
                "--progress=plain",
                "oci:" + layout + ":small",
                dir.resolve("b").toString()
            },
            {
                "export",
                "--progress=plain",
                "oci:" + layout + ":small",
                dir.resolve("e.tar").toString()
            }
        }) {
            List<String> lines = Cli.ferry(command).ok().stderr().lines().toList();
            assertEquals(2, lines.size(), command[0] + ": one line per layer: " + lines);
            assertEquals(
                    2,
                    lines.stream()
                            .distinct()
                            .map(l -> l.substring(0, 80))
                            .distinct()
                            .count(),
                    lines.toString());
            for (String line : lines) {
                assertTrue(line.matches("Copied  sha256:[0-9a-f]{64}  [0-9.]+ [KM]?i?B in [0-9.]+ s \\(.*/s\\)"), line);
            }
        }
    }
}
