package dev.ferry.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One image's manifest, OCI ({@value MediaTypes#OCI_MANIFEST}) or Docker v2 schema 2
 * ({@value MediaTypes#DOCKER_MANIFEST}).
 *
 * @param mediaType the manifest's media type
 * @param config the config blob
 * @param layers the layer blobs, base first
 * @param annotations annotations, never null
 * @param subject the subject descriptor, or null
 * @param artifactType the artifact type, or null
 */
public record ImageManifest(
        String mediaType,
        Descriptor config,
        List<Descriptor> layers,
        Map<String, String> annotations,
        Descriptor subject,
        String artifactType)
        implements Manifest {

    public ImageManifest {
        requireNonNull(mediaType, "mediaType is null");
        requireNonNull(config, "config is null");
        layers = List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** The config followed by the layers: every blob this manifest needs. */
    public List<Descriptor> blobs() {
        List<Descriptor> all = new ArrayList<>(layers.size() + 1);
        all.add(config);
        all.addAll(layers);
        return all;
    }

    /**
     * This manifest's bytes, as Ferry writes a manifest it made (compact JSON, fields in the OCI specification's
     * order). A manifest that was read is never written this way: its bytes are kept as they were
     * ({@link ManifestBytes}), since re-serializing would change its digest.
     */
    public ManifestBytes toBytes() {
        return ManifestBytes.of(ModelJson.manifest(this), mediaType);
    }

    public boolean isOci() {
        return MediaTypes.OCI_MANIFEST.equals(mediaType);
    }
}
