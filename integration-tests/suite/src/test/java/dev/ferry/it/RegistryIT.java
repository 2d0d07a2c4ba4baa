package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code docker://} transport against the real registry (distribution 2.8, {@link RegistryServer}), with skopeo
 * and the Docker daemon as oracles: what skopeo pushed Ferry pulls with the same digests and the other way round;
 * a second push moves no blob; a copy within one registry mounts; Basic, token and TLS set-ups.
 */
class RegistryIT {
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

    static String layoutDigest(Path layout, String ref) throws Exception {
        return Fixtures.entry(layout, ref).path("digest").asText();
    }

    static String skopeoDigest(String ref, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
        cmd.addAll(List.of(flags));
        cmd.add(ref);
        String raw = Peers.run(Path.of(System.getProperty("java.io.tmpdir")), cmd.toArray(String[]::new))
                .ok()
                .out();
        return "sha256:" + HexFormat.of().formatHex(Fixtures.sha256().digest(raw.getBytes(StandardCharsets.UTF_8)));
    }

    static List<String> diffIds(Path layout, String ref) throws Exception {
        JsonNode manifest = Fixtures.blobJson(layout, layoutDigest(layout, ref));
        JsonNode config =
                Fixtures.blobJson(layout, manifest.path("config").path("digest").asText());
        return JSON.convertValue(config.path("rootfs").path("diff_ids"), List.class);
    }

    @Test
    void skopeoPushesFerryPulls(@TempDir Path work) throws Exception {
        String ref = registry.ref("skopeo-pushed/app:v2");
        Peers.run(work, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":v2", ref)
                .ok();
        Path out = work.resolve("out");
        String printed = Cli.ferry("copy", "--src-tls-verify=false", ref, "oci:" + out + ":v2")
                .ok()
                .out()
                .strip();
        String expected = skopeoDigest(ref, "--tls-verify=false");
        assertEquals(expected, printed);
        assertEquals(expected, layoutDigest(out, "v2"));
        assertEquals(diffIds(layout, "v2"), diffIds(out, "v2"));
        Peers.run(
                        work,
                        "umoci",
                        "unpack",
                        "--rootless",
                        "--image",
                        out + ":v2",
                        work.resolve("bundle").toString())
                .ok();
        assertEquals("hello from umoci\n", Files.readString(work.resolve("bundle/rootfs/etc/greeting")));
    }

    @Test
    void ferryPushesSkopeoPulls(@TempDir Path work) throws Exception {
        String ref = registry.ref("ferry-pushed/app:v2");
        String printed = Cli.ferry("copy", "--dest-tls-verify=false", "oci:" + layout + ":v2", ref)
                .ok()
                .out()
                .strip();
        assertEquals(layoutDigest(layout, "v2"), printed, "the manifest's bytes are kept");
        assertEquals(printed, skopeoDigest(ref, "--tls-verify=false"));
        Path out = work.resolve("out");
        Peers.run(work, "skopeo", "copy", "--src-tls-verify=false", ref, "oci:" + out + ":v2")
                .ok();
        assertEquals(printed, layoutDigest(out, "v2"));
        assertEquals(diffIds(layout, "v2"), diffIds(out, "v2"));
    }

    @Test
    void aRoundTripThroughTheRegistryKeepsTheDigest(@TempDir Path work) throws Exception {
        String ref = registry.ref("round/trip:v1");
        Cli.ferry("copy", "--tls-verify=false", "oci:" + layout + ":v1", ref).ok();
        Path back = work.resolve("back");
        String digest = Cli.ferry("copy", "--tls-verify=false", ref, "oci:" + back + ":v1")
                .ok()
                .out()
                .strip();
        assertEquals(layoutDigest(layout, "v1"), digest);
        assertEquals(layoutDigest(layout, "v1"), layoutDigest(back, "v1"));
    }

    @Test
    void aWholeIndexPushedWithAllIsReadBackBySkopeo(@TempDir Path work) throws Exception {
        Path multi = work.resolve("multi");
        String index = Fixtures.multiArch(layout, multi);
        JsonNode v1 = Fixtures.entry(layout, "v1");
        String indexDigest = Fixtures.entry(multi, "multi").path("digest").asText();
        String ref = registry.ref("multi/app:all");
        int before = registry.logLines();
        assertEquals(
                indexDigest,
                Cli.ferry("copy", "--all", "--dest-tls-verify=false", "oci:" + multi + ":multi", ref)
                        .ok()
                        .out()
                        .strip());
        List<String> pushed = registry.accessSince(before);
        int lastChild = -1;
        int indexPut = -1;
        for (int i = 0; i < pushed.size(); i++) {
            if (pushed.get(i).contains("\"PUT /v2/multi/app/manifests/sha256:")) {
                lastChild = i;
            } else if (pushed.get(i).contains("\"PUT /v2/multi/app/manifests/all ")) {
                indexPut = i;
            }
        }
        assertTrue(lastChild >= 0 && indexPut > lastChild, "children, by digest, before the tagged index: " + pushed);
        assertEquals(
                index,
                Peers.run(work, "skopeo", "inspect", "--raw", "--tls-verify=false", ref)
                        .ok()
                        .out());
        Peers.run(work, "skopeo", "copy", "--all", "--src-tls-verify=false", ref, "oci:" + work.resolve("sk") + ":m")
                .ok();
        assertEquals(
                indexDigest,
                Fixtures.entry(work.resolve("sk"), "m").path("digest").asText());
        assertEquals(
                v1.path("digest").asText(),
                Cli.ferry(
                                "copy",
                                "--platform",
                                "linux/arm64/v8",
                                "--src-tls-verify=false",
                                ref,
                                "oci:" + work.resolve("arm") + ":arm")
                        .ok()
                        .out()
                        .strip());
    }

    @Test
    void aSecondPushMovesNoBlobBytes() throws Exception {
        String ref = registry.ref("again/app:v2");
        Cli.ferry("copy", "--dest-tls-verify=false", "oci:" + layout + ":v2", ref)
                .ok();
        int before = registry.logLines();
        Cli.ferry("copy", "--dest-tls-verify=false", "oci:" + layout + ":v2", registry.ref("again/app:v2b"))
                .ok();
        List<String> second = registry.accessSince(before);
        assertTrue(second.stream().noneMatch(l -> l.contains("/blobs/uploads")), "no upload: " + second);
        assertTrue(second.stream().anyMatch(l -> l.contains("\"HEAD /v2/again/app/blobs/")), "blobs checked");
        assertTrue(second.stream().anyMatch(l -> l.contains("\"PUT /v2/again/app/manifests/v2b")), "tagged");
    }

    @Test
    void aCopyWithinOneRegistryMountsEveryBlob() throws Exception {
        String from = registry.ref("mount/from:v2");
        Cli.ferry("copy", "--dest-tls-verify=false", "oci:" + layout + ":v2", from)
                .ok();
        int before = registry.logLines();
        String digest = Cli.ferry("copy", "--tls-verify=false", from, registry.ref("mount/to:v2"))
                .ok()
                .out()
                .strip();
        assertEquals(layoutDigest(layout, "v2"), digest);
        List<String> copy = registry.accessSince(before);
        long blobs = Fixtures.blobJson(layout, digest).path("layers").size() + 1;
        assertEquals(
                blobs,
                copy.stream()
                        .filter(l -> l.contains("\"POST /v2/mount/to/blobs/uploads/?mount=") && l.contains("\" 201 "))
                        .count(),
                "every blob mounted: " + copy);
        assertTrue(
                copy.stream().noneMatch(l -> l.contains("\"PUT /v2/mount/to/blobs/uploads") || l.contains("\"PATCH ")),
                "no bytes uploaded: " + copy);
        assertTrue(
                copy.stream().noneMatch(l -> l.contains("\"GET /v2/mount/from/blobs/")),
                "no layer downloaded: " + copy);
    }

    @Test
    void inspectReadsOnlyTheManifestAndTheConfig() throws Exception {
        String ref = registry.ref("inspected/app:v2");
        Cli.ferry("copy", "--dest-tls-verify=false", "oci:" + layout + ":v2", ref)
                .ok();
        JsonNode manifest = Fixtures.blobJson(layout, layoutDigest(layout, "v2"));
        int before = registry.logLines();
        JsonNode inspected = JSON.readTree(
                Cli.ferry("inspect", "--tls-verify=false", ref).ok().stdout());
        assertEquals(layoutDigest(layout, "v2"), inspected.path("Digest").asText());
        assertEquals("/bin/tool", inspected.path("Cmd").path(0).asText());
        List<String> requests = registry.accessSince(before);
        for (JsonNode layer : manifest.path("layers")) {
            assertTrue(
                    requests.stream()
                            .noneMatch(l -> l.contains(layer.path("digest").asText())),
                    "layer " + layer.path("digest") + " fetched: " + requests);
        }
        assertTrue(requests.stream()
                .anyMatch(l -> l.contains(manifest.path("config").path("digest").asText())));
    }

    @Test
    void aMissingImageIsOneLine() throws Exception {
        Cli.ferry("inspect", "--tls-verify=false", registry.ref("no/such:image"))
                .fails(1, "not found", "no/such");
        Cli.ferry("copy", "--tls-verify=false", "oci:" + layout + ":v2", "docker://127.0.0.1:9/x:1")
                .fails(1, "127.0.0.1:9");
    }

    @Test
    void plainHttpNeedsTlsVerifyFalse() throws Exception {
        Cli.ferry("copy", "oci:" + layout + ":v1", registry.ref("verify/app:v1"))
                .fails(1, registry.host(), "--tls-verify=false");
    }

    @Test
    void basicAuthWithRightAndWrongCredentials(@TempDir Path work) throws Exception {
        try (RegistryServer basic = RegistryServer.basic("alice", "s3cret-pw")) {
            String ref = basic.ref("private/app:v1");
            Cli.Result none = Cli.ferry("copy", "--dest-tls-verify=false", "oci:" + layout + ":v1", ref)
                    .fails(1, "authentication required for " + basic.host() + "/private/app", "--creds");
            Cli.Result wrong = Cli.ferry(
                            "copy",
                            "--dest-tls-verify=false",
                            "--dest-creds",
                            "alice:wrong-pw",
                            "oci:" + layout + ":v1",
                            ref)
                    .fails(1, "authentication failed", "--creds");
            assertFalse(wrong.stderr().contains("wrong-pw"), wrong.stderr());
            assertFalse(none.stderr().isEmpty());
            String digest = Cli.ferry(
                            "copy",
                            "--dest-tls-verify=false",
                            "--dest-creds",
                            "alice:s3cret-pw",
                            "oci:" + layout + ":v1",
                            ref)
                    .ok()
                    .out()
                    .strip();
            assertEquals(layoutDigest(layout, "v1"), digest);
            Path auth = work.resolve("auth.json");
            Files.writeString(
                    auth,
                    "{\"auths\":{\"" + basic.host() + "\":{\"auth\":\""
                            + Base64.getEncoder().encodeToString("alice:s3cret-pw".getBytes()) + "\"}}}");
            Path out = work.resolve("out");
            Cli.ferry("copy", "--src-tls-verify=false", "--authfile", auth.toString(), ref, "oci:" + out + ":v1")
                    .ok();
            assertEquals(digest, layoutDigest(out, "v1"));
            assertEquals(digest, skopeoDigest(ref, "--tls-verify=false", "--creds", "alice:s3cret-pw"));
        }
    }

    static Cli.Result withStdin(String input, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return Cli.ferry(args);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void loginStoresCredentialsWhereCopyFindsThemAndLogoutRemovesThem(@TempDir Path work) throws Exception {
        try (TokenIssuer issuer = TokenIssuer.start("dora", "login-pw");
                RegistryServer token = RegistryServer.token(issuer)) {
            Path auth = work.resolve("config.json");
            Files.writeString(auth, "{\"auths\":{\"other.example\":{\"auth\":\"eDp5\"}},\"detachKeys\":\"ctrl-x\"}");
            Cli.Result wrong = withStdin(
                            "nope\n",
                            "login",
                            "--tls-verify=false",
                            "--authfile",
                            auth.toString(),
                            "-u",
                            "dora",
                            "--password-stdin",
                            token.host())
                    .fails(1, "authentication failed", token.host());
            assertFalse(wrong.stderr().contains("nope"), wrong.stderr());
            assertFalse(Files.readString(auth).contains(token.host()), "nothing stored after a refused login");
            withStdin(
                            "login-pw\n",
                            "login",
                            "--tls-verify=false",
                            "--authfile",
                            auth.toString(),
                            "-u",
                            "dora",
                            "--password-stdin",
                            token.host())
                    .ok();
            JsonNode stored = JSON.readTree(auth.toFile());
            assertEquals(
                    Base64.getEncoder().encodeToString("dora:login-pw".getBytes()),
                    stored.path("auths").path(token.host()).path("auth").asText());
            assertEquals(
                    "eDp5",
                    stored.path("auths").path("other.example").path("auth").asText(),
                    "others kept");
            assertEquals("ctrl-x", stored.path("detachKeys").asText(), "other settings kept");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(auth)));
            String ref = token.ref("logged/app:v1");
            Cli.ferry("copy", "--tls-verify=false", "--authfile", auth.toString(), "oci:" + layout + ":v1", ref)
                    .ok();
            Cli.ferry("logout", "--authfile", auth.toString(), token.host()).ok();
            assertFalse(Files.readString(auth).contains(token.host()));
            Cli.ferry("inspect", "--tls-verify=false", "--authfile", auth.toString(), ref)
                    .fails(1, "authentication required", "ferry login " + token.host());
            Cli.ferry("logout", "--authfile", auth.toString(), token.host()).fails(1, "not logged in");
        }
    }

    @Test
    void tokenAuthChecksRealTokensAndScopes(@TempDir Path work) throws Exception {
        try (TokenIssuer issuer = TokenIssuer.start("bob", "t0ken-pw");
                RegistryServer token = RegistryServer.token(issuer)) {
            String ref = token.ref("team/app:v2");
            String digest = Cli.ferry(
                            "copy",
                            "--dest-tls-verify=false",
                            "--dest-creds",
                            "bob:t0ken-pw",
                            "oci:" + layout + ":v2",
                            ref)
                    .ok()
                    .out()
                    .strip();
            assertEquals(layoutDigest(layout, "v2"), digest);
            assertTrue(
                    issuer.requests.stream()
                            .anyMatch(q -> q.contains("scope=repository:team/app:pull,push")
                                    && q.contains("service=" + TokenIssuer.SERVICE)),
                    issuer.requests.toString());
            assertTrue(issuer.requests.size() <= 3, "tokens are cached: " + issuer.requests);
            assertEquals(digest, skopeoDigest(ref, "--tls-verify=false", "--creds", "bob:t0ken-pw"));
            Path out = work.resolve("out");
            Cli.ferry("copy", "--src-tls-verify=false", "--src-creds", "bob:t0ken-pw", ref, "oci:" + out + ":v2")
                    .ok();
            assertEquals(digest, layoutDigest(out, "v2"));
            Cli.Result wrong = Cli.ferry("inspect", "--tls-verify=false", "--creds", "bob:nope", ref)
                    .fails(1, "authentication failed", token.host());
            assertFalse(wrong.stderr().contains("nope"), wrong.stderr());
            Cli.ferry("copy", "--tls-verify=false", "--creds", "bob:t0ken-pw", ref, token.ref("other/app:v2"))
                    .ok();
            assertTrue(
                    issuer.requests.stream()
                            .anyMatch(q -> q.contains("repository:team/app:pull")
                                    && q.contains("repository:other/app:pull,push")),
                    "a mount asks for both: " + issuer.requests);
        }
    }

    @Test
    void anExpiredTokenIsReplacedOnTheNext401() throws Exception {
        try (TokenIssuer issuer = TokenIssuer.start("erin", "expiry-pw");
                RegistryServer token = RegistryServer.token(issuer)) {
            Cli.ferry(
                            "copy",
                            "--dest-tls-verify=false",
                            "--dest-creds",
                            "erin:expiry-pw",
                            "oci:" + layout + ":v1",
                            token.ref("expiring/app:v1"))
                    .ok();
            // a token that expires in 1 s while its answer says 300 s: the client keeps it, the registry (which
            // allows 60 s of clock skew) refuses it after 61 s
            issuer.lifetime(1, 300);
            Transport docker = ServiceLoader.load(Transport.class).stream()
                    .map(ServiceLoader.Provider::get)
                    .filter(t -> t.name().equals("docker"))
                    .findFirst()
                    .orElseThrow();
            OpenContext context =
                    OpenContext.defaults().withOption("tls-verify", "false").withOption("creds", "erin:expiry-pw");
            JsonNode manifest = Fixtures.blobJson(layout, layoutDigest(layout, "v1"));
            Descriptor config = Descriptor.of(
                    manifest.path("config").path("mediaType").asText(),
                    Digest.parse(manifest.path("config").path("digest").asText()),
                    manifest.path("config").path("size").asLong());
            try (ImageSource source =
                    docker.parse("//" + token.host() + "/expiring/app:v1").openSource(context)) {
                int before = issuer.requests.size();
                Thread.sleep(63_000); // past exp + the registry's 60 s of leeway, with 2 s to spare
                try (BlobStream blob = source.blob(config)) {
                    VerifyingInputStream.verify(blob.stream(), config).drainAndVerify();
                }
                assertEquals(before + 1, issuer.requests.size(), "one new token: " + issuer.requests);
                assertTrue(
                        token.log().stream().anyMatch(l -> l.contains("\" 401 ") && l.contains("/blobs/")),
                        "the registry refused the expired token first");
            }
        }
    }

    @Test
    void twoWritersOfOneRepositoryUploadASharedBlobOnce() throws Exception {
        Transport docker = ServiceLoader.load(Transport.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(t -> t.name().equals("docker"))
                .findFirst()
                .orElseThrow();
        OpenContext context = OpenContext.defaults().withOption("tls-verify", "false");
        byte[] bytes = new byte[300_000];
        new Random(7).nextBytes(bytes);
        Descriptor blob = Descriptor.of("application/vnd.oci.image.layer.v1.tar", Digest.sha256(bytes), bytes.length);
        try (ImageSink a = docker.parse("//" + registry.host() + "/race/app:a").openSink(context);
                ImageSink b =
                        docker.parse("//" + registry.host() + "/race/app:b").openSink(context)) {
            assertFalse(b.hasBlob(blob), "b looks before a stores it (two images of a sync)");
            a.putBlob(blob, new ByteArrayInputStream(bytes));
            int before = registry.logLines();
            b.putBlob(blob, new ByteArrayInputStream(bytes));
            List<String> log = registry.accessSince(before);
            assertTrue(
                    log.stream().noneMatch(l -> l.contains("/v2/race/app/blobs/uploads/")),
                    "no second upload into the repository: " + log);
            assertTrue(
                    log.stream().anyMatch(l -> l.contains("\"HEAD /v2/race/app/blobs/" + blob.digest())),
                    "asked instead: " + log);
        }
    }

    @Test
    void httpsWithTheTestCaThroughCertDir(@TempDir Path work) throws Exception {
        try (RegistryServer tls = RegistryServer.tls()) {
            String ref = tls.ref("secure/app:v1");
            Cli.ferry("copy", "oci:" + layout + ":v1", ref)
                    .fails(1, "TLS connection to " + tls.host() + " failed", "--cert-dir", "--tls-verify=false");
            String digest = Cli.ferry("copy", "--dest-cert-dir", tls.certDir().toString(), "oci:" + layout + ":v1", ref)
                    .ok()
                    .out()
                    .strip();
            assertEquals(layoutDigest(layout, "v1"), digest);
            assertEquals(digest, skopeoDigest(ref, "--cert-dir", tls.certDir().toString()));
            Path out = work.resolve("out");
            Cli.ferry("copy", "--tls-verify=false", ref, "oci:" + out + ":v1").ok();
            assertEquals(digest, layoutDigest(out, "v1"));
        }
    }

    @Test
    void passesTheConformanceKit(@TempDir Path work) throws Exception {
        // as ConformanceIT runs the others: ./ferry conformance (the kit's memory check forks its own small heap)
        Path output = work.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("ferry.repoRoot", ".."))
                                .resolve("ferry")
                                .toString(),
                        "conformance",
                        "--scratch",
                        work.resolve("scratch").toString(),
                        "docker")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().put("FERRY_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC");
        pb.environment().put("FERRY_CONFORMANCE_REGISTRY", registry.host());
        Process p = pb.start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the kit timed out");
        String out = Files.readString(output);
        assertEquals(0, p.exitValue(), out);
        assertTrue(
                out.strip().lines().reduce((a, b) -> b).orElse("").matches("\\d+ passed, 0 failed(, \\d+ skipped)?"),
                out);
        assertTrue(out.contains("PASS  " + ConformanceIT.MEMORY), out);
    }

    @Test
    void clientCertificatesComeFromTheCertDir(@TempDir Path work) throws Exception {
        try (RegistryServer tls = RegistryServer.mutualTls()) {
            String ref = tls.ref("mtls/app:v1");
            Path caOnly = Files.createDirectories(work.resolve("ca-only"));
            Files.copy(tls.certDir().resolve("ca.crt"), caOnly.resolve("ca.crt"));
            Cli.ferry("copy", "--dest-cert-dir", caOnly.toString(), "oci:" + layout + ":v1", ref)
                    .fails(1, tls.host());
            String digest = Cli.ferry("copy", "--dest-cert-dir", tls.certDir().toString(), "oci:" + layout + ":v1", ref)
                    .ok()
                    .out()
                    .strip();
            assertEquals(layoutDigest(layout, "v1"), digest);
        }
    }

    @Test
    void dockerPullsAndRunsWhatFerryPushed() throws Exception {
        String image = Daemon.image();
        String name = "ferry-it-pushed-" + ProcessHandle.current().pid() + "/busybox:1";
        String pulled = registry.host() + "/" + name;
        try {
            Cli.ferry("copy", "--dest-tls-verify=false", "docker-daemon:" + image, "docker://" + pulled)
                    .ok();
            Peers.run(Path.of("/"), "docker", "pull", pulled).ok();
            assertEquals(Daemon.OUTPUT, Daemon.run(pulled));
            assertEquals(Daemon.diffIds(image), Daemon.diffIds(pulled));
        } finally {
            Daemon.remove(pulled);
        }
    }
}
