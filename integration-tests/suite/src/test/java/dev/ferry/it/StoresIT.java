package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store commands on what SyncIT's fixture lacks: a multi-arch index (listed with each platform, synced whole
 * with {@code --all} and read back by skopeo), a registry with deletes disabled (one clear line, the image kept), and
 * a docker archive's refs.
 */
class StoresIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String skopeoDigest(Path work, String ref) throws Exception {
        return Peers.run(work, "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", ref)
                .ok()
                .out()
                .strip();
    }

    @Test
    void anIndexIsListedWithEachPlatformAndSyncedWholeWithAll(@TempDir Path work) throws Exception {
        Path layout = Fixtures.umociImage(work, "umoci");
        Path multi = work.resolve("multi");
        String index = Fixtures.multiArch(layout, multi);
        String indexDigest = Fixtures.entry(multi, "multi").path("digest").asText();

        String ls = Cli.ferry("ls", "oci:" + multi).ok().out();
        String line =
                ls.lines().filter(l -> l.startsWith("multi\t")).findFirst().orElseThrow(() -> new AssertionError(ls));
        assertTrue(
                line.contains(indexDigest + "\tapplication/vnd.oci.image.index.v1+json\tlinux/amd64,linux/arm64/v8\t"),
                line);
        JsonNode listed =
                JSON.readTree(Cli.ferry("ls", "--json", "oci:" + multi).ok().out());
        for (JsonNode image : listed) {
            if (image.path("ref").asText().equals("multi")) {
                assertEquals(
                        List.of("linux/amd64", "linux/arm64/v8"),
                        JSON.convertValue(image.path("platforms"), List.class));
            }
        }

        try (RegistryServer source = RegistryServer.plain();
                RegistryServer destination = RegistryServer.plain()) {
            Peers.run(
                            work,
                            "skopeo",
                            "copy",
                            "--all",
                            "--dest-tls-verify=false",
                            "oci:" + multi + ":multi",
                            source.ref("team/multi:all"))
                    .ok();
            Cli.ferry(
                            "sync",
                            "-q",
                            "--all",
                            "--tls-verify=false",
                            source.ref("team/multi"),
                            "docker://" + destination.host() + "/mirror")
                    .ok();
            String mirrored = destination.ref("mirror/multi:all");
            assertEquals(indexDigest, skopeoDigest(work, mirrored), "the index itself, not one of its images");
            assertEquals(
                    index,
                    Peers.run(work, "skopeo", "inspect", "--raw", "--tls-verify=false", mirrored)
                            .ok()
                            .out());
            Peers.run(
                            work,
                            "skopeo",
                            "copy",
                            "--all",
                            "--src-tls-verify=false",
                            mirrored,
                            "oci:" + work.resolve("back") + ":m")
                    .ok(); // every child and blob is there
            int before = destination.logLines();
            String again = Cli.ferry(
                            "sync",
                            "--json",
                            "--all",
                            "--tls-verify=false",
                            source.ref("team/multi"),
                            "docker://" + destination.host() + "/mirror")
                    .ok()
                    .out();
            assertTrue(again.contains("\"unchanged\""), again);
            assertTrue(
                    destination.accessSince(before).stream()
                            .noneMatch(l -> l.contains("\"PUT ") || l.contains("\"POST ") || l.contains("\"PATCH ")),
                    "the second sync writes nothing");
        }
    }

    @Test
    void deleteOnARegistryWithDeletesDisabledSaysSoAndKeepsTheImage(@TempDir Path work) throws Exception {
        Path layout = Fixtures.umociImage(work, "umoci");
        try (RegistryServer registry = RegistryServer.withoutDeletes()) {
            String ref = registry.ref("keep/app:v2");
            Cli.ferry("copy", "-q", "--dest-tls-verify=false", "oci:" + layout + ":v2", ref)
                    .ok();
            String digest = skopeoDigest(work, ref);
            Cli.Result r = Cli.ferry("delete", "--tls-verify=false", ref)
                    .fails(1, "does not allow deleting", "delete: {enabled: true}");
            assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
            assertTrue(r.stderr().startsWith("ferry: "), r.stderr());
            assertTrue(!r.stderr().contains("Exception") && !r.stderr().contains("\tat "), r.stderr());
            assertEquals(digest, skopeoDigest(work, ref), "the image is still there");
        }
    }

    @Test
    void aDockerArchivesRefsAreListed(@TempDir Path work) throws Exception {
        Path layout = Fixtures.umociImage(work, "umoci");
        Path archive = work.resolve("d.tar");
        Cli.ferry("copy", "-q", "oci:" + layout + ":v2", "docker-archive:" + archive + ":example.com/app:v2")
                .ok();
        assertEquals(
                "example.com/app:v2",
                Cli.ferry("list-tags", "docker-archive:" + archive).ok().out().strip());
        String ls = Cli.ferry("ls", "docker-archive:" + archive).ok().out();
        assertTrue(ls.startsWith("example.com/app:v2\tsha256:"), ls);
        assertTrue(ls.contains("\tlinux/amd64\t"), ls);
        // what skopeo reads from the same archive
        Peers.run(
                        work,
                        "skopeo",
                        "copy",
                        "docker-archive:" + archive + ":example.com/app:v2",
                        "oci:" + work.resolve("s") + ":s")
                .ok();
    }
}
