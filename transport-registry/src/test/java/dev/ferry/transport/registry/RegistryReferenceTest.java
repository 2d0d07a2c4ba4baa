package dev.ferry.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.Transport;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryReferenceTest {
    private final RegistryTransport transport = new RegistryTransport();

    @ParameterizedTest
    @CsvSource({
        // input, registry, repository, tag, digest, stringWithinTransport
        "//busybox, docker.io, library/busybox, latest, , //busybox:latest",
        "//busybox:1.36, docker.io, library/busybox, 1.36, , //busybox:1.36",
        "//docker.io/busybox, docker.io, library/busybox, latest, , //busybox:latest",
        "//index.docker.io/library/busybox:1, docker.io, library/busybox, 1, , //busybox:1",
        "//team/app, docker.io, team/app, latest, , //team/app:latest",
        "//localhost/app, localhost, app, latest, , //localhost/app:latest",
        "//localhost:5000/a/b/c:v1.2-rc_3, localhost:5000, a/b/c, v1.2-rc_3, , //localhost:5000/a/b/c:v1.2-rc_3",
        "//127.0.0.1:5000/app, 127.0.0.1:5000, app, latest, , //127.0.0.1:5000/app:latest",
        "//registry.example/app, registry.example, app, latest, , //registry.example/app:latest",
        "//quay.io/org/app:x, quay.io, org/app, x, , //quay.io/org/app:x",
        "//host:5000/app@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, host:5000,"
                + " app, , sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,"
                + " //host:5000/app@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "//docker.io/foo.bar/baz, docker.io, foo.bar/baz, latest, , //docker.io/foo.bar/baz:latest",
        "//a__b/c-d--e/f.g, docker.io, a__b/c-d--e/f.g, latest, , //a__b/c-d--e/f.g:latest",
        "//[::1]:5000/app, [::1]:5000, app, latest, , //[::1]:5000/app:latest",
    })
    void normalizesAndRoundTrips(
            String input, String registry, String repository, String tag, String digest, String within)
            throws Exception {
        RegistryReference ref = transport.parse(input);
        assertEquals(registry, ref.registry());
        assertEquals(repository, ref.repository());
        assertEquals(tag, ref.tag());
        assertEquals(digest, ref.digest() == null ? null : ref.digest().toString());
        assertEquals(within, ref.stringWithinTransport());
        RegistryReference again = transport.parse(ref.stringWithinTransport());
        assertEquals(ref, again);
        assertEquals(ref.hashCode(), again.hashCode());
        assertEquals("docker:" + within, ref.displayName());
    }

    @Test
    void dockerHubAnswersOnItsApiHost() throws Exception {
        assertEquals("registry-1.docker.io", transport.parse("//busybox").endpoint());
        assertEquals("localhost:5000", transport.parse("//localhost:5000/x").endpoint());
    }

    @Test
    void theFirstComponentIsAHostOnlyWithADotAColonOrLocalhost() throws Exception {
        assertEquals("docker.io", transport.parse("//myhost/app").registry());
        assertEquals("myhost/app", transport.parse("//myhost/app").repository());
        assertTrue(RegistryReference.isHost("a.b"));
        assertTrue(RegistryReference.isHost("a:1"));
        assertTrue(RegistryReference.isHost("localhost"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "busybox",
                "/busybox",
                "//",
                "//Busybox",
                "//host:5000/App",
                "//app:",
                "//app:-x",
                "//app:.x",
                "//app@sha256:abc",
                "//app@md5:0123",
                "//app:1@sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "//a//b",
                "//a/",
                "//-a",
                "//host:5000/",
                "//a b"
            })
    void rejectsBadSyntax(String input) {
        InvalidReferenceException e = assertThrows(InvalidReferenceException.class, () -> transport.parse(input));
        assertEquals("docker:" + input, e.reference());
    }

    @Test
    void uppercaseNamesSayWhy() {
        InvalidReferenceException e =
                assertThrows(InvalidReferenceException.class, () -> transport.parse("//Team/App"));
        assertTrue(e.getMessage().contains("lowercase"), e.getMessage());
    }

    @Test
    void tooLongNamesAreRefused() {
        String name = "a".repeat(250) + "/" + "b".repeat(10);
        assertThrows(InvalidReferenceException.class, () -> transport.parse("//" + name));
    }

    @Test
    void foundThroughServiceLoader() throws Exception {
        Transport found = ServiceLoader.load(Transport.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(t -> t.name().equals("docker"))
                .findFirst()
                .orElseThrow();
        assertEquals(RegistryTransport.class, found.getClass());
        assertTrue(found.capabilities().multiImage());
        assertNull(((RegistryTransport) found)
                .parse("//x@sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                .tag());
    }
}
