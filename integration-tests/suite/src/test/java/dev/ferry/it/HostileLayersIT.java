package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers that are not what the config says, or that expand without end: export, bundle and build fail with one
 * line before anything they made becomes visible, and leave nothing behind.
 */
class HostileLayersIT {
    private static final String WRONG = "sha256:" + "0123456789abcdef".repeat(4);

    @TempDir
    Path tmp;

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Export to a file in a folder of its own and bundle into a new folder: both fail, and leave nothing. */
    private void exportAndBundleFail(Path layout, String ref, String[] options, String... fragments)
            throws IOException {
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        String[] export = Stream.concat(Stream.of("export", "--tmpdir", scratch.toString()), Stream.of(options))
                .toArray(String[]::new);
        Cli.ferry(Stream.concat(
                                Stream.of(export),
                                Stream.of(
                                        "oci:" + layout + ":" + ref,
                                        out.resolve("rootfs.tar").toString()))
                        .toArray(String[]::new))
                .fails(1, fragments);
        assertEquals(List.of(), names(out), "no output, no temporary file beside it");
        assertEquals(List.of(), names(scratch), "nothing left in the temporary folder");

        Path bundle = tmp.resolve("bundle");
        Cli.ferry(Stream.concat(
                                Stream.concat(Stream.of("bundle"), Stream.of(options)),
                                Stream.of("oci:" + layout + ":" + ref, bundle.toString()))
                        .toArray(String[]::new))
                .fails(1, fragments);
        assertFalse(Files.exists(bundle), "the bundle folder it made is gone");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Cli.ferry(Stream.concat(
                                Stream.concat(Stream.of("bundle", "--rootless"), Stream.of(options)),
                                Stream.of("oci:" + layout + ":" + ref, empty.toString()))
                        .toArray(String[]::new))
                .fails(1, fragments);
        assertEquals(List.of(), names(empty), "the empty folder it was given is empty again");
    }

    @Test
    void aLayerThatIsNotItsDiffIdIsRefused() throws Exception {
        Path layout = tmp.resolve("layout");
        String actual = StreamedLayers.layout(
                layout,
                "bad",
                tar -> {
                    StreamedLayers.emptyFiles(3000, 1000).write(tar);
                },
                WRONG);
        exportAndBundleFail(layout, "bad", new String[0], "diffid mismatch", "layer 1", WRONG, actual);
    }

    @Test
    void aConfigThatListsAnotherNumberOfDiffIdsIsRefused() throws Exception {
        Path layout = Layers.layout(
                tmp.resolve("layout"),
                "two",
                List.of(new Layers().file("a", 0644, "a"), new Layers().file("b", 0644, "b")));
        // the config lists the first diffID only
        String manifestDigest = Fixtures.entry(layout, "two").path("digest").asText();
        var manifest = Fixtures.blobJson(layout, manifestDigest);
        String configDigest = manifest.path("config").path("digest").asText();
        String config = Files.readString(Fixtures.blobPath(layout, configDigest));
        String oneDiffId = config.replaceFirst("(\"diff_ids\":\\[\"[^\"]+\"),\"[^\"]+\"", "$1");
        assertTrue(!oneDiffId.equals(config));
        String newConfig = Fixtures.writeBlob(
                layout.resolve("blobs/sha256"), oneDiffId, "application/vnd.oci.image.config.v1+json");
        String newManifest = Fixtures.writeBlob(
                layout.resolve("blobs/sha256"),
                new String(Files.readAllBytes(Fixtures.blobPath(layout, manifestDigest)))
                        .replaceFirst(
                                "\\{\"mediaType\":\"application/vnd.oci.image.config.v1\\+json\"[^}]+\\}",
                                newConfig.replace("$", "\\$")),
                "application/vnd.oci.image.manifest.v1+json");
        var entry = (ObjectNode) new ObjectMapper().readTree(newManifest);
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", "two");
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + entry + "]}");
        exportAndBundleFail(layout, "two", new String[0], "has 2 layers but its config lists 1 diffIDs");
    }

    @Test
    void aGzipBombStopsAtTheLimit() throws Exception {
        Path layout = tmp.resolve("bomb");
        StreamedLayers.layout(layout, "bomb", StreamedLayers.zeros("zeros", 200L << 20), null);
        String layer = Fixtures.blobJson(
                        layout, Fixtures.entry(layout, "bomb").path("digest").asText())
                .path("layers")
                .get(0)
                .path("digest")
                .asText();
        assertTrue(Files.size(Fixtures.blobPath(layout, layer)) < 1 << 20, "a small layer");
        exportAndBundleFail(
                layout,
                "bomb",
                new String[] {"--max-layer-size", "100M"},
                "layer " + layer,
                "more than 100M",
                "--max-layer-size");
        // the same layer within the limit is fine
        Path out = tmp.resolve("out/fine.tar");
        Cli.ferry("export", "--max-layer-size", "300M", "oci:" + layout + ":bomb", out.toString())
                .ok();
        assertTrue(Files.size(out) > 200L << 20);
    }

    @Test
    void aSizeThatIsNotOneIsAUsageError() {
        Cli.ferry(
                        "export",
                        "--max-layer-size",
                        "lots",
                        "oci:/nowhere:x",
                        tmp.resolve("x.tar").toString())
                .fails(2, "--max-layer-size", "lots");
    }

    @Test
    void buildRefusesABaseLayerThatIsNotItsDiffId() throws Exception {
        Path layout = tmp.resolve("base");
        StreamedLayers.layout(layout, "bad", StreamedLayers.emptyFiles(10, 5), WRONG);
        Path context = Files.createDirectories(tmp.resolve("context"));
        Files.writeString(context.resolve("hello"), "hello\n");
        // a layout on the same file system: the base layer would be linked, after a read that checks it
        Path dest = tmp.resolve("dest");
        Cli.ferry("build", context.toString(), "--from", "oci:" + layout + ":bad", "--to", "oci:" + dest + ":built")
                .fails(1, "diffid mismatch", WRONG);
        assertFalse(
                Files.exists(dest.resolve("index.json"))
                        && Files.readString(dest.resolve("index.json")).contains("built"),
                "no built ref");
        String layer = Fixtures.blobJson(
                        layout, Fixtures.entry(layout, "bad").path("digest").asText())
                .path("layers")
                .get(0)
                .path("digest")
                .asText();
        assertFalse(Files.exists(Fixtures.blobPath(dest, layer)), "the base layer did not land");
    }
}
