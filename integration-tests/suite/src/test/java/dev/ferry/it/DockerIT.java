package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Docker transports against the real daemon, skopeo as the oracle. No mocks. */
class DockerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KINDS =
            List.of("oci", "oci-archive", "docker-archive", "docker-cli", "docker-api");

    @TempDir
    static Path shared;

    static String image;
    static String expectedDiffIds;
    static final List<String> created = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void daemonImage() throws Exception {
        image = Daemon.image();
        expectedDiffIds = Daemon.diffIds(image);
        // The sources, each made by a tool other than Ferry: skopeo for OCI (gzip layers), docker save.
        Peers.run(shared, "skopeo", "copy", "docker-daemon:" + image, "oci:" + shared.resolve("oci") + ":src")
                .ok();
        Peers.run(
                        shared,
                        "skopeo",
                        "copy",
                        "docker-daemon:" + image,
                        "oci-archive:" + shared.resolve("oci.tar") + ":src")
                .ok();
        Peers.run(shared, "docker", "save", "-o", shared.resolve("docker.tar").toString(), image)
                .ok();
    }

    @AfterAll
    static void removeImages() throws Exception {
        Daemon.remove(created.toArray(String[]::new));
    }

    static String source(String kind) {
        return switch (kind) {
            case "oci" -> "oci:" + shared.resolve("oci") + ":src";
            case "oci-archive" -> "oci-archive:" + shared.resolve("oci.tar") + ":src";
            case "docker-archive" -> "docker-archive:" + shared.resolve("docker.tar");
            default -> kind + ":" + image;
        };
    }

    private String destination(String kind, String name) {
        String tag = "ferry-it/" + name + ":1";
        return switch (kind) {
            case "oci" -> "oci:" + tmp.resolve("oci") + ":" + name;
            case "oci-archive" -> "oci-archive:" + tmp.resolve(name + ".tar") + ":" + name;
            case "docker-archive" -> "docker-archive:" + tmp.resolve(name + ".tar") + ":" + tag;
            default -> {
                created.add(tag);
                yield kind + ":" + tag;
            }
        };
    }

    static JsonNode inspect(String reference) throws Exception {
        return JSON.readTree(Cli.ferry("inspect", reference).ok().out());
    }

    static String diffIds(JsonNode inspected) {
        List<String> ids = new ArrayList<>();
        inspected.path("DiffIDs").forEach(id -> ids.add("\"" + id.asText() + "\""));
        return "[" + String.join(",", ids) + "]";
    }

    static Stream<Arguments> pairs() {
        return KINDS.stream().flatMap(from -> KINDS.stream().map(to -> Arguments.of(from, to)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairs")
    void everySourceToEverySink(String from, String to) throws Exception {
        String name = "m-" + from + "-to-" + to;
        String dest = destination(to, name);
        Cli.ferry("copy", "-q", "--tmpdir", tmp.toString(), source(from), dest).ok();
        JsonNode copied = inspect(dest);
        assertEquals(expectedDiffIds, diffIds(copied), "diffIDs never change");
        assertEquals(List.of("/bin/echo", Daemon.OUTPUT), JSON.convertValue(copied.path("Cmd"), List.class));
        assertTrue(copied.path("Env").toString().contains("GREETING=hello"), copied.toString());
        assertEquals(
                "linux/amd64",
                copied.path("Os").asText() + "/" + copied.path("Architecture").asText());
        if (to.startsWith("docker-") && !to.equals("docker-archive")) {
            assertEquals(Daemon.OUTPUT, Daemon.run("ferry-it/" + name + ":1"), "the copied image runs");
        }
        if (to.equals("docker-archive")) {
            Peers.run(tmp, "skopeo", "inspect", dest).ok();
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith(".ferry-")), "no temp file left");
        }
    }

    @Test
    void skopeoAndFerryReadTheDaemonAlike() throws Exception {
        Peers.run(tmp, "skopeo", "copy", "docker-daemon:" + image, "oci:" + tmp.resolve("sk") + ":x")
                .ok();
        Cli.ferry("copy", "-q", "docker-api:" + image, "oci:" + tmp.resolve("fe") + ":x")
                .ok();
        JsonNode bySkopeo = inspect("oci:" + tmp.resolve("sk") + ":x");
        JsonNode byFerry = inspect("oci:" + tmp.resolve("fe") + ":x");
        assertEquals(diffIds(bySkopeo), diffIds(byFerry));
        for (String field : List.of("cmd", "env", "entrypoint", "platform", "created", "labels", "exposedPorts")) {
            assertEquals(bySkopeo.path(field), byFerry.path(field), field);
        }
    }

    @Test
    void dockerArchivesGoBothWaysWithSkopeo() throws Exception {
        Path bySkopeo = tmp.resolve("skopeo.tar");
        Peers.run(tmp, "skopeo", "copy", "docker-daemon:" + image, "docker-archive:" + bySkopeo + ":ferry-it/sk:1")
                .ok();
        assertEquals(expectedDiffIds, diffIds(inspect("docker-archive:" + bySkopeo + ":ferry-it/sk:1")));
        Path byFerry = tmp.resolve("ferry.tar");
        Cli.ferry("copy", "-q", "oci:" + shared.resolve("oci") + ":src", "docker-archive:" + byFerry + ":ferry-it/fe:1")
                .ok();
        assertEquals(
                "[\"ferry-it/fe:1\"]",
                JSON.readTree(Peers.run(tmp, "tar", "-xOf", byFerry.toString(), "manifest.json")
                                .ok()
                                .out())
                        .get(0)
                        .path("RepoTags")
                        .toString());
        Peers.run(tmp, "skopeo", "inspect", "docker-archive:" + byFerry).ok();
        // the OCI config goes into the archive as it is, as skopeo puts it: the image ID is the layout's config digest
        Path skopeoFromOci = tmp.resolve("skopeo-oci.tar");
        Peers.run(
                        tmp,
                        "skopeo",
                        "copy",
                        "oci:" + shared.resolve("oci") + ":src",
                        "docker-archive:" + skopeoFromOci + ":ferry-it/sko:1")
                .ok();
        String configFile = archivedConfig(byFerry);
        assertEquals(archivedConfig(skopeoFromOci), configFile);
        Peers.run(
                        tmp,
                        "skopeo",
                        "copy",
                        "docker-archive:" + byFerry + ":ferry-it/fe:1",
                        "oci:" + tmp.resolve("back") + ":x")
                .ok();
        assertEquals(expectedDiffIds, diffIds(inspect("oci:" + tmp.resolve("back") + ":x")));
        created.add("ferry-it/fe:1");
        Peers.run(tmp, "docker", "load", "-i", byFerry.toString()).ok();
        assertEquals(Daemon.OUTPUT, Daemon.run("ferry-it/fe:1"));
        assertEquals(
                "sha256:" + configFile.replace(".json", ""),
                Peers.run(tmp, "docker", "image", "inspect", "--format", "{{.Id}}", "ferry-it/fe:1")
                        .ok()
                        .out()
                        .strip());
    }

    /** The config file a docker archive's manifest.json names. */
    private String archivedConfig(Path archive) throws Exception {
        return JSON.readTree(Peers.run(tmp, "tar", "-xOf", archive.toString(), "manifest.json")
                        .ok()
                        .out())
                .get(0)
                .path("Config")
                .asText();
    }

    @Test
    void theCliAndTheApiSeeTheSameManifest() throws Exception {
        String viaCli = inspect("docker-cli:" + image).path("Digest").asText();
        String viaApi = inspect("docker-api:" + image).path("Digest").asText();
        assertEquals(viaCli, viaApi);
        String id = Peers.run(tmp, "docker", "image", "inspect", "--format", "{{.Id}}", image)
                .ok()
                .out()
                .strip();
        assertEquals(viaCli, inspect("docker-cli:@" + id).path("Digest").asText());
        assertEquals(viaCli, inspect("docker-api:@" + id).path("Digest").asText());
    }

    @Test
    void dockerDaemonIsTheApiUnlessToldOtherwise() throws Exception {
        assertTrue(Cli.ferry("transports").ok().out().contains("docker-daemon  -> docker-api"));
        assertTrue(Cli.ferry("transports", "--docker-transport", "cli")
                .ok()
                .out()
                .contains("docker-daemon  -> docker-cli"));
        String viaDaemon = inspect("docker-daemon:" + image).path("Reference").asText();
        assertEquals("docker-api:" + image, viaDaemon);
        JsonNode viaCli = JSON.readTree(Cli.ferry("inspect", "--docker-transport", "cli", "docker-daemon:" + image)
                .ok()
                .out());
        assertEquals("docker-cli:" + image, viaCli.path("Reference").asText());
        Cli.ferry("inspect", "--docker-transport", "carrier-pigeon", "docker-daemon:" + image)
                .fails(2, "api or cli");
        // A reference without a prefix, with its transport given apart.
        Cli.ferry(
                        "copy",
                        "-q",
                        "--src-transport",
                        "docker-cli",
                        image,
                        "--dest-transport",
                        "oci",
                        tmp.resolve("plain") + ":x")
                .ok();
        assertEquals(expectedDiffIds, diffIds(inspect("oci:" + tmp.resolve("plain") + ":x")));
    }

    @Test
    void formatAndCompressionOnRequest() throws Exception {
        String zstd = "oci:" + tmp.resolve("z") + ":x";
        Cli.ferry("copy", "-q", "--compress", "zstd", "docker-api:" + image, zstd)
                .ok();
        JsonNode z = inspect(zstd);
        assertEquals(
                "application/vnd.oci.image.layer.v1.tar+zstd",
                z.path("LayersData").get(0).path("MIMEType").asText());
        assertEquals(expectedDiffIds, diffIds(z));
        assertTrue(Peers.run(tmp, "skopeo", "inspect", "--raw", zstd).ok().out().contains("tar+zstd"));
        String gzip = "oci-archive:" + tmp.resolve("g.tar") + ":x";
        Cli.ferry("copy", "-q", "--compress", "gzip", zstd, gzip).ok();
        assertEquals(
                "application/vnd.oci.image.layer.v1.tar+gzip",
                inspect(gzip).path("LayersData").get(0).path("MIMEType").asText());
        String back = "docker-api:ferry-it/from-zstd:1";
        created.add("ferry-it/from-zstd:1");
        Cli.Result toDaemon = Cli.ferry("copy", zstd, back).ok();
        assertTrue(
                toDaemon.stderr().contains("converted") && toDaemon.stderr().contains("zstd to uncompressed"),
                toDaemon.stderr());
        assertEquals(Daemon.OUTPUT, Daemon.run("ferry-it/from-zstd:1"));
        Cli.ferry(
                        "copy",
                        "--format",
                        "v2s2",
                        "--compress",
                        "zstd",
                        "docker-api:" + image,
                        "docker-archive:" + tmp.resolve("never.tar"))
                .fails(1, "zstd");
        Cli.ferry("copy", "--format", "v2s2", "docker-api:" + image, "oci:" + tmp.resolve("v2s2") + ":x")
                .fails(1, "does not store");
        Cli.ferry("copy", "--format", "v3", "docker-api:" + image, "oci:" + tmp.resolve("v3"))
                .fails(2, "v3");
    }

    /** The layers' digests and media types of an inspected image. */
    private static List<String> layers(JsonNode inspected) {
        List<String> layers = new ArrayList<>();
        inspected
                .path("LayersData")
                .forEach(l -> layers.add(
                        l.path("MIMEType").asText() + " " + l.path("Digest").asText()));
        return layers;
    }

    @Test
    void gzipWhileTheSaveStreamsGivesTheLayersARecompressionGives() throws Exception {
        // From a docker archive of the image, the layers are recompressed after the fact (not spooled).
        Path archive = tmp.resolve("save.tar");
        Cli.ferry("copy", "-q", "docker-api:" + image, "docker-archive:" + archive)
                .ok();
        String after = "oci:" + tmp.resolve("gz-after") + ":x";
        Cli.ferry("copy", "-q", "--compress", "gzip", "docker-archive:" + archive, after)
                .ok();
        List<String> expected = layers(inspect(after));
        assertFalse(expected.isEmpty(), "layers read from inspect's LayersData");
        for (String transport : List.of("docker-api", "docker-cli")) {
            String streamed = "oci:" + tmp.resolve("gz-" + transport) + ":x";
            Cli.ferry("copy", "-q", "--compress", "gzip", transport + ":" + image, streamed)
                    .ok();
            JsonNode copied = inspect(streamed);
            assertEquals(expected, layers(copied), transport);
            assertTrue(expected.get(0).startsWith("application/vnd.oci.image.layer.v1.tar+gzip "), expected.get(0));
            assertEquals(expectedDiffIds, diffIds(copied), transport);
            Peers.run(tmp, "skopeo", "copy", "-q", streamed, "oci:" + tmp.resolve("by-skopeo-" + transport) + ":x")
                    .ok();
        }
    }

    @Test
    void badInputGetsAClearErrorAndLeavesNothingBehind() throws Exception {
        int containers = Daemon.containers();
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        String out = "oci:" + tmp.resolve("out") + ":x";
        for (String transport : List.of("docker-cli", "docker-api")) {
            Cli.ferry("copy", "--tmpdir", scratch.toString(), transport + ":ferry-it/no-such-image:1", out)
                    .fails(1, "not found");
            Cli.ferry(
                            "copy",
                            "--tmpdir",
                            scratch.toString(),
                            "--docker-host",
                            "unix:///nonexistent/docker.sock",
                            transport + ":" + image,
                            out)
                    .fails(1, "cannot reach the Docker daemon");
        }
        Cli.ferry("copy", "--docker-binary", "/nonexistent/docker", "docker-cli:" + image, out)
                .fails(1, "cannot run the docker command");
        // A load the daemon rejects: a layer whose bytes match its digest but are not a tar.
        Path layout = tmp.resolve("not-a-tar");
        Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        byte[] garbage = new byte[100_000];
        new Random(5).nextBytes(garbage);
        String layer = Fixtures.writeBlob(
                layout.resolve("blobs/sha256"),
                new String(garbage, StandardCharsets.ISO_8859_1),
                "application/vnd.oci.image.layer.v1.tar");
        String layerDigest = JSON.readTree(layer).path("digest").asText();
        byte[] written = Files.readAllBytes(Fixtures.blobPath(layout, layerDigest));
        String actual = "sha256:" + Fixtures.sha256(Fixtures.blobPath(layout, layerDigest));
        String config = Fixtures.writeBlob(
                layout.resolve("blobs/sha256"),
                "{\"architecture\":\"amd64\",\"os\":\"linux\"," + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                        + actual + "\"]}}",
                "application/vnd.oci.image.config.v1+json");
        String manifest = Fixtures.writeBlob(
                layout.resolve("blobs/sha256"),
                "{\"schemaVersion\":2,\"mediaType\":"
                        + "\"application/vnd.oci.image.manifest.v1+json\",\"config\":" + config + ",\"layers\":["
                        + "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + actual
                        + "\",\"size\":"
                        + written.length + "}]}",
                "application/vnd.oci.image.manifest.v1+json");
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + manifest + "]}");
        for (String transport : List.of("docker-cli", "docker-api")) {
            String tag = "ferry-it/rejected-" + transport + ":1";
            created.add(tag);
            Cli.ferry("copy", "--tmpdir", scratch.toString(), "oci:" + layout, transport + ":" + tag)
                    .fails(1);
            assertFalse(Daemon.exists(tag), "nothing was loaded");
        }
        // A malformed archive.
        Path broken = tmp.resolve("broken.tar");
        Peers.run(tmp, "tar", "-cf", broken.toString(), "-C", layout.toString(), "oci-layout")
                .ok();
        Cli.ferry("copy", "--tmpdir", scratch.toString(), "docker-archive:" + broken, out)
                .fails(1, "manifest.json");
        try (Stream<Path> left = Files.list(scratch)) {
            assertEquals(List.of(), left.toList(), "no temp file left");
        }
        assertFalse(Files.exists(tmp.resolve("out")), "the destination was not created");
        assertEquals(containers, Daemon.containers(), "no container left");
    }
}
