package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry sync}, {@code list-tags}, {@code ls}, {@code delete} and {@code gc} against two real registries
 * (distribution 2.8, deletes enabled), with skopeo and umoci as oracles: skopeo list-tags prints what Ferry prints;
 * skopeo sync of the same YAML file lands images at the same names with the same digests; each blob is uploaded at
 * most once per destination repository; a second sync moves nothing; a deleted manifest is gone for skopeo; a layout
 * after delete and gc, with writers running meanwhile, reads whole.
 */
class SyncIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] REPOS = {"team/alpha", "team/beta", "gamma"};
    private static final String[] TAGS = {"t0", "t1", "t2"};

    @TempDir
    static Path work;

    static RegistryServer source;
    static RegistryServer destination;
    static Path base;

    @BeforeAll
    static void seed() throws Exception {
        source = RegistryServer.plain();
        destination = RegistryServer.plain();
        Path data = Files.createDirectories(work.resolve("base-data"));
        byte[] bytes = new byte[256 * 1024];
        new Random(7).nextBytes(bytes);
        Files.write(data.resolve("shared.bin"), bytes);
        base = work.resolve("base");
        Path umoci = Fixtures.umociImage(work, "umoci");
        Cli.ferry("build", "--from", "oci:" + umoci + ":v2", "--to", "oci:" + base + ":base", data.toString())
                .ok();
        Path seed = work.resolve("seed");
        for (String repo : REPOS) {
            for (String tag : TAGS) {
                Path ctx = Files.createDirectories(work.resolve("ctx-" + repo.replace('/', '-') + "-" + tag));
                Files.writeString(ctx.resolve("id.txt"), repo + ":" + tag);
                Cli.ferry(
                                "build",
                                "--from",
                                "oci:" + base + ":base",
                                "--to",
                                "oci:" + seed + ":" + repo + ":" + tag,
                                ctx.toString())
                        .ok();
            }
        }
        // layouts -> registry; one image at a time (distribution 2.8 fails a few of many concurrent pushes into one
        // repository)
        Cli.ferry(
                        "sync",
                        "--parallel-images",
                        "1",
                        "--keep-path",
                        "--dest-tls-verify=false",
                        "oci:" + seed,
                        "docker://" + source.host())
                .ok();
    }

    @AfterAll
    static void stop() throws Exception {
        if (source != null) {
            source.close();
        }
        if (destination != null) {
            destination.close();
        }
    }

    private static String skopeo(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("skopeo"));
        cmd.addAll(List.of(args));
        return Peers.run(work, cmd.toArray(String[]::new)).ok().out();
    }

    private static String digest(String ref) throws Exception {
        return skopeo("inspect", "--tls-verify=false", "--format", "{{.Digest}}", ref)
                .strip();
    }

    @Test
    void listTagsPrintsWhatSkopeoPrints() throws Exception {
        for (String repo : REPOS) {
            String ours = Cli.ferry("list-tags", "--json", "--tls-verify=false", source.ref(repo))
                    .ok()
                    .out();
            String theirs = skopeo("list-tags", "--tls-verify=false", source.ref(repo));
            assertEquals(JSON.readTree(theirs), JSON.readTree(ours));
            assertEquals(theirs.strip(), ours.strip(), "same text, not only the same JSON");
        }
        // every page: two tags a page
        System.setProperty("ferry.registry.page-size", "2");
        try {
            String paged = Cli.ferry("list-tags", "--json", "--tls-verify=false", source.ref(REPOS[0]))
                    .ok()
                    .out();
            assertEquals(
                    skopeo("list-tags", "--tls-verify=false", source.ref(REPOS[0]))
                            .strip(),
                    paged.strip());
        } finally {
            System.clearProperty("ferry.registry.page-size");
        }
        System.setProperty("ferry.registry.page-size", "1");
        try {
            String plan = Cli.ferry(
                            "sync",
                            "--dry-run",
                            "--tls-verify=false",
                            "--repos",
                            "^team/",
                            "docker://" + source.host(),
                            destination.ref("plan"))
                    .ok()
                    .out();
            assertEquals(6, plan.strip().split("\n").length, plan);
            assertTrue(
                    plan.contains("copy " + source.ref("team/beta") + ":t1 -> " + destination.ref("plan/beta") + ":t1"),
                    plan);
        } finally {
            System.clearProperty("ferry.registry.page-size");
        }
        assertTrue(source.requests("GET", "/v2/_catalog?") >= 3, "the catalog read page by page");
        assertTrue(source.requests("GET", "/tags/list?") >= 4 * REPOS.length, "tags read page by page");
        assertTrue(
                destination.accessSince(0).stream()
                        .noneMatch(l -> l.contains("/v2/plan/") && !l.contains("\"HEAD ") && !l.contains("\"GET ")),
                "a dry run writes nothing (it reads: lists the tags there, asks for manifests)");
        String ls =
                Cli.ferry("ls", "--tls-verify=false", source.ref(REPOS[0])).ok().out();
        for (String tag : TAGS) {
            assertTrue(ls.contains(tag + "\t" + digest(source.ref(REPOS[0]) + ":" + tag)), ls);
        }
    }

    @Test
    void yamlFileLandsWhereSkopeoSyncPutsItOnceEachBlob() throws Exception {
        Path yaml = work.resolve("sync.yaml");
        Files.writeString(
                yaml,
                source.host() + ":\n"
                        + "  tls-verify: false\n"
                        + "  images:\n"
                        + "    team/alpha: []\n"
                        + "    gamma:\n"
                        + "      - t2\n"
                        + "  images-by-tag-regex:\n"
                        + "    team/beta: ^t[01]$\n");
        int before = destination.logLines();
        Cli.ferry("sync", "--from-file", yaml.toString(), "--dest-tls-verify=false", destination.ref("ferry"))
                .ok();
        List<String> log = destination.accessSince(before);
        skopeo(
                "sync",
                "--src",
                "yaml",
                "--dest",
                "docker",
                "--dest-tls-verify=false",
                yaml.toString(),
                destination.host() + "/skopeo");
        Map<String, List<String>> expected =
                Map.of("alpha", List.of("t0", "t1", "t2"), "beta", List.of("t0", "t1"), "gamma", List.of("t2"));
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            JsonNode ours =
                    JSON.readTree(skopeo("list-tags", "--tls-verify=false", destination.ref("ferry/" + e.getKey())));
            JsonNode theirs =
                    JSON.readTree(skopeo("list-tags", "--tls-verify=false", destination.ref("skopeo/" + e.getKey())));
            assertEquals(sorted(theirs.get("Tags")), sorted(ours.get("Tags")), e.getKey());
            assertEquals(e.getValue(), sorted(ours.get("Tags")), e.getKey());
            String src = e.getKey().equals("gamma") ? "gamma" : "team/" + e.getKey();
            for (String tag : e.getValue()) {
                String want = digest(source.ref(src) + ":" + tag);
                assertEquals(want, digest(destination.ref("ferry/" + e.getKey()) + ":" + tag));
                assertEquals(want, digest(destination.ref("skopeo/" + e.getKey()) + ":" + tag));
            }
        }
        // each blob uploaded at most once into each destination repository
        Pattern put = Pattern.compile("\"PUT /v2/(\\S+)/blobs/uploads/\\S*digest=(sha256(?::|%3A)[0-9a-f]{64})");
        Map<String, Integer> uploads = new HashMap<>();
        for (String line : log) {
            Matcher m = put.matcher(line);
            if (m.find()) {
                uploads.merge(m.group(1) + "@" + m.group(2).replace("%3A", ":"), 1, Integer::sum);
            }
        }
        assertTrue(!uploads.isEmpty(), "the first sync uploads: " + log.size() + " log lines");
        uploads.forEach((k, n) -> assertEquals(1, n, k + " uploaded " + n + " times"));

        // nothing changed: nothing moves
        int again = destination.logLines();
        String second = Cli.ferry(
                        "sync",
                        "--json",
                        "--from-file",
                        yaml.toString(),
                        "--dest-tls-verify=false",
                        destination.ref("ferry"))
                .ok()
                .out();
        for (String line : second.strip().split("\n")) {
            assertEquals("unchanged", JSON.readTree(line).get("status").asText(), line);
        }
        assertEquals(6, second.strip().split("\n").length);
        for (String line : destination.accessSince(again)) {
            assertTrue(!line.contains("/blobs/uploads/") && !line.contains("\"PUT "), line);
        }

        // a moved tag is copied again, alone
        Cli.ferry(
                        "copy",
                        "--src-tls-verify=false",
                        "--dest-tls-verify=false",
                        source.ref("team/alpha") + ":t2",
                        source.ref("team/alpha") + ":t0")
                .ok();
        String third = Cli.ferry(
                        "sync",
                        "--json",
                        "--from-file",
                        yaml.toString(),
                        "--dest-tls-verify=false",
                        destination.ref("ferry"))
                .ok()
                .out();
        int copied = 0;
        for (String line : third.strip().split("\n")) {
            JsonNode node = JSON.readTree(line);
            if (node.get("status").asText().equals("copied")) {
                copied++;
                assertEquals(
                        "docker://" + destination.host() + "/ferry/alpha:t0",
                        node.get("destination").asText());
                assertEquals(0, node.get("bytes").asLong(), "its blobs are there already");
            }
        }
        assertEquals(1, copied, third);
        assertEquals(digest(source.ref("team/alpha") + ":t2"), digest(destination.ref("ferry/alpha") + ":t0"));
    }

    @Test
    void deletedManifestIsGoneForSkopeo() throws Exception {
        Cli.ferry("sync", "--tls-verify=false", "--keep-path", source.ref("gamma"), destination.ref("del"))
                .ok();
        String d = digest(destination.ref("del/gamma") + ":t1");
        String printed = Cli.ferry("delete", "--tls-verify=false", destination.ref("del/gamma") + ":t1")
                .ok()
                .out()
                .strip();
        assertEquals(d, printed);
        Peers.Result r =
                Peers.run(work, "skopeo", "inspect", "--tls-verify=false", destination.ref("del/gamma") + ":t1");
        assertNotEquals(0, r.code(), r.err());
        assertEquals(
                List.of("t0", "t2"),
                sorted(JSON.readTree(skopeo("list-tags", "--tls-verify=false", destination.ref("del/gamma")))
                        .get("Tags")));
    }

    @Test
    void layoutDeleteAndGcWithWritersLoseNothing() throws Exception {
        Path folder = work.resolve("layouts");
        Cli.ferry("sync", "--tls-verify=false", source.ref("team/beta"), "oci:" + folder)
                .ok();
        Path layout = folder.resolve("beta");
        assertEquals(
                "t0\nt1\nt2\n".replace("\n", ","),
                String.join(
                                ",",
                                sortedLines(Cli.ferry("list-tags", "oci:" + layout)
                                        .ok()
                                        .out())) + ",");
        Cli.ferry("delete", "oci:" + layout + ":t1").ok();
        String gc = Cli.ferry("gc", "oci:" + layout).ok().out();
        assertTrue(gc.startsWith("removed 3 blobs"), gc); // t1's manifest, config and own layer
        // writers copy new refs in while gc and delete run
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Cli.Result>> writers = new ArrayList<>();
            for (String repo : REPOS) {
                for (String tag : TAGS) {
                    String ref = repo.replace('/', '-') + "-" + tag;
                    writers.add(pool.submit(() -> Cli.ferry(
                            "copy",
                            "--src-tls-verify=false",
                            source.ref(repo) + ":" + tag,
                            "oci:" + layout + ":" + ref)));
                }
            }
            for (int i = 0; i < 5; i++) {
                Cli.ferry("gc", "oci:" + layout).ok();
            }
            for (Future<Cli.Result> w : writers) {
                w.get().ok();
            }
        } finally {
            pool.shutdownNow();
        }
        Cli.ferry("gc", "oci:" + layout).ok();
        String umoci = Peers.run(work, "umoci", "ls", "--layout", layout.toString())
                .ok()
                .out();
        for (String ref :
                sortedLines(Cli.ferry("list-tags", "oci:" + layout).ok().out())) {
            assertTrue(umoci.contains(ref), umoci);
            Path out = work.resolve("read-" + ref);
            skopeo("copy", "oci:" + layout + ":" + ref, "dir:" + out);
        }
        assertEquals(
                11,
                sortedLines(Cli.ferry("list-tags", "oci:" + layout).ok().out()).size());
    }

    @Test
    void oneBrokenImageFailsAloneAndTheRerunCopiesOnlyIt() throws Exception {
        Path from = work.resolve("broken-from");
        for (String tag : List.of("t0", "t2")) {
            Cli.ferry(
                            "copy",
                            "--src-tls-verify=false",
                            source.ref("gamma") + ":" + tag,
                            "oci:" + from + ":gamma:" + tag)
                    .ok();
        }
        // t1: an image no registry has seen, whose own layer (the last of its manifest) goes missing
        Path ctx = Files.createDirectories(work.resolve("ctx-broken"));
        Files.writeString(ctx.resolve("id.txt"), "seen nowhere else");
        Cli.ferry("build", "--from", "oci:" + base + ":base", "--to", "oci:" + from + ":gamma:t1", ctx.toString())
                .ok();
        JsonNode manifest = Fixtures.blobJson(
                from, Fixtures.entry(from, "gamma:t1").get("digest").asText());
        JsonNode layers = manifest.get("layers");
        Path blob = Fixtures.blobPath(
                from, layers.get(layers.size() - 1).get("digest").asText());
        Path aside = work.resolve("aside");
        Files.move(blob, aside);
        Cli.Result r = Cli.ferry("sync", "--dest-tls-verify=false", "oci:" + from, destination.ref("broken"));
        assertEquals(1, r.code(), r.stderr());
        assertTrue(r.stderr().contains("gamma:t1 -> " + destination.ref("broken/gamma") + ":t1 failed"), r.stderr());
        assertTrue(r.stderr().contains("2 copied, 0 unchanged, 1 failed"), r.stderr());
        Files.move(aside, blob);
        String rerun = Cli.ferry("sync", "--json", "--dest-tls-verify=false", "oci:" + from, destination.ref("broken"))
                .ok()
                .out();
        int copied = 0;
        for (String line : rerun.strip().split("\n")) {
            JsonNode node = JSON.readTree(line);
            if (node.get("status").asText().equals("copied")) {
                copied++;
                assertTrue(node.get("source").asText().endsWith(":gamma:t1"), line);
            }
        }
        assertEquals(1, copied, rerun);
        assertEquals(
                Fixtures.entry(from, "gamma:t1").get("digest").asText(),
                digest(destination.ref("broken/gamma") + ":t1"));
    }

    private static List<String> sorted(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        list.sort(null);
        return list;
    }

    private static List<String> sortedLines(String text) {
        List<String> list = new ArrayList<>(List.of(text.strip().split("\n")));
        list.sort(null);
        return list;
    }
}
