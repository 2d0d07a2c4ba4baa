package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gzip layers inflated straight into a docker archive and into the daemon's load (no spool), with the size their
 * gzip trailer gives: a multi-member gzip layer (whose trailer gives its last member's size only) still loads,
 * through both transports and into a file skopeo reads; a layer that is not its diffID, or corrupt, fails the load
 * and leaves no image and no layer in the daemon.
 */
class StreamedLoadIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LAYERDB = Path.of("/var/lib/docker/image/vfs/layerdb/sha256");

    @TempDir
    static Path shared;

    /** The busybox image's layer, uncompressed. */
    static byte[] busybox;

    static final List<String> created = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void layer() throws Exception {
        String image = Daemon.image();
        Path oci = shared.resolve("oci");
        Peers.run(shared, "skopeo", "copy", "docker-daemon:" + image, "oci:" + oci + ":src")
                .ok();
        JsonNode manifest =
                Fixtures.blobJson(oci, Fixtures.entry(oci, "src").path("digest").asText());
        Path layer = Fixtures.blobPath(
                oci, manifest.path("layers").get(0).path("digest").asText());
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(layer))) {
            busybox = in.readAllBytes();
        }
    }

    /** The busybox layer with a file of its own: a layer the daemon cannot have already. */
    static byte[] rootfs() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(busybox));
                TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry entry;
            while ((entry = in.getNextTarEntry()) != null) {
                out.putArchiveEntry(entry);
                in.transferTo(out);
                out.closeArchiveEntry();
            }
            byte[] mark = ("ferry h-load " + UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry own = new TarArchiveEntry("etc/run-mark");
            own.setSize(mark.length);
            out.putArchiveEntry(own);
            out.write(mark);
            out.closeArchiveEntry();
        }
        return tar.toByteArray();
    }

    @AfterAll
    static void removeImages() throws Exception {
        Daemon.remove(created.toArray(String[]::new));
    }

    static byte[] gzip(byte[] bytes, int from, int to) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes, from, to - from);
        }
        return out.toByteArray();
    }

    /** A layout of the busybox image whose one layer is {@code layer}, its config naming {@code configDiffId}. */
    static Path layout(Path dir, byte[] layer, String configDiffId) throws IOException {
        Path oci = shared.resolve("oci");
        JsonNode manifest =
                Fixtures.blobJson(oci, Fixtures.entry(oci, "src").path("digest").asText());
        ObjectNode config = (ObjectNode)
                Fixtures.blobJson(oci, manifest.path("config").path("digest").asText());
        ((ObjectNode) config.path("rootfs")).putArray("diff_ids").add(configDiffId);
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        String layerHex = HexFormat.of().formatHex(Fixtures.sha256().digest(layer));
        Files.write(blobs.resolve(layerHex), layer);
        String configDescriptor =
                Fixtures.writeBlob(blobs, JSON.writeValueAsString(config), "application/vnd.oci.image.config.v1+json");
        String manifestDescriptor = Fixtures.writeBlob(
                blobs,
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                        + configDescriptor + ",\"layers\":[{\"mediaType\":"
                        + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:" + layerHex
                        + "\",\"size\":" + layer.length + "}]}",
                "application/vnd.oci.image.manifest.v1+json");
        Files.writeString(
                dir.resolve("index.json"),
                "{\"schemaVersion\":2,\"manifests\":["
                        + manifestDescriptor.replaceFirst(
                                "}$", ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"x\"}}")
                        + "]}");
        return dir;
    }

    /** A multi-member gzip of the rootfs: a small first member, the rest in the last (whose size the trailer gives). */
    static byte[] multiMember(byte[] rootfs) throws IOException {
        int split = rootfs.length / 10;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(gzip(rootfs, 0, split));
        out.writeBytes(gzip(rootfs, split, rootfs.length));
        return out.toByteArray();
    }

    private static boolean layerInDaemon(String diffId) {
        return Files.isDirectory(LAYERDB.resolve(diffId.substring("sha256:".length())));
    }

    private void noTempFileLeft(Path scratch) throws IOException {
        try (Stream<Path> left = Files.list(scratch)) {
            assertEquals(List.of(), left.toList(), "no temp file left");
        }
    }

    @Test
    void aMultiMemberGzipLayerLoadsThroughBothTransports() throws Exception {
        byte[] rootfs = rootfs();
        String diffId = sha256(rootfs);
        Path layout = layout(tmp.resolve("multi"), multiMember(rootfs), diffId);
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        for (String transport : List.of("docker-api", "docker-cli")) {
            String tag = "ferry-hload-it/multi-" + transport + ":1";
            created.add(tag);
            Cli.Result copied = Cli.ferry(
                            "copy", "--tmpdir", scratch.toString(), "oci:" + layout + ":x", transport + ":" + tag)
                    .ok();
            assertTrue(copied.stderr().contains("again with the size measured"), copied.stderr());
            assertEquals(Daemon.OUTPUT, Daemon.run(tag), "the loaded image runs");
            assertEquals("[\"" + diffId + "\"]", Daemon.diffIds(tag));
            if (Files.isDirectory(LAYERDB)) {
                assertTrue(layerInDaemon(diffId), "the layer, where the failing tests look for it");
            }
            noTempFileLeft(scratch);
        }
    }

    @Test
    void aMultiMemberGzipLayerGoesIntoADockerArchiveSkopeoReads() throws Exception {
        byte[] rootfs = rootfs();
        String diffId = sha256(rootfs);
        Path layout = layout(tmp.resolve("multi"), multiMember(rootfs), diffId);
        Path archive = tmp.resolve("multi.tar");
        Cli.ferry("copy", "-q", "oci:" + layout + ":x", "docker-archive:" + archive + ":ferry-hload-it/a:1")
                .ok();
        assertEquals(
                List.of(diffId),
                JSON.convertValue(
                        JSON.readTree(Peers.run(tmp, "skopeo", "inspect", "docker-archive:" + archive)
                                        .ok()
                                        .out())
                                .path("Layers"),
                        List.class));
        Peers.run(tmp, "skopeo", "copy", "docker-archive:" + archive, "oci:" + tmp.resolve("back") + ":x")
                .ok();
        JsonNode back = Fixtures.blobJson(
                tmp.resolve("back"),
                Fixtures.blobJson(
                                tmp.resolve("back"),
                                Fixtures.entry(tmp.resolve("back"), "x")
                                        .path("digest")
                                        .asText())
                        .path("config")
                        .path("digest")
                        .asText());
        assertEquals(
                "[\"" + diffId + "\"]", back.path("rootfs").path("diff_ids").toString());
    }

    @Test
    void aLayerThatIsNotItsDiffIdLeavesNoImageAndNoLayer() throws Exception {
        // the whole layer streams into the load before the mismatch is known, at its end
        byte[] rootfs = rootfs();
        String diffId = sha256(rootfs);
        String wrong = "sha256:" + "1".repeat(64);
        Path layout = layout(tmp.resolve("wrong"), gzip(rootfs, 0, rootfs.length), wrong);
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        for (String transport : List.of("docker-api", "docker-cli")) {
            String tag = "ferry-hload-it/wrong-" + transport + ":1";
            created.add(tag);
            Cli.ferry("copy", "--tmpdir", scratch.toString(), "oci:" + layout + ":x", transport + ":" + tag)
                    .fails(1, "but the config's diffID is " + wrong);
            assertFalse(Daemon.exists(tag), "nothing tagged");
            if (Files.isDirectory(LAYERDB)) {
                assertFalse(layerInDaemon(diffId), "no layer left in the daemon");
            }
            noTempFileLeft(scratch);
        }
        Path archive = tmp.resolve("wrong.tar");
        Cli.ferry("copy", "oci:" + layout + ":x", "docker-archive:" + archive).fails(1, "diffID");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> !Files.isDirectory(p)).toList(), "no archive, no temp file");
        }
    }

    @Test
    void aCorruptLayerLeavesNoImageAndNoLayer() throws Exception {
        byte[] rootfs = rootfs();
        String diffId = sha256(rootfs);
        byte[] corrupt = gzip(rootfs, 0, rootfs.length);
        corrupt[corrupt.length / 2] ^= 0x55;
        Path layout = layout(tmp.resolve("corrupt"), corrupt, diffId);
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        for (String transport : List.of("docker-api", "docker-cli")) {
            String tag = "ferry-hload-it/corrupt-" + transport + ":1";
            created.add(tag);
            Cli.ferry("copy", "--tmpdir", scratch.toString(), "oci:" + layout + ":x", transport + ":" + tag)
                    .fails(1, "does not decompress");
            assertFalse(Daemon.exists(tag), "nothing tagged");
            if (Files.isDirectory(LAYERDB)) {
                assertFalse(layerInDaemon(diffId), "no layer left in the daemon");
            }
            noTempFileLeft(scratch);
        }
    }

    private static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(Fixtures.sha256().digest(bytes));
    }
}
