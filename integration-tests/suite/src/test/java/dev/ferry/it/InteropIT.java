package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.spi.support.Gzip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What Ferry writes, skopeo and umoci read; what they write, Ferry reads and copies with digests unchanged. */
class InteropIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    static Path umoci;
    static String v2Digest;

    @TempDir
    Path tmp;

    @BeforeAll
    static void images() throws Exception {
        umoci = Fixtures.umociImage(shared, "umoci");
        v2Digest = Fixtures.entry(umoci, "v2").path("digest").asText();
    }

    private static JsonNode skopeoInspect(Path dir, String ref) throws Exception {
        return JSON.readTree(Peers.run(dir, "skopeo", "inspect", ref).ok().out());
    }

    /**
     * A layer Ferry gzipped with ISA-L (several 512 KiB blocks, compressible and not), read by umoci (Go's gzip,
     * which checks the CRC) and checked by skopeo, then read back by Ferry's own ISA-L inflate (export).
     */
    @Test
    void umociAndSkopeoReadLayersFerryGzippedWithIsal() throws Exception {
        if (Gzip.codec() != Gzip.Codec.ISAL) {
            String message =
                    "ISA-L is not in use (" + Gzip.whyNotIsal() + "); scripts/install-peers.sh installs libisal2";
            if (Peers.ci()) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        Path context = tmp.resolve("context");
        Files.createDirectories(context.resolve("data"));
        byte[] noise = new byte[1_500_000];
        new Random(7).nextBytes(noise);
        Files.write(context.resolve("data/noise.bin"), noise);
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 3_000_000; i++) {
            text.append("line ").append(i % 977).append(" of a layer gzipped by ISA-L\n");
        }
        Files.writeString(context.resolve("data/text.txt"), text);
        Path out = tmp.resolve("built");
        Cli.ferry("build", "-q", context.toString(), "--to", "oci:" + out + ":isal")
                .ok();
        Peers.run(tmp, "skopeo", "copy", "oci:" + out + ":isal", "dir:" + tmp.resolve("by-skopeo"))
                .ok();
        Peers.run(
                        tmp,
                        "umoci",
                        "unpack",
                        "--rootless",
                        "--image",
                        out + ":isal",
                        tmp.resolve("b").toString())
                .ok();
        assertArrayEquals(noise, Files.readAllBytes(tmp.resolve("b/rootfs/data/noise.bin")));
        assertEquals(text.toString(), Files.readString(tmp.resolve("b/rootfs/data/text.txt")));
        Path exported = tmp.resolve("rootfs.tar");
        Cli.ferry("export", "oci:" + out + ":isal", exported.toString()).ok();
        Path unpacked = Files.createDirectories(tmp.resolve("x"));
        Peers.run(tmp, "tar", "-xf", exported.toString(), "-C", unpacked.toString())
                .ok();
        assertArrayEquals(noise, Files.readAllBytes(unpacked.resolve("data/noise.bin")));
        assertEquals(text.toString(), Files.readString(unpacked.resolve("data/text.txt")));
    }

    @Test
    void skopeoAndUmociReadALayoutFerryWrote() throws Exception {
        Path out = tmp.resolve("out");
        String digest = Cli.ferry("copy", "-q", "oci:" + umoci + ":v2", "oci:" + out + ":copied")
                .ok()
                .out()
                .strip();
        assertEquals(v2Digest, digest);
        JsonNode inspected = skopeoInspect(tmp, "oci:" + out + ":copied");
        assertEquals(v2Digest, inspected.path("Digest").asText());
        assertEquals(2, inspected.path("Layers").size());
        Peers.run(tmp, "skopeo", "copy", "oci:" + out + ":copied", "oci:" + tmp.resolve("by-skopeo") + ":x")
                .ok();
        Peers.run(
                        tmp,
                        "umoci",
                        "unpack",
                        "--rootless",
                        "--image",
                        out + ":copied",
                        tmp.resolve("b").toString())
                .ok();
        Path rootfs = tmp.resolve("b/rootfs");
        assertEquals("hello from umoci\n", Files.readString(rootfs.resolve("etc/greeting")));
        assertFalse(Files.exists(rootfs.resolve("etc/doomed")), "the whiteout applied");
        assertEquals(1 << 20, Files.size(rootfs.resolve("bin/tool")));
        assertEquals("tool", Files.readSymbolicLink(rootfs.resolve("bin/link")).toString());
        assertEquals("second layer\n", Files.readString(rootfs.resolve("srv/data/file.txt")));
    }

    @Test
    void skopeoAndUmociReadAnArchiveFerryWrote() throws Exception {
        Path archive = tmp.resolve("image.tar");
        Cli.ferry("copy", "-q", "oci:" + umoci + ":v2", "oci-archive:" + archive + ":v2")
                .ok();
        Cli.ferry("copy", "-q", "oci:" + umoci + ":v1", "oci-archive:" + archive + ":v1")
                .ok();
        assertEquals(
                v2Digest,
                skopeoInspect(tmp, "oci-archive:" + archive + ":v2")
                        .path("Digest")
                        .asText());
        assertEquals(
                Fixtures.entry(umoci, "v1").path("digest").asText(),
                skopeoInspect(tmp, "oci-archive:" + archive + ":v1")
                        .path("Digest")
                        .asText());
        Peers.run(tmp, "skopeo", "copy", "oci-archive:" + archive + ":v2", "oci:" + tmp.resolve("sk") + ":v2")
                .ok();
        assertEquals(
                v2Digest, Fixtures.entry(tmp.resolve("sk"), "v2").path("digest").asText());
        Path extracted = Files.createDirectories(tmp.resolve("extracted"));
        Peers.run(tmp, "tar", "-C", extracted.toString(), "-xf", archive.toString())
                .ok();
        Peers.run(
                        tmp,
                        "umoci",
                        "unpack",
                        "--rootless",
                        "--image",
                        extracted + ":v2",
                        tmp.resolve("b").toString())
                .ok();
        assertTrue(Files.exists(tmp.resolve("b/rootfs/bin/tool")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "uncompressed", "zstd"})
    void ferryReadsAndCopiesWhatSkopeoWrote(String compression) throws Exception {
        Path variant = tmp.resolve("variant");
        switch (compression) {
            case "gzip" ->
                Peers.run(tmp, "skopeo", "copy", "oci:" + umoci + ":v2", "oci:" + variant + ":v")
                        .ok();
            case "zstd" ->
                Peers.run(
                                tmp,
                                "skopeo",
                                "copy",
                                "--dest-compress-format",
                                "zstd",
                                "oci:" + umoci + ":v2",
                                "oci:" + variant + ":v")
                        .ok();
            default -> {
                Peers.run(
                                tmp,
                                "skopeo",
                                "copy",
                                "--dest-decompress",
                                "oci:" + umoci + ":v2",
                                "dir:" + tmp.resolve("dir"))
                        .ok();
                Peers.run(
                                tmp,
                                "skopeo",
                                "copy",
                                "--dest-oci-accept-uncompressed-layers",
                                "dir:" + tmp.resolve("dir"),
                                "oci:" + variant + ":v")
                        .ok();
            }
        }
        String expectedType = switch (compression) {
            case "gzip" -> "application/vnd.oci.image.layer.v1.tar+gzip";
            case "zstd" -> "application/vnd.oci.image.layer.v1.tar+zstd";
            default -> "application/vnd.oci.image.layer.v1.tar";
        };
        String digest = Fixtures.entry(variant, "v").path("digest").asText();
        JsonNode inspected =
                JSON.readTree(Cli.ferry("inspect", "oci:" + variant + ":v").ok().out());
        assertEquals(digest, inspected.path("Digest").asText());
        assertEquals(2, inspected.path("Layers").size());
        for (JsonNode layer : inspected.path("LayersData")) {
            assertEquals(expectedType, layer.path("MIMEType").asText());
        }
        for (JsonNode diffId : inspected.path("DiffIDs")) {
            assertTrue(diffId.asText().startsWith("sha256:"));
        }
        assertEquals(List.of("/bin/tool"), JSON.convertValue(inspected.path("Cmd"), List.class));
        // Copies keep the manifest digest: nothing is converted or re-serialized.
        Path out = tmp.resolve("ferry-out");
        assertEquals(
                digest,
                Cli.ferry("copy", "-q", "oci:" + variant + ":v", "oci:" + out + ":v")
                        .ok()
                        .out()
                        .strip());
        assertEquals(
                digest,
                Cli.ferry("copy", "-q", "oci:" + variant + ":v", "oci-archive:" + tmp.resolve("a.tar") + ":v")
                        .ok()
                        .out()
                        .strip());
        assertEquals(
                digest,
                Cli.ferry(
                                "copy",
                                "-q",
                                "oci-archive:" + tmp.resolve("a.tar") + ":v",
                                "oci:" + tmp.resolve("back") + ":v")
                        .ok()
                        .out()
                        .strip());
        assertArrayEquals(
                Files.readAllBytes(Fixtures.blobPath(variant, digest)),
                Files.readAllBytes(Fixtures.blobPath(tmp.resolve("back"), digest)));
        assertEquals(
                digest, skopeoInspect(tmp, "oci:" + out + ":v").path("Digest").asText());
        Peers.run(tmp, "skopeo", "copy", "oci:" + out + ":v", "dir:" + tmp.resolve("check"))
                .ok();
    }

    @Test
    void ferryReadsAnArchiveSkopeoWrote() throws Exception {
        Path archive = tmp.resolve("skopeo.tar");
        Peers.run(tmp, "skopeo", "copy", "oci:" + umoci + ":v2", "oci-archive:" + archive + ":v2")
                .ok();
        JsonNode inspected = JSON.readTree(
                Cli.ferry("inspect", "oci-archive:" + archive + ":v2").ok().out());
        assertEquals(v2Digest, inspected.path("Digest").asText());
        assertEquals(
                v2Digest,
                Cli.ferry("copy", "-q", "oci-archive:" + archive + ":v2", "oci:" + tmp.resolve("out") + ":v2")
                        .ok()
                        .out()
                        .strip());
        // Without a ref: the only image.
        assertEquals(
                v2Digest,
                JSON.readTree(Cli.ferry("inspect", "oci-archive:" + archive)
                                .ok()
                                .out())
                        .path("Digest")
                        .asText());
    }

    @Test
    void aWholeIndexCopiesWithAllAndSkopeoReadsIt() throws Exception {
        Path layout = tmp.resolve("multi");
        String index = Fixtures.multiArch(umoci, layout);
        JsonNode v1 = Fixtures.entry(umoci, "v1");
        JsonNode v2 = Fixtures.entry(umoci, "v2");
        String indexDigest = Fixtures.entry(layout, "multi").path("digest").asText();

        Path out = tmp.resolve("out");
        assertEquals(
                indexDigest,
                Cli.ferry("copy", "-q", "--all", "oci:" + layout + ":multi", "oci:" + out + ":multi")
                        .ok()
                        .out()
                        .strip());
        assertEquals(
                index,
                Peers.run(tmp, "skopeo", "inspect", "--raw", "oci:" + out + ":multi")
                        .ok()
                        .out());
        Peers.run(tmp, "skopeo", "copy", "--all", "oci:" + out + ":multi", "oci:" + tmp.resolve("sk") + ":m")
                .ok();
        assertEquals(
                indexDigest,
                Fixtures.entry(tmp.resolve("sk"), "m").path("digest").asText());
        // One platform out of the index.
        assertEquals(
                v1.path("digest").asText(),
                Cli.ferry(
                                "copy",
                                "-q",
                                "--platform",
                                "linux/arm64",
                                "oci:" + out + ":multi",
                                "oci-archive:" + tmp.resolve("arm.tar") + ":arm")
                        .ok()
                        .out()
                        .strip());
        JsonNode inspected = JSON.readTree(Cli.ferry("inspect", "--platform", "linux/amd64", "oci:" + out + ":multi")
                .ok()
                .out());
        assertEquals(
                v2.path("digest").asText(),
                inspected.path("Manifest").path("Digest").asText());
        assertEquals(indexDigest, inspected.path("Digest").asText(), "the index's, as skopeo's");
        Cli.ferry("copy", "--platform", "linux/s390x", "oci:" + out + ":multi", "oci:" + tmp.resolve("none") + ":x")
                .fails(1, "linux/s390x", "linux/amd64", "linux/arm64/v8");
    }
}
