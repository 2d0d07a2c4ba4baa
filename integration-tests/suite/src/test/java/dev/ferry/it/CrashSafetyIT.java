package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy killed with SIGKILL in the middle of writing leaves the destination valid for skopeo and umoci, with its
 * earlier refs intact. Runs the real {@code ./ferry} launcher in a child process with a 128 MiB heap.
 */
class CrashSafetyIT {
    /** Big enough that the copy is still writing when the kill comes. */
    static Path big;

    @TempDir
    Path tmp;

    @BeforeAll
    static void bigImage() {
        big = BigImage.layout();
    }

    private static Process ferry(String... args) throws IOException {
        return BigImage.ferry("-Xmx128m -XX:+UseSerialGC", args);
    }

    /** Kills the copy once {@code partial} shows it is writing. */
    private static void killWhileWriting(Process process, Supplier<Long> written) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (written.get() < (8L << 20)) {
            assertTrue(process.isAlive(), "the copy ended before it could be killed");
            assertTrue(System.nanoTime() < deadline, "the copy never started writing");
            Thread.sleep(2);
        }
        // SIGKILL: no shutdown hook, no finally block runs.
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private static long stagedBytes(Path layout) {
        if (!Files.isDirectory(layout)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(layout)) {
            return walk.filter(p -> p.toString().contains(".ferry-staging-") && Files.isRegularFile(p))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return 0; // files come and go while the copy runs
        }
    }

    @Test
    void killedCopyIntoALayoutLeavesItValid() throws Exception {
        Path dest = tmp.resolve("dest");
        Path small = Fixtures.syntheticLayout(tmp.resolve("small"), "small", 10_000);
        Cli.ferry("copy", "-q", "oci:" + small + ":small", "oci:" + dest + ":earlier")
                .ok();
        byte[] indexBefore = Files.readAllBytes(dest.resolve("index.json"));

        Process copy = ferry("copy", "-q", "oci:" + big + ":big", "oci:" + dest + ":big");
        killWhileWriting(copy, () -> stagedBytes(dest));

        assertArrayEquals(indexBefore, Files.readAllBytes(dest.resolve("index.json")));
        String earlier = Fixtures.entry(small, "small").path("digest").asText();
        assertTrue(Peers.run(tmp, "skopeo", "inspect", "oci:" + dest + ":earlier")
                .ok()
                .out()
                .contains(earlier));
        Peers.run(
                        tmp,
                        "umoci",
                        "unpack",
                        "--rootless",
                        "--image",
                        dest + ":earlier",
                        tmp.resolve("b").toString())
                .ok();
        assertTrue(Files.exists(tmp.resolve("b/rootfs/data/layer-0.bin")));
        // And the interrupted copy can simply be run again.
        assertEquals(
                0,
                ferry("copy", "-q", "oci:" + big + ":big", "oci:" + dest + ":big")
                        .waitFor());
        assertTrue(Peers.run(tmp, "skopeo", "inspect", "oci:" + dest + ":big")
                .ok()
                .out()
                .contains(Fixtures.entry(big, "big").path("digest").asText()));
        Peers.run(tmp, "skopeo", "inspect", "oci:" + dest + ":earlier").ok();
        SpecSchemas.load().assertValidLayout(dest);
        assertEquals(0, stagedBytes(dest), "the next commit removed the killed copy's staging folder");
        try (Stream<Path> entries = Files.list(dest)) {
            assertEquals(
                    List.of("blobs", "index.json", "oci-layout"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void killedCopyIntoAnArchiveLeavesTheOldArchive() throws Exception {
        Path archive = tmp.resolve("image.tar");
        Path small = Fixtures.syntheticLayout(tmp.resolve("small"), "small", 10_000);
        Cli.ferry("copy", "-q", "oci:" + small + ":small", "oci-archive:" + archive + ":earlier")
                .ok();
        String before = Fixtures.sha256(archive);

        Process copy = ferry("copy", "-q", "oci:" + big + ":big", "oci-archive:" + archive + ":big");
        killWhileWriting(copy, () -> {
            try (Stream<Path> files = Files.list(tmp)) {
                return files.filter(p -> p.getFileName().toString().startsWith(".ferry-"))
                        .mapToLong(p -> p.toFile().length())
                        .sum();
            } catch (IOException e) {
                return 0L;
            }
        });

        assertEquals(before, Fixtures.sha256(archive));
        Peers.run(tmp, "skopeo", "inspect", "oci-archive:" + archive + ":earlier")
                .ok();
    }
}
