package dev.ferry.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayoutIndexTest {
    private static Descriptor manifest(String hexChar, String ref) {
        Descriptor d = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.parse("sha256:" + hexChar.repeat(64)), 10);
        return ref == null ? d : d.withAnnotations(Map.of(Descriptor.REF_NAME_ANNOTATION, ref));
    }

    @Test
    void unknownFieldsSurviveAWrite() {
        String json = "{\"schemaVersion\":2,\"x-tool\":{\"keep\":true},\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"sha256:" + "a".repeat(64) + "\",\"size\":10,"
                + "\"x-entry\":1,\"annotations\":{\"" + Descriptor.REF_NAME_ANNOTATION + "\":\"old\"}}]}";
        LayoutIndex index = LayoutIndex.parse(json.getBytes(StandardCharsets.UTF_8), "index.json");
        assertEquals(List.of(manifest("a", "old")), index.entries());
        String written = new String(index.with(manifest("b", "new")).toBytes(), StandardCharsets.UTF_8);
        assertTrue(written.contains("\"x-tool\":{\"keep\":true}"), written);
        assertTrue(written.contains("\"x-entry\":1"), "another entry's unknown field is kept: " + written);
        assertEquals(
                2,
                LayoutIndex.parse(written.getBytes(StandardCharsets.UTF_8), "i")
                        .entries()
                        .size());
    }

    @Test
    void aRefReplacesItsEntryAndAnUnnamedDuplicateIsNotAdded() {
        LayoutIndex index = LayoutIndex.empty()
                .with(manifest("a", "v1"))
                .with(manifest("b", "v2"))
                .with(manifest("c", null));
        assertEquals(List.of(manifest("a", "v1"), manifest("b", "v2"), manifest("c", null)), index.entries());
        LayoutIndex replaced = index.with(manifest("d", "v1")).with(manifest("c", null));
        assertEquals(List.of(manifest("b", "v2"), manifest("d", "v1"), manifest("c", null)), replaced.entries());
        assertEquals(
                replaced.entries(), LayoutIndex.parse(replaced.toBytes(), "i").entries(), "round trip");
        assertEquals(3, index.entries().size(), "immutable");
    }

    @Test
    void malformedFilesAreRefusedNamingThem() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LayoutIndex.parse("{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8), "/x/index.json"));
        assertTrue(e.getMessage().startsWith("/x/index.json"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> LayoutIndex.checkLayoutFile(
                        "{\"imageLayoutVersion\":\"2.0.0\"}".getBytes(StandardCharsets.UTF_8), "oci-layout"));
        LayoutIndex.checkLayoutFile(LayoutIndex.layoutFile(), "oci-layout");
    }

    @Test
    void descriptorsRoundTripThroughJson() {
        Descriptor d = manifest("e", "x").withPlatform(Platform.of("linux", "arm", "v7"));
        assertEquals(d, Descriptor.fromJson(d.toJson(), "d"));
    }
}
