package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ferry} command as users see it. */
class CliIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void versionAndHelp() {
        assertTrue(Cli.ferry("--version").ok().out().startsWith("ferry "));
        String help = Cli.ferry("--help").ok().out();
        for (String command : new String[] {"transports", "inspect", "copy", "--debug", "--quiet"}) {
            assertTrue(help.contains(command), help);
        }
        assertTrue(Cli.ferry("copy", "--help").ok().out().contains("--platform"));
    }

    @Test
    void transportsListsEachWithItsJar() {
        String out = Cli.ferry("transports").ok().out();
        assertTrue(
                out.lines()
                        .anyMatch(l -> l.startsWith("oci ")
                                && l.contains("read/write")
                                && l.contains("ferry-transport-oci-layout")),
                out);
        assertTrue(
                out.lines().anyMatch(l -> l.startsWith("oci-archive ") && l.contains("oci-archive:PATH[:REF]")), out);
    }

    @Test
    void inspectPrintsTheImage() throws Exception {
        Path layout = Fixtures.umociImage(tmp, "img");
        JsonNode entry = Fixtures.entry(layout, "v2");
        JsonNode manifest = Fixtures.blobJson(layout, entry.path("digest").asText());
        JsonNode json =
                JSON.readTree(Cli.ferry("inspect", "oci:" + layout + ":v2").ok().out());
        assertEquals(entry.path("digest").asText(), json.path("Digest").asText());
        assertEquals(
                "application/vnd.oci.image.manifest.v1+json",
                json.path("MediaType").asText());
        assertEquals("linux", json.path("Os").asText());
        assertEquals("amd64", json.path("Architecture").asText());
        assertTrue(json.path("Created").asText().startsWith("20"));
        assertEquals("/bin/tool", json.path("Cmd").get(0).asText());
        assertTrue(json.path("Env").toString().contains("GREETING=hello"));
        assertEquals("/srv", json.path("WorkingDir").asText());
        assertEquals("1000:1000", json.path("User").asText());
        assertEquals("1", json.path("Labels").path("org.example").asText());
        assertEquals("8080/tcp", json.path("ExposedPorts").get(0).asText());
        assertEquals(2, json.path("Layers").size());
        for (int i = 0; i < 2; i++) {
            JsonNode layer = json.path("LayersData").get(i);
            assertEquals(manifest.path("layers").get(i).path("digest"), layer.path("Digest"));
            assertEquals(
                    manifest.path("layers").get(i).path("digest"),
                    json.path("Layers").get(i));
            assertEquals(manifest.path("layers").get(i).path("size"), layer.path("Size"));
            assertTrue(json.path("DiffIDs").get(i).asText().startsWith("sha256:"));
        }
        assertTrue(json.has("Entrypoint"));
    }

    @Test
    void rawAndConfigPrintTheStoredBytesExactly() throws Exception {
        Path layout = Fixtures.umociImage(tmp, "img");
        String digest = Fixtures.entry(layout, "v2").path("digest").asText();
        byte[] raw = Cli.ferry("inspect", "--raw", "oci:" + layout + ":v2").ok().stdout();
        assertArrayEquals(Files.readAllBytes(Fixtures.blobPath(layout, digest)), raw);
        assertEquals(
                digest, "sha256:" + HexFormat.of().formatHex(Fixtures.sha256().digest(raw)));
        String config =
                Fixtures.blobJson(layout, digest).path("config").path("digest").asText();
        byte[] configBytes =
                Cli.ferry("inspect", "--config", "oci:" + layout + ":v2").ok().stdout();
        assertArrayEquals(Files.readAllBytes(Fixtures.blobPath(layout, config)), configBytes);
        Cli.ferry("inspect", "--raw", "--config", "oci:" + layout + ":v2").fails(2);
    }

    @Test
    void copyPrintsTheDigestOnly() throws Exception {
        Path source = Fixtures.syntheticLayout(tmp.resolve("src"), "latest", 5000);
        String digest = Fixtures.entry(source, "latest").path("digest").asText();
        Cli.Result result = Cli.ferry("copy", "oci:" + source + ":latest", "oci:" + tmp.resolve("out") + ":x")
                .ok();
        assertEquals(digest + "\n", result.out());
        assertEquals("", result.stderr(), "no progress when output is not a terminal");
    }

    @Test
    void copyHardlinksBlobsOnOneFilesystemUnlessToldNotTo() throws Exception {
        Path source = Fixtures.syntheticLayout(tmp.resolve("src"), "latest", 5000);
        String digest = Fixtures.entry(source, "latest").path("digest").asText();
        JsonNode manifest = Fixtures.blobJson(source, digest);
        String layer = manifest.path("layers").get(0).path("digest").asText();
        Cli.ferry("copy", "-q", "oci:" + source + ":latest", "oci:" + tmp.resolve("linked") + ":x")
                .ok();
        Cli.ferry(
                        "copy",
                        "-q",
                        "--no-link",
                        "--jobs",
                        "1",
                        "oci:" + source + ":latest",
                        "oci:" + tmp.resolve("copied") + ":x")
                .ok();
        Object inode = Files.getAttribute(Fixtures.blobPath(source, layer), "unix:ino");
        assertEquals(inode, Files.getAttribute(Fixtures.blobPath(tmp.resolve("linked"), layer), "unix:ino"));
        assertTrue(!inode.equals(Files.getAttribute(Fixtures.blobPath(tmp.resolve("copied"), layer), "unix:ino")));
        assertEquals(
                digest,
                Fixtures.entry(tmp.resolve("linked"), "x").path("digest").asText());
        Cli.ferry("copy", "--jobs", "0", "oci:" + source + ":latest", "oci:" + tmp.resolve("none") + ":x")
                .fails(2, "--jobs");
        assertTrue(!Files.exists(tmp.resolve("none")));
        assertTrue(Cli.ferry("help", "copy").ok().out().contains("--no-link"));
    }

    @Test
    void debugAddsAStackTrace() throws Exception {
        Cli.Result plain = Cli.ferry("inspect", "oci:" + tmp.resolve("missing"));
        plain.fails(1, "not found");
        Cli.Result debug = Cli.ferry("--debug", "inspect", "oci:" + tmp.resolve("missing"));
        assertEquals(1, debug.code());
        assertTrue(debug.stderr().startsWith("ferry: ") && debug.stderr().contains("\tat "), debug.stderr());
    }
}
