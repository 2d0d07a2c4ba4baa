package dev.ferry.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.OpenContext;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small parts of the registry client: challenges, retry delays, auth files, proxies, settings. */
class PartsTest {
    @TempDir
    Path tmp;

    @Test
    void parsesChallenges() {
        List<Challenge> all = Challenge.parse(List.of(
                "Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
                        + "scope=\"repository:a/b:pull,push\",error=\"insufficient_scope\"",
                "Basic realm=\"Registry Realm\""));
        assertEquals(2, all.size());
        Challenge bearer = Challenge.preferred(all);
        assertTrue(bearer.isBearer());
        assertEquals("https://auth.example/token", bearer.param("realm"));
        assertEquals("registry.example", bearer.param("service"));
        assertEquals("repository:a/b:pull,push", bearer.param("scope"));
        assertEquals("insufficient_scope", bearer.param("error"));
        Challenge basic = Challenge.preferred(Challenge.parse(List.of("basic realm=r")));
        assertTrue(basic.isBasic());
        assertEquals("r", basic.param("realm"));
        assertNull(Challenge.preferred(Challenge.parse(List.of("Negotiate"))));
    }

    @Test
    void retryAfterTakesSecondsOrADate() {
        assertEquals(Duration.ofSeconds(7), Retry.retryAfter("7"));
        assertNull(Retry.retryAfter("soon"));
        assertEquals(Duration.ZERO, Retry.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
        Retry fixed = new Retry(3, Duration.ofMillis(250), System.err);
        assertEquals(Duration.ofMillis(250), fixed.delay(2, null));
        Retry backoff = new Retry(3, null, System.err);
        long first = backoff.delay(0, null).toMillis();
        long third = backoff.delay(2, null).toMillis();
        assertTrue(first >= 500 && first <= 1500, "first " + first);
        assertTrue(third >= 2000 && third <= 6000, "third " + third);
        assertTrue(backoff.mayRetry(2));
        assertFalse(backoff.mayRetry(3));
    }

    @Test
    void settingsReadTheSideContextWithTheRegistrysScopeOnTop() throws Exception {
        OpenContext context = OpenContext.defaults()
                .withOption("creds", "both:x")
                .withOption("tls-verify", "false")
                .withOption("retry-times", "5")
                .withOption("retry-delay", "1.5s")
                .withScopedOption("r:5000", "creds", "scoped:y")
                .withScopedOption("r:5000", "tls-verify", "true");
        RegistrySettings other = RegistrySettings.of(context, "q");
        RegistrySettings scoped = RegistrySettings.of(context, "r:5000");
        assertEquals("both:x", other.creds());
        assertEquals("scoped:y", scoped.creds());
        assertFalse(other.tlsVerify());
        assertTrue(scoped.tlsVerify());
        assertEquals(5, scoped.retryTimes());
        assertEquals(Duration.ofMillis(1500), other.retryDelay());
        assertFalse(other.toString().contains("x"), "no secret in " + other);
        assertThrows(
                FerryException.class,
                () -> RegistrySettings.of(OpenContext.defaults().withOption("retry-times", "-1"), "r"));
        assertThrows(
                FerryException.class,
                () -> RegistrySettings.of(OpenContext.defaults().withOption("tls-verify", "maybe"), "r"));
        assertThrows(FerryException.class, () -> RegistrySettings.parseDuration("fast"));
        assertEquals(Duration.ofMillis(500), RegistrySettings.parseDuration("500ms"));
        assertEquals(Duration.ofMinutes(1), RegistrySettings.parseDuration("1m"));
    }

    @Test
    void authFilesAreSearchedAsDockerDoes() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path runtime = Files.createDirectories(tmp.resolve("run/containers"));
        Files.createDirectories(home.resolve(".docker"));
        Files.writeString(
                home.resolve(".docker/config.json"),
                "{\"auths\":{"
                        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("hub:hubpw") + "\"},"
                        + "\"http://reg.example:5000\":{\"auth\":\"" + b64("docker:dockerpw") + "\"},"
                        + "\"other.example\":{\"auth\":\"" + b64("o:opw") + "\"}}}");
        Files.writeString(
                runtime.resolve("auth.json"),
                "{\"auths\":{"
                        + "\"reg.example:5000/team\":{\"auth\":\"" + b64("team:teampw") + "\"},"
                        + "\"reg.example:5000\":{\"auth\":\"" + b64("podman:podmanpw") + "\"}}}");
        CredentialStore store =
                new CredentialStore(Map.of("XDG_RUNTIME_DIR", tmp.resolve("run").toString()), home);
        RegistrySettings none =
                new RegistrySettings(null, null, null, true, 3, null, RegistrySettings.DEFAULT_STALL_TIMEOUT);
        assertEquals(
                "team",
                store.find(none, "reg.example:5000", "team/app").orElseThrow().username());
        assertEquals(
                "podman",
                store.find(none, "reg.example:5000", "x/app").orElseThrow().username());
        assertEquals(
                "hubpw",
                store.find(none, "docker.io", "library/busybox").orElseThrow().password());
        assertEquals("o", store.find(none, "other.example", "a").orElseThrow().username());
        assertEquals(Optional.empty(), store.find(none, "nowhere.example", "a"));
        RegistrySettings given = new RegistrySettings(
                "u:p:with:colons", null, null, true, 3, null, RegistrySettings.DEFAULT_STALL_TIMEOUT);
        Credentials creds = store.find(given, "nowhere.example", "a").orElseThrow();
        assertEquals("u", creds.username());
        assertEquals("p:with:colons", creds.password());
        assertFalse(creds.toString().contains("p:with"));
        Path file = tmp.resolve("auth.json");
        Files.writeString(file, "{\"auths\":{\"other.example\":{\"auth\":\"" + b64("f:fpw") + "\"}}}");
        RegistrySettings withFile =
                new RegistrySettings(null, file, null, true, 3, null, RegistrySettings.DEFAULT_STALL_TIMEOUT);
        assertEquals(
                "f", store.find(withFile, "other.example", "a").orElseThrow().username());
        assertEquals(Optional.empty(), store.find(withFile, "reg.example:5000", "team/app"), "only the given file");
        assertEquals("docker.io", CredentialStore.normalizeKey("https://index.docker.io/v1/"));
        assertEquals("reg:5000", CredentialStore.normalizeKey("http://reg:5000/v2/"));
    }

    @Test
    void credentialHelpersGetTheServerOnStdin() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path helper = bin.resolve("docker-credential-ferrytest");
        Files.writeString(
                helper,
                "#!/bin/sh\nread server\n[ \"$1\" = get ] || exit 3\n"
                        + "echo \"{\\\"ServerURL\\\":\\\"$server\\\",\\\"Username\\\":\\\"helper-$server\\\","
                        + "\\\"Secret\\\":\\\"s3cret\\\"}\"\n");
        helper.toFile().setExecutable(true);
        Path config = tmp.resolve("config.json");
        Files.writeString(
                config, "{\"credHelpers\":{\"reg.example\":\"ferrytest\"}," + "\"credsStore\":\"ferrytest\"}");
        CredentialStore store = new CredentialStore(Map.of("PATH", bin.toString()), tmp);
        Credentials found = store.fromFile(config, "reg.example", "a").orElseThrow();
        assertEquals("helper-reg.example", found.username());
        assertEquals("s3cret", found.password());
        assertEquals(
                "helper-https://index.docker.io/v1/",
                store.fromFile(config, "docker.io", "library/x").orElseThrow().username(),
                "the credsStore");
    }

    @Test
    void proxiesComeFromTheEnvironment() {
        EnvProxySelector selector = EnvProxySelector.from(Map.of(
                "HTTPS_PROXY",
                "http://proxy.example:3128",
                "NO_PROXY",
                "internal.example,.corp.example,reg.example:5000"));
        Proxy proxy =
                selector.select(URI.create("https://registry-1.docker.io/v2/")).get(0);
        assertEquals(Proxy.Type.HTTP, proxy.type());
        assertEquals(
                Proxy.NO_PROXY,
                selector.select(URI.create("http://registry-1.docker.io/v2/")).get(0));
        assertTrue(selector.bypass("internal.example", 443));
        assertTrue(selector.bypass("a.internal.example", 443));
        assertTrue(selector.bypass("x.corp.example", 443));
        assertTrue(selector.bypass("reg.example", 5000));
        assertFalse(selector.bypass("reg.example", 443));
        assertTrue(selector.bypass("127.0.0.1", 5000), "loopback is never proxied");
        assertNull(EnvProxySelector.from(Map.of()));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
