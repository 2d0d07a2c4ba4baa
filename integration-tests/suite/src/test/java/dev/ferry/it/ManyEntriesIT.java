package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory does not grow with the number of entries: a layer of two million empty files (21 MB of gzip) is
 * exported and bundled by the real launcher with a 128 MiB heap, whole. Before the index of paths moved off the
 * heap, export ran out of memory after minutes of garbage collection at this heap, and needed a 2 GiB one.
 */
class ManyEntriesIT {
    private static final int FILES = 2_000_000;
    private static final int PER_FOLDER = 2000;
    private static final String JAVA = "-XX:+UseSerialGC -Xmx128m -XX:+ExitOnOutOfMemoryError";

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static Path layout;

    /** The layout, made once for both tests (about 15 s). */
    private static synchronized Path layout() throws Exception {
        if (layout == null) {
            Path dir = shared.resolve("many");
            StreamedLayers.layout(dir, "many", StreamedLayers.emptyFiles(FILES, PER_FOLDER), null);
            layout = dir;
        }
        return layout;
    }

    /** Runs the real launcher to its end; the child is killed if the test is interrupted (by its timeout). */
    private static void run(Path log, String... args) throws Exception {
        Process p = BigImage.ferry(JAVA, log, args);
        try {
            assertTrue(p.waitFor(40, TimeUnit.MINUTES), "ferry " + String.join(" ", args) + " did not finish");
            assertEquals(0, p.exitValue(), "ferry " + String.join(" ", args) + ": " + Files.readString(log));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // No timing assertion: the timeout only turns a hang into a failure (2M files take minutes on a busy disk).
    @Test
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    void twoMillionEntriesExportWithASmallHeap() throws Exception {
        Path layout = layout();
        int entries = FILES + FILES / PER_FOLDER;
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path tar = out.resolve("rootfs.tar");
        run(
                tmp.resolve("export.log"),
                "export",
                "--tmpdir",
                scratch.toString(),
                "oci:" + layout + ":many",
                tar.toString());
        int count = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tar), 1 << 16);
                TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            while (t.getNextEntry() != null) {
                count++;
            }
        }
        assertEquals(entries, count, "every entry exported");
        assertEquals(List.of(), names(scratch), "no temporary file left");
        Files.delete(tar);
    }

    @Test
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    void twoMillionEntriesBundleWithASmallHeap() throws Exception {
        Path layout = layout();
        int entries = FILES + FILES / PER_FOLDER;
        Path bundle = tmp.resolve("bundle");
        run(tmp.resolve("bundle.log"), "bundle", "-q", "--rootless", "oci:" + layout + ":many", bundle.toString());
        assertEquals(List.of("config.json", "ferry-owners.json", "rootfs"), names(bundle), "no temporary file left");
        long files;
        try (Stream<Path> walk = Files.walk(bundle.resolve("rootfs"))) {
            files = walk.count() - 1;
        }
        assertEquals(entries, files, "every entry unpacked");
        long owners = 0;
        try (JsonParser json = new ObjectMapper()
                .getFactory()
                .createParser(bundle.resolve("ferry-owners.json").toFile())) {
            for (JsonToken token = json.nextToken(); token != null; token = json.nextToken()) {
                if (token == JsonToken.FIELD_NAME) {
                    owners++;
                }
            }
        }
        assertEquals(entries, owners, "an owner recorded for every entry");
    }
}
