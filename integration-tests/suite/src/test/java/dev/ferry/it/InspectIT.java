package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry inspect} prints what {@code skopeo inspect} prints, key by key, in skopeo's order and layout, for
 * the same images in oci:, oci-archive: and docker://; {@code --format} evaluates skopeo's templates alike; and
 * {@code copy --digestfile} and {@code --json} give what scripts read.
 */
class InspectIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    static Path layout;
    static RegistryServer registry;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryServer.plain();
        layout = Fixtures.umociImage(shared, "umoci");
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    private static String skopeo(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("skopeo", "inspect"));
        command.addAll(List.of(args));
        return Peers.run(shared, command.toArray(String[]::new)).ok().out();
    }

    /** Every key skopeo prints has skopeo's value, in skopeo's order; skopeo's text is a prefix of ours. */
    private static void sameAsSkopeo(String ref, String... options) throws Exception {
        List<String> skopeoArgs = new ArrayList<>(List.of(options));
        skopeoArgs.add(ref);
        String theirs = skopeo(skopeoArgs.toArray(String[]::new));
        List<String> ferryArgs = new ArrayList<>(List.of("inspect"));
        ferryArgs.addAll(List.of(options));
        ferryArgs.add(ref);
        String ours = Cli.ferry(ferryArgs.toArray(String[]::new)).ok().out();
        JsonNode expected = JSON.readTree(theirs);
        JsonNode actual = JSON.readTree(ours);
        List<String> order = new ArrayList<>();
        for (Iterator<String> keys = expected.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            order.add(key);
            assertEquals(
                    expected.get(key), actual.get(key), ref + ": " + key + "\nskopeo: " + theirs + "\nferry: " + ours);
        }
        List<String> ourOrder = new ArrayList<>();
        actual.fieldNames().forEachRemaining(k -> {
            if (order.contains(k)) {
                ourOrder.add(k);
            }
        });
        assertEquals(order, ourOrder, "skopeo's keys in skopeo's order");
        // the same text, byte for byte, up to skopeo's last key (Go's indentation and escaping)
        String head = theirs.strip();
        head = head.substring(0, head.length() - 1).stripTrailing(); // without the closing brace
        assertTrue(ours.startsWith(head), "skopeo:\n" + theirs + "\nferry:\n" + ours);
    }

    @Test
    void ociLayoutAsSkopeo() throws Exception {
        sameAsSkopeo("oci:" + layout + ":v2");
        sameAsSkopeo("oci:" + layout + ":v1");
    }

    @Test
    void ociArchiveAsSkopeo() throws Exception {
        Path archive = shared.resolve("a.tar");
        Cli.ferry("copy", "-q", "oci:" + layout + ":v2", "oci-archive:" + archive + ":v2")
                .ok();
        sameAsSkopeo("oci-archive:" + archive + ":v2");
    }

    @Test
    void registryAsSkopeoWithItsName() throws Exception {
        String ref = registry.ref("inspect/app:v2");
        Cli.ferry("copy", "-q", "--dest-tls-verify=false", "oci:" + layout + ":v2", ref)
                .ok();
        Cli.ferry("copy", "-q", "--tls-verify=false", ref, registry.ref("inspect/app:v2-again"))
                .ok();
        sameAsSkopeo(ref, "--tls-verify=false"); // RepoTags: both tags, as the registry lists them
        assertEquals(
                List.of("v2", "v2-again"),
                JSON.convertValue(
                        JSON.readTree(Cli.ferry("inspect", "--tls-verify=false", ref)
                                        .ok()
                                        .out())
                                .path("RepoTags"),
                        List.class));
        sameAsSkopeo(ref, "--tls-verify=false", "--no-tags"); // RepoTags: []
        JsonNode ours = JSON.readTree(
                Cli.ferry("inspect", "--tls-verify=false", ref).ok().out());
        assertEquals(registry.host() + "/inspect/app", ours.path("Name").asText());
    }

    @Test
    void formatEvaluatesSkopeosTemplates() throws Exception {
        String ref = "oci:" + layout + ":v2";
        for (String template : List.of(
                "{{.Digest}}",
                "{{.Labels}}",
                "{{.Os}}/{{.Architecture}} {{.Created}}",
                "{{.Layers}}",
                "{{.Env}}",
                "{{.Labels.org.example}}")) {
            assertEquals(
                    skopeo("--format", template, ref),
                    Cli.ferry("inspect", "--format", template, ref).ok().out(),
                    template);
        }
        JsonNode layers = JSON.readTree(
                Cli.ferry("inspect", "--format", "{{json .Layers}}", ref).ok().out());
        assertEquals(JSON.readTree(skopeo(ref)).path("Layers"), layers);
        Cli.ferry("inspect", "--format", "{{.Nope}}", ref).fails(2, "can't evaluate field Nope");
        Cli.ferry("inspect", "--format", "{{.Digest", ref).fails(2, "unclosed");
    }

    @Test
    void digestfileAndJsonResults() throws Exception {
        Path digestFile = shared.resolve("digest");
        String ref = "oci:" + shared.resolve("copied") + ":x";
        Cli.Result copy = Cli.ferry(
                        "copy", "--json", "--digestfile", digestFile.toString(), "oci:" + layout + ":v2", ref)
                .ok();
        JsonNode result = JSON.readTree(copy.out());
        String digest = Files.readString(digestFile, StandardCharsets.US_ASCII);
        assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
        assertEquals(digest, result.path("digest").asText());
        assertEquals("copy", result.path("command").asText());
        assertEquals(ref, result.path("destination").asText());
        assertEquals(
                result.path("blobs").path("copied").asInt()
                        + result.path("blobs").path("linked").asInt(),
                3);
        assertEquals(0, result.path("blobs").path("skipped").asInt());
        assertTrue(result.path("seconds").isNumber());
        JsonNode again = JSON.readTree(
                Cli.ferry("copy", "--json", "oci:" + layout + ":v2", ref).ok().out());
        assertEquals(3, again.path("blobs").path("skipped").asInt());
        assertEquals(0, again.path("bytes").asLong());
        JsonNode export = JSON.readTree(
                Cli.ferry("export", "--json", ref, shared.resolve("rootfs.tar").toString())
                        .ok()
                        .out());
        assertEquals("export", export.path("command").asText());
        assertEquals(2, export.path("blobs").path("copied").asInt());
        assertTrue(export.path("digest").isNull());
        Cli.ferry("export", "--json", ref, "-").fails(2, "--json");
        JsonNode bundle = JSON.readTree(
                Cli.ferry("bundle", "--json", ref, shared.resolve("bundle").toString())
                        .ok()
                        .out());
        assertEquals("bundle", bundle.path("command").asText());
        assertEquals(2, bundle.path("blobs").path("copied").asInt(), "the layers read, as for export");
        assertEquals(export.path("bytes").asLong(), bundle.path("bytes").asLong());
    }
}
