package dev.ferry.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestsTest {
    private static final String CONFIG = "sha256:" + "a".repeat(64);
    private static final String LAYER = "sha256:" + "b".repeat(64);

    // Odd spacing, key order and unknown fields on purpose: the bytes must survive unchanged.
    private static final String OCI = "{ \"schemaVersion\": 2,\n  \"x-vendor\": {\"keep\": [1,2]},"
            + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + CONFIG
            + "\",\"size\":7},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\","
            + "\"digest\":\"" + LAYER + "\",\"size\":42,\"urls\":[\"https://example.com/l\"],"
            + "\"annotations\":{\"a\":\"b\"}}],\"annotations\":{\"org.example\":\"1\"}}";

    @Test
    void ociManifestKeepsBytesAndParses() {
        byte[] bytes = OCI.getBytes(StandardCharsets.UTF_8);
        ManifestBytes manifest = ManifestBytes.of(bytes, null);
        assertArrayEquals(bytes, manifest.bytes());
        assertEquals(Digest.sha256(bytes), manifest.digest());
        assertEquals(MediaTypes.OCI_MANIFEST, manifest.mediaType());
        ImageManifest image = assertInstanceOf(ImageManifest.class, manifest.parse());
        assertEquals(Digest.parse(CONFIG), image.config().digest());
        assertEquals(1, image.layers().size());
        Descriptor layer = image.layers().get(0);
        assertEquals(42, layer.size());
        assertEquals(List.of("https://example.com/l"), layer.urls());
        assertEquals("b", layer.annotations().get("a"));
        assertEquals(MediaTypes.Compression.ZSTD, MediaTypes.layerCompression(layer.mediaType()));
        assertEquals("1", image.annotations().get("org.example"));
    }

    @Test
    void ociManifestWithoutMediaTypeIsDetected() {
        String noType = OCI.replace("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",", "");
        assertEquals(MediaTypes.OCI_MANIFEST, Manifests.detectMediaType(noType.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void indexWithPlatforms() {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                + LAYER
                + "\",\"size\":5,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}}]}";
        ManifestBytes bytes = ManifestBytes.of(json.getBytes(StandardCharsets.UTF_8), null);
        assertTrue(bytes.isIndex());
        ImageIndex index = assertInstanceOf(ImageIndex.class, bytes.parse());
        assertEquals(Platform.parse("linux/arm/v7"), index.manifests().get(0).platform());
    }

    @Test
    void dockerManifest() {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"" + MediaTypes.DOCKER_CONFIG + "\",\"size\":3,\"digest\":\"" + CONFIG + "\"},"
                + "\"layers\":[{\"mediaType\":\"" + MediaTypes.DOCKER_LAYER_GZIP + "\",\"size\":9,\"digest\":\""
                + LAYER + "\"}]}";
        ImageManifest image = assertInstanceOf(
                ImageManifest.class,
                ManifestBytes.of(json.getBytes(StandardCharsets.UTF_8), null).parse());
        assertEquals(MediaTypes.DOCKER_MANIFEST, image.mediaType());
        assertEquals(
                MediaTypes.Compression.GZIP,
                MediaTypes.layerCompression(image.layers().get(0).mediaType()));
    }

    @Test
    void rejectsMalformed() {
        String[] bad = {
            "not json",
            "[]",
            "{\"schemaVersion\":2,\"schemaVersion\":2,\"config\":{}}",
            "{\"schemaVersion\":1,\"config\":{}}",
            OCI.replace("\"size\":42", "\"size\":-1"),
            OCI.replace("\"size\":42", "\"size\":\"42\""),
            OCI.replace(LAYER, "sha256:xyz"),
            "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"layers\":[]}",
        };
        for (String json : bad) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> ManifestBytes.of(json.getBytes(StandardCharsets.UTF_8), null)
                            .parse(),
                    json);
        }
    }

    @Test
    void declaredTypeMustMatchServedType() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Manifests.parse(OCI.getBytes(StandardCharsets.UTF_8), MediaTypes.DOCKER_MANIFEST));
    }

    @Test
    void configParses() {
        String json =
                "{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
                        + "\"author\":\"me\",\"config\":{\"User\":\"1000:1000\",\"ExposedPorts\":{\"80/tcp\":{}},"
                        + "\"Env\":[\"PATH=/bin\"],\"Entrypoint\":[\"/init\"],\"Cmd\":[\"-v\"],\"Volumes\":{\"/data\":{}},"
                        + "\"WorkingDir\":\"/srv\",\"Labels\":{\"k\":\"v\"},\"StopSignal\":\"SIGTERM\"},"
                        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + LAYER + "\"]},"
                        + "\"history\":[{\"created_by\":\"x\",\"empty_layer\":true}],\"unknown\":1}";
        ImageConfig c = ImageConfig.parse(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(Platform.parse("linux/arm64/v8"), c.platform());
        assertEquals("1000:1000", c.user());
        assertEquals(List.of("80/tcp"), c.exposedPorts());
        assertEquals(List.of("/init"), c.entrypoint());
        assertEquals(List.of("-v"), c.cmd());
        assertEquals(List.of("/data"), c.volumes());
        assertEquals("/srv", c.workingDir());
        assertEquals("v", c.labels().get("k"));
        assertEquals(List.of(Digest.parse(LAYER)), c.diffIds());
        assertTrue(c.history().get(0).emptyLayer());
        assertThrows(
                IllegalArgumentException.class,
                () -> ImageConfig.parse("{\"config\":{\"Env\":\"x\"}}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aManifestFerryMakesIsWrittenCanonicallyAndReadsBackEqual() {
        Descriptor config = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(CONFIG), 7);
        Descriptor layer = new Descriptor(
                MediaTypes.OCI_LAYER_GZIP,
                Digest.parse(LAYER),
                42,
                Map.of("z", "1", "a", "2"),
                null,
                List.of("https://example.com/l"),
                null);
        ImageManifest made = new ImageManifest(
                MediaTypes.OCI_MANIFEST,
                config,
                List.of(layer),
                Map.of("org.b", "2", "org.a", "1"),
                config,
                "application/x-kind");
        ManifestBytes bytes = made.toBytes();
        assertEquals(
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":"
                        + "\"application/x-kind\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG
                        + "\",\"digest\":\""
                        + CONFIG + "\",\"size\":7},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
                        + "\",\"digest\":\"" + LAYER + "\",\"size\":42,\"urls\":[\"https://example.com/l\"],"
                        + "\"annotations\":{\"a\":\"2\",\"z\":\"1\"}}],\"subject\":{\"mediaType\":\""
                        + MediaTypes.OCI_CONFIG
                        + "\",\"digest\":\"" + CONFIG
                        + "\",\"size\":7},\"annotations\":{\"org.a\":\"1\",\"org.b\":\"2\"}}",
                new String(bytes.bytes(), StandardCharsets.UTF_8),
                "field order, annotations sorted: one digest");
        assertEquals(made, bytes.parse());
    }

    @Test
    void anIndexFerryMakesReadsBackEqual() {
        Descriptor child = Descriptor.of(MediaTypes.DOCKER_MANIFEST, Digest.parse(CONFIG), 7)
                .withPlatform(Platform.of("linux", "arm64", "v8"));
        ImageIndex made = new ImageIndex(MediaTypes.DOCKER_MANIFEST_LIST, List.of(child), Map.of());
        ManifestBytes bytes = made.toBytes();
        assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, bytes.mediaType());
        assertEquals(made, bytes.parse());
        assertEquals(bytes.digest(), made.toBytes().digest());
    }
}
