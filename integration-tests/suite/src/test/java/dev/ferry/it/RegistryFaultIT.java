package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.support.VerifyingInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry transport through a {@link FaultProxy}: broken downloads and uploads resume where they broke (the bytes
 * that cross the proxy are counted: nothing is sent twice), 503 and 429 are tried again, a flipped byte fails the
 * copy with nothing tagged, a 5 MiB manifest is refused, and a redirect to another origin gets no credentials.
 */
class RegistryFaultIT {
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path shared;

    static RegistryServer registry;
    static Path big;
    static long imageBytes;
    static String layer;
    static long layerSize;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryServer.plain();
        // 20 MiB of random bytes: streamed in one PATCH, more than the 8 MiB an upload keeps to resume
        big = Fixtures.syntheticLayout(shared.resolve("big"), "v1", 20 * MIB);
        JsonNode entry = Fixtures.entry(big, "v1");
        JsonNode manifest = Fixtures.blobJson(big, entry.path("digest").asText());
        layer = manifest.path("layers").path(0).path("digest").asText();
        layerSize = manifest.path("layers").path(0).path("size").asLong();
        imageBytes = entry.path("size").asLong()
                + layerSize
                + manifest.path("config").path("size").asLong();
        Cli.ferry("copy", "--dest-tls-verify=false", "oci:" + big + ":v1", registry.ref("big/app:v1"))
                .ok();
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void aBrokenDownloadResumesWhereItBroke(@TempDir Path work) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.cutResponse("GET", "/blobs/" + layer, 5 * MIB);
            Path out = work.resolve("out");
            String digest = Cli.ferry(
                            "copy",
                            "--src-tls-verify=false",
                            "--retry-delay",
                            "10ms",
                            proxy.ref("big/app:v1"),
                            "oci:" + out + ":v1")
                    .ok()
                    .out()
                    .strip();
            assertEquals(Fixtures.entry(big, "v1").path("digest").asText(), digest);
            assertEquals(
                    Fixtures.sha256(Fixtures.blobPath(big, layer)), Fixtures.sha256(Fixtures.blobPath(out, layer)));
            assertTrue(proxy.fired.contains("response cut after " + 5 * MIB + " bytes"), proxy.fired.toString());
            assertEquals(
                    2,
                    proxy.seen.stream()
                            .filter(s -> s.equals("GET /v2/big/app/blobs/" + layer))
                            .count());
            // resumed from what had arrived, not restarted: the bytes sent twice are only those the cut lost in flight
            long resumedAt = proxy.resumedAt("/v2/big/app/blobs/" + layer);
            assertTrue(resumedAt > 0 && resumedAt <= 5 * MIB, "resumed at " + resumedAt);
            assertEquals(
                    imageBytes + (5 * MIB - resumedAt), proxy.bytesDown.get(), "bytes down, resumed at " + resumedAt);
        }
    }

    @Test
    void aStalledDownloadIsTakenAsBrokenAndResumed() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.stallResponse("GET", "/blobs/" + layer, 2 * MIB, 60_000);
            Transport docker = ServiceLoader.load(Transport.class).stream()
                    .map(ServiceLoader.Provider::get)
                    .filter(t -> t.name().equals("docker"))
                    .findFirst()
                    .orElseThrow();
            OpenContext context = OpenContext.defaults()
                    .withOption("tls-verify", "false")
                    .withOption("stall-timeout", "1s")
                    .withOption("retry-delay", "10ms");
            Descriptor descriptor =
                    Descriptor.of("application/vnd.oci.image.layer.v1.tar", Digest.parse(layer), layerSize);
            try (ImageSource source =
                            docker.parse("//" + proxy.host() + "/big/app:v1").openSource(context);
                    BlobStream blob = source.blob(descriptor)) {
                VerifyingInputStream.verify(blob.stream(), descriptor).drainAndVerify();
            }
            assertTrue(proxy.fired.contains("response stalled after " + 2 * MIB + " bytes"), proxy.fired.toString());
            long resumedAt = proxy.resumedAt("/v2/big/app/blobs/" + layer);
            assertTrue(resumedAt > 0 && resumedAt <= 2 * MIB, "resumed at " + resumedAt);
            assertEquals(
                    layerSize + Fixtures.entry(big, "v1").path("size").asLong() + (2 * MIB - resumedAt),
                    proxy.bytesDown.get(),
                    "resumed at " + resumedAt + ", not restarted");
        }
    }

    @Test
    void anUploadTheRegistryTookPartOfFailsTheCopyAndTagsNothing() throws Exception {
        // distribution 2.8 drops an upload whose state no longer matches what it holds, so this one cannot resume
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.breakUpload("/v2/halfway/app/blobs/uploads/", true);
            Cli.ferry(
                            "copy",
                            "--dest-tls-verify=false",
                            "--retry-delay",
                            "10ms",
                            "oci:" + big + ":v1",
                            proxy.ref("halfway/app:v1"))
                    .fails(1, "upload");
            Cli.ferry("inspect", "--tls-verify=false", registry.ref("halfway/app:v1"))
                    .fails(1, "not found");
        }
    }

    @Test
    void aBrokenUploadResumesFromWhatTheRegistryAcknowledged() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.breakUpload("/v2/resumed/app/blobs/uploads/", false);
            String digest = Cli.ferry(
                            "copy",
                            "--dest-tls-verify=false",
                            "--retry-delay",
                            "10ms",
                            "oci:" + big + ":v1",
                            proxy.ref("resumed/app:v1"))
                    .ok()
                    .out()
                    .strip();
            assertEquals(Fixtures.entry(big, "v1").path("digest").asText(), digest);
            assertTrue(proxy.fired.stream().anyMatch(f -> f.contains("dropped")), proxy.fired.toString());
            assertTrue(
                    proxy.seen.stream().anyMatch(s -> s.startsWith("GET /v2/resumed/app/blobs/uploads/")),
                    "asked what the registry holds: " + proxy.seen);
            assertEquals(imageBytes, proxy.bytesUp.get(), "every byte reached the registry once");
            assertEquals(
                    2, proxy.seen.stream().filter(s -> s.startsWith("PATCH ")).count(), proxy.seen.toString());
            assertEquals(digest, RegistryIT.skopeoDigest(registry.ref("resumed/app:v1"), "--tls-verify=false"));
        }
    }

    @Test
    void unavailableAndTooManyRequestsAreTriedAgain(@TempDir Path work) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.status("GET", "/manifests/v1", 503, null);
            proxy.status("GET", "/blobs/" + layer, 429, "0");
            proxy.status("HEAD", "/blobs/", 502, null);
            String digest = Cli.ferry(
                            "copy",
                            "--tls-verify=false",
                            "--retry-delay",
                            "10ms",
                            proxy.ref("big/app:v1"),
                            "oci:" + work.resolve("out") + ":v1")
                    .ok()
                    .out()
                    .strip();
            assertEquals(Fixtures.entry(big, "v1").path("digest").asText(), digest);
            assertTrue(proxy.fired.size() >= 2, proxy.fired.toString());
            proxy.status("GET", "/manifests/v1", 503, null);
            Cli.ferry("inspect", "--tls-verify=false", "--retry-times", "0", proxy.ref("big/app:v1"))
                    .fails(1, "503");
        }
    }

    @Test
    void aFlippedByteFailsTheCopyAndTagsNothing() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.flipByte("GET", "/blobs/" + layer, 3 * MIB);
            String dest = registry.ref("flipped/app:v1");
            // in a process of its own: this one pushed the layer into big/app, and would mount it from there instead
            // of reading it through the proxy
            Path out = Files.createTempFile("flipped", ".txt");
            try {
                Process p = BigImage.ferry(
                        "-XX:+UseSerialGC -Xmx256m", out, "copy", "--tls-verify=false", proxy.ref("big/app:v1"), dest);
                assertEquals(1, p.waitFor(), Files.readString(out));
                assertTrue(Files.readString(out).contains(layer), Files.readString(out));
            } finally {
                Files.deleteIfExists(out);
            }
            assertTrue(proxy.fired.stream().anyMatch(f -> f.startsWith("flip")), proxy.fired.toString());
            Cli.ferry("inspect", "--tls-verify=false", dest).fails(1, "not found");
        }
    }

    @Test
    void aManifestOverFourMebibytesIsRefused() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":"
                    + "\"application/vnd.oci.image.manifest.v1+json\",\"annotations\":{\"x\":\"");
            json.append("a".repeat((int) (5 * MIB))).append("\"}}");
            proxy.replaceBody(
                    "GET",
                    "/manifests/v1",
                    json.toString().getBytes(StandardCharsets.UTF_8),
                    "application/vnd.oci.image.manifest.v1+json");
            Cli.ferry("inspect", "--tls-verify=false", proxy.ref("big/app:v1")).fails(1, "4194304");
        }
    }

    @Test
    void anHtmlPageWhereJsonWasExpectedIsNamed() throws Exception {
        byte[] page = "<html><body><h1>Welcome to our portal</h1></body></html>".getBytes(StandardCharsets.UTF_8);
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.replaceBody("GET", "/manifests/v1", page, "text/html; charset=utf-8");
            Cli.ferry("inspect", "--tls-verify=false", proxy.ref("big/app:v1")).fails(1, "HTML page", "proxy");
            proxy.replaceBody("GET", "/manifests/v1", 404, page, "text/html");
            Cli.ferry("inspect", "--tls-verify=false", proxy.ref("big/app:v1")).fails(1, "HTML page");
        }
    }

    @Test
    void aRedirectToAnotherOriginGetsNoCredentials(@TempDir Path work) throws Exception {
        try (RegistryServer basic = RegistryServer.basic("carol", "redirect-pw");
                FaultProxy front = FaultProxy.start(basic.host());
                FaultProxy cdn = FaultProxy.start(basic.host())) {
            String auth = "Basic " + Base64.getEncoder().encodeToString("carol:redirect-pw".getBytes());
            Cli.ferry(
                            "copy",
                            "--dest-tls-verify=false",
                            "--dest-creds",
                            "carol:redirect-pw",
                            "oci:" + big + ":v1",
                            basic.ref("cdn/app:v1"))
                    .ok();
            cdn.ownAuthorization = auth;
            for (int i = 0; i < 2; i++) {
                front.redirectBlobsTo(cdn);
            }
            Path out = work.resolve("out");
            String digest = Cli.ferry(
                            "copy",
                            "--src-tls-verify=false",
                            "--src-creds",
                            "carol:redirect-pw",
                            front.ref("cdn/app:v1"),
                            "oci:" + out + ":v1")
                    .ok()
                    .out()
                    .strip();
            assertEquals(Fixtures.entry(big, "v1").path("digest").asText(), digest);
            assertEquals(2, cdn.seen.size(), "both blobs came from the other origin: " + cdn.seen);
            assertTrue(
                    cdn.authorizations.stream().allMatch(String::isEmpty), "credentials leaked: " + cdn.authorizations);
            assertTrue(front.authorizations.stream().anyMatch(a -> a.equals(auth)), front.authorizations.toString());
            assertFalse(front.seen.isEmpty());
        }
    }
}
