package dev.ferry.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DockerReferenceTest {
    private static final String HEX = "a".repeat(64);

    @ParameterizedTest
    @CsvSource({
        "busybox, busybox, latest",
        "busybox:1.36, busybox, 1.36",
        "library/busybox:1, library/busybox, 1",
        "localhost/app, localhost/app, latest",
        "localhost:5000/a/b:v1, localhost:5000/a/b, v1",
        "127.0.0.1:5000/app:x_y.z-1, 127.0.0.1:5000/app, x_y.z-1",
        "registry.example.com/team/app__x:2, registry.example.com/team/app__x, 2",
        "my-registry.io:443/a-b/c.d, my-registry.io:443/a-b/c.d, latest",
    })
    void namesAndTags(String text, String name, String tag) {
        DockerReference ref = DockerReference.parse(text);
        assertEquals(name, ref.name());
        assertEquals(tag, ref.tag());
        assertTrue(ref.id().isEmpty());
        assertEquals(name + ":" + tag, ref.forDocker());
        assertEquals(ref, DockerReference.parse(ref.toString()), "round trip");
        assertEquals(ref.hashCode(), DockerReference.parse(ref.toString()).hashCode());
    }

    @Test
    void imageIds() {
        DockerReference ref = DockerReference.parse("@sha256:" + HEX);
        assertEquals(Digest.parse("sha256:" + HEX), ref.id().orElseThrow());
        assertEquals(null, ref.name());
        assertEquals("sha256:" + HEX, ref.forDocker());
        assertEquals("@sha256:" + HEX, ref.toString());
        assertFalse(ref.matchesRepoTag("busybox:latest"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Busybox",
                "app:",
                "app:-bad",
                "a//b",
                "/a",
                "a/",
                "busybox@sha256:aaaa",
                "@sha256:short",
                "UPPER.example.com",
                "a/B/c",
                "a..b",
                "a--"
            })
    void rejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DockerReference.parse(text));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void anUppercaseHostIsAHost() {
        assertEquals(
                "Registry.Example.com/app",
                DockerReference.parse("Registry.Example.com/app").name());
    }

    @Test
    void aTagOfMoreThan128CharactersIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DockerReference.parse("app:t" + "x".repeat(128)));
        assertEquals(128, DockerReference.parse("app:t" + "x".repeat(127)).tag().length());
    }

    @Test
    void aNameOfMoreThan255CharactersIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DockerReference.parse("a/".repeat(128) + "b"));
    }

    @ParameterizedTest
    @CsvSource({
        "busybox, busybox:latest",
        "busybox, docker.io/library/busybox:latest",
        "busybox, index.docker.io/library/busybox:latest",
        "library/busybox, busybox:latest",
        "docker.io/library/busybox, busybox:latest",
        "someone/app:1, docker.io/someone/app:1",
        "localhost:5000/app:1, localhost:5000/app:1",
    })
    void repoTagsMatchInEitherForm(String ours, String repoTag) {
        assertTrue(DockerReference.parse(ours).matchesRepoTag(repoTag), ours + " vs " + repoTag);
    }

    @ParameterizedTest
    @CsvSource({
        "busybox, busybox:1",
        "busybox:1, other:1",
        "someone/app:1, app:1",
        "localhost:5000/app:1, app:1",
    })
    void otherRepoTagsDoNotMatch(String ours, String repoTag) {
        assertFalse(DockerReference.parse(ours).matchesRepoTag(repoTag), ours + " vs " + repoTag);
        assertFalse(DockerReference.parse(ours).matchesRepoTag(null));
    }
}
