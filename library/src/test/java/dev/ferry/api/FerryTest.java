package dev.ferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.build.ImageBuilder;
import dev.ferry.engine.CopyResult;
import dev.ferry.engine.SyncEngine;
import dev.ferry.model.InspectedImage;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.InvalidReferenceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library example of docs/library.md, run as written, against the example image of the repository. */
class FerryTest {
    private static final Path HELLO =
            Path.of("..", "examples", "hello").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void theReadmeExampleRuns() throws Exception {
        Path archive = tmp.resolve("hello.tar");
        Path rootfs = tmp.resolve("rootfs.tar");

        // -- docs/library.md's example, with its paths made private to this test --
        Ferry ferry = Ferry.create(); // the transports on the class path
        CopyResult copied = ferry.copy("oci:" + HELLO + ":latest", "oci-archive:" + archive + ":latest");
        InspectedImage image = ferry.inspect("oci-archive:" + archive + ":latest");
        ferry.export("oci-archive:" + archive + ":latest", rootfs);
        ferry.bundle("oci-archive:" + archive + ":latest", tmp.resolve("bundle"), false);
        // --
        assertTrue(Files.isRegularFile(tmp.resolve("bundle/config.json")));
        assertTrue(Files.isRegularFile(tmp.resolve("bundle/rootfs/usr/share/hello/greeting.txt")));

        assertEquals(copied.manifestDigest(), image.manifest().digest(), "the copy keeps the manifest digest");
        assertEquals(ferry.inspect("oci:" + HELLO + ":latest").manifest().digest(), copied.manifestDigest());
        Set<String> names = new HashSet<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(rootfs), "UTF-8")) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                names.add(e.getName());
            }
        }
        assertTrue(!names.isEmpty(), "the root filesystem has entries");

        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<p>hello</p>");
        ImageBuilder.Options options = new ImageBuilder.Options(
                null, List.of("cat", "/index.html"), Map.of(), Map.of(), null, null, null, Instant.EPOCH);
        CopyResult built =
                ferry.build(site, "oci:" + HELLO + ":latest", "oci:" + tmp.resolve("layout") + ":site", options);
        CopyResult again =
                ferry.build(site, "oci:" + HELLO + ":latest", "oci:" + tmp.resolve("other") + ":site", options);
        assertEquals(built.manifestDigest(), again.manifestDigest(), "the same folder gives the same digest");
        InspectedImage site1 = ferry.inspect("oci:" + tmp.resolve("layout") + ":site");
        assertEquals(List.of("cat", "/index.html"), site1.config().cmd());
        assertEquals(image.image().layers().size() + 1, site1.image().layers().size());
    }

    @Test
    void syncMirrorsEveryRefOnceAndThenNothing() throws Exception {
        Ferry ferry = Ferry.create();
        Path from = tmp.resolve("from");
        ferry.copy("oci:" + HELLO + ":latest", "oci:" + from + ":app:1");
        ferry.copy("oci:" + HELLO + ":latest", "oci:" + from + ":app:2");
        ferry.copy("oci:" + HELLO + ":latest", "oci:" + from + ":tool:1");
        Path mirror = tmp.resolve("mirror");
        List<SyncEngine.Result> first = ferry.sync("oci:" + from, "oci:" + mirror);
        assertEquals(3, first.size());
        for (SyncEngine.Result r : first) {
            assertEquals(SyncEngine.Status.COPIED, r.status(), String.valueOf(r.failure()));
        }
        assertEquals(
                "oci:" + mirror + "/app:1", first.get(0).image().destination().displayName());
        // one destination store per repository; the image of it that copies first (whichever its check finished
        // first) brings the blobs the others share
        assertEquals(
                0,
                Math.min(first.get(0).bytesCopied(), first.get(1).bytesCopied()),
                first.get(0).bytesCopied() + " and " + first.get(1).bytesCopied());
        for (SyncEngine.Result r : ferry.sync("oci:" + from, "oci:" + mirror)) {
            assertEquals(SyncEngine.Status.UNCHANGED, r.status());
        }
        assertEquals(
                ferry.inspect("oci:" + HELLO + ":latest").manifest().digest(),
                ferry.inspect("oci:" + mirror + "/tool:1").manifest().digest());
    }

    @Test
    void theBuiltInTransportsComeWithTheArtifact() throws Exception {
        assertTrue(Ferry.create()
                .transports()
                .keySet()
                .containsAll(Set.of("oci", "oci-archive", "docker-archive", "docker-cli", "docker-api", "docker")));
    }

    @Test
    void failuresAreFerryExceptions() throws Exception {
        Ferry ferry = Ferry.builder().tmpDir(tmp).build();
        assertThrows(InvalidReferenceException.class, () -> ferry.inspect("nonsense"));
        assertThrows(FerryException.class, () -> ferry.inspect("oci:" + tmp.resolve("none") + ":x"));
        assertThrows(
                FerryException.class,
                () -> ferry.export("oci:" + HELLO + ":latest", Path.of("/dev/null")),
                "a device is never replaced");
    }
}
