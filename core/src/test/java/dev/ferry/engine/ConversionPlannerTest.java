package dev.ferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestFormat;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.UnsupportedManifestException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConversionPlannerTest {
    private static final List<String> OCI_ONLY = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX);
    private static final List<String> DOCKER_ONLY = List.of(MediaTypes.DOCKER_MANIFEST);
    private static final List<String> BOTH = List.of(
            MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);
    private static final Set<Compression> ALL = Set.of(Compression.NONE, Compression.GZIP, Compression.ZSTD);

    private static ConversionPlanner planner(
            List<String> types, Set<Compression> compressions, ManifestFormat format, Compression compression) {
        return new ConversionPlanner("src:x", "dest:y", types, compressions, format, compression);
    }

    private static ImageManifest image(String type, String... layerTypes) {
        Descriptor config = Descriptor.of(
                type.equals(MediaTypes.OCI_MANIFEST) ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG,
                Digest.sha256(new byte[] {0}),
                1);
        List<Descriptor> layers = Arrays.stream(layerTypes)
                .map(t -> Descriptor.of(t, Digest.sha256(t.getBytes()), 10))
                .toList();
        return new ImageManifest(type, config, layers, Map.of(), null, null);
    }

    @Test
    void keepsWhatTheSinkTakes() throws FerryException {
        ImageManifest image = image(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_LAYER_ZSTD, MediaTypes.OCI_LAYER_GZIP);
        ConversionPlanner.ImagePlan plan = planner(BOTH, ALL, null, null).plan(MediaTypes.OCI_MANIFEST, image);
        assertEquals(ManifestFormat.OCI, plan.target());
        assertEquals(List.of(Compression.ZSTD, Compression.GZIP), plan.layers());
        assertTrue(plan.keepsManifest(image));
    }

    @Test
    void aDockerOnlySinkGetsV2s2AndUncompressedLayersWhenItTakesOnlyThose() throws FerryException {
        ImageManifest image = image(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_LAYER_GZIP);
        ConversionPlanner.ImagePlan plan =
                planner(DOCKER_ONLY, Set.of(Compression.NONE), null, null).plan(MediaTypes.OCI_MANIFEST, image);
        assertEquals(ManifestFormat.V2S2, plan.target());
        assertEquals(List.of(Compression.NONE), plan.layers());
        assertFalse(plan.keepsManifest(image));
    }

    @Test
    void zstdCannotBeDescribedByV2s2SoGzipIsChosen() throws FerryException {
        ImageManifest image = image(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_LAYER_ZSTD);
        ConversionPlanner.ImagePlan plan =
                planner(BOTH, ALL, ManifestFormat.V2S2, null).plan(MediaTypes.OCI_MANIFEST, image);
        assertEquals(List.of(Compression.GZIP), plan.layers());
        FerryException e = assertThrows(
                FerryException.class,
                () -> planner(BOTH, ALL, ManifestFormat.V2S2, Compression.ZSTD).plan(MediaTypes.OCI_MANIFEST, image));
        assertTrue(e.getMessage().contains("cannot describe zstd"), e.getMessage());
    }

    @Test
    void theUsersCompressionWinsAndMustBeStorable() throws FerryException {
        ImageManifest image = image(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_LAYER);
        assertEquals(
                List.of(Compression.GZIP),
                planner(BOTH, ALL, null, Compression.GZIP)
                        .plan(MediaTypes.DOCKER_MANIFEST, image)
                        .layers());
        FerryException e = assertThrows(
                FerryException.class,
                () -> planner(DOCKER_ONLY, Set.of(Compression.NONE), null, Compression.GZIP)
                        .plan(MediaTypes.DOCKER_MANIFEST, image));
        assertTrue(e.getMessage().contains("does not store gzip"), e.getMessage());
    }

    @Test
    void layersThatAreNotTarsAreLeftAlone() throws FerryException {
        ImageManifest image = image(MediaTypes.OCI_MANIFEST, "application/vnd.example.sbom+json");
        ConversionPlanner.ImagePlan plan = planner(OCI_ONLY, Set.of(Compression.NONE), null, Compression.NONE)
                .plan(MediaTypes.OCI_MANIFEST, image);
        assertEquals(Arrays.asList((Compression) null), plan.layers());
        assertTrue(plan.keepsManifest(image));
    }

    @Test
    void indexesAndUnknownFormats() throws FerryException {
        assertEquals(
                ManifestFormat.OCI, planner(OCI_ONLY, ALL, null, null).format(MediaTypes.DOCKER_MANIFEST_LIST, true));
        assertThrows(
                UnsupportedManifestException.class,
                () -> planner(DOCKER_ONLY, ALL, null, null).format(MediaTypes.OCI_INDEX, true),
                "a sink without indexes cannot take one");
        assertThrows(
                UnsupportedManifestException.class,
                () -> planner(BOTH, ALL, null, null).format("application/x-unknown", false));
        assertEquals(
                ManifestFormat.V2S2,
                planner(DOCKER_ONLY, ALL, null, null).schema1Format(MediaTypes.DOCKER_MANIFEST_V1_SIGNED));
    }
}
