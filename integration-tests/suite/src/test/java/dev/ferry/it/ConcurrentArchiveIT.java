package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several {@code ./ferry} processes copying different refs into one {@code oci-archive:} at once: every ref lands
 * (they took the archive's lock at commit and merged what landed meanwhile), and skopeo and umoci read each.
 */
class ConcurrentArchiveIT {
    private static final int WRITERS = 4;
    private static final int ROUNDS = 3;

    @TempDir
    Path tmp;

    @Test
    void concurrentCopiesIntoOneArchiveAllLand() throws Exception {
        // the launcher makes its start-up archive on its first run: once, before the writers start together
        assertEquals(0, BigImage.ferry("", "--version").waitFor());
        List<Path> sources = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            // different sizes, so different images; a few MiB, so the copies overlap
            Path layout = Fixtures.syntheticLayout(tmp.resolve("src" + i), "img", 1000 + i, (4L << 20) + i);
            sources.add(layout);
            digests.add(Fixtures.entry(layout, "img").path("digest").asText());
        }
        for (int round = 0; round < ROUNDS; round++) {
            Path dir = Files.createDirectories(tmp.resolve("round" + round));
            Path archive = dir.resolve("image.tar");
            List<Process> copies = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                Path log = dir.resolve("../log-" + round + "-" + i).normalize();
                logs.add(log);
                copies.add(BigImage.ferry(
                        "-XX:+UseSerialGC -Xmx128m",
                        log,
                        "copy",
                        "-q",
                        "oci:" + sources.get(i) + ":img",
                        "oci-archive:" + archive + ":ref" + i));
            }
            for (int i = 0; i < WRITERS; i++) {
                assertTrue(copies.get(i).waitFor(120, TimeUnit.SECONDS), "copy " + i + " ended");
                assertEquals(
                        0,
                        copies.get(i).exitValue(),
                        "round " + round + ", copy " + i + ": " + Files.readString(logs.get(i)));
            }
            Path unpacked = dir.resolve("unpacked");
            Files.createDirectories(unpacked);
            Peers.run(tmp, "tar", "-xf", archive.toString(), "-C", unpacked.toString())
                    .ok();
            String listed = Peers.run(tmp, "umoci", "ls", "--layout", unpacked.toString())
                    .ok()
                    .out();
            for (int i = 0; i < WRITERS; i++) {
                String inspected = Peers.run(tmp, "skopeo", "inspect", "--raw", "oci-archive:" + archive + ":ref" + i)
                        .ok()
                        .out();
                assertTrue(inspected.contains("layers"), "round " + round + ": ref" + i + " is an image");
                assertTrue(
                        listed.lines().anyMatch(("ref" + i)::equals),
                        "round " + round + ": umoci lists ref" + i + ": " + listed);
                Peers.run(tmp, "umoci", "stat", "--image", unpacked + ":ref" + i)
                        .ok();
                String digest = Peers.run(
                                tmp,
                                "skopeo",
                                "inspect",
                                "--format",
                                "{{.Digest}}",
                                "oci-archive:" + archive + ":ref" + i)
                        .ok()
                        .out()
                        .strip();
                assertEquals(digests.get(i), digest, "round " + round + ": ref" + i + " is image " + i);
            }
            try (Stream<Path> left = Files.list(dir)) {
                assertEquals(
                        List.of(".image.tar.ferry-lock", "image.tar", "unpacked"),
                        left.map(p -> p.getFileName().toString()).sorted().toList(),
                        "round " + round + ": no temporary file left beside the archive");
            }
        }
    }
}
