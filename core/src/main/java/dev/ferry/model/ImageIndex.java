package dev.ferry.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * An index of manifests: an OCI image index ({@value MediaTypes#OCI_INDEX}) or a Docker manifest list
 * ({@value MediaTypes#DOCKER_MANIFEST_LIST}).
 *
 * @param mediaType the index's media type
 * @param manifests the entries
 * @param annotations annotations, never null
 */
public record ImageIndex(String mediaType, List<Descriptor> manifests, Map<String, String> annotations)
        implements Manifest {

    public ImageIndex {
        requireNonNull(mediaType, "mediaType is null");
        manifests = List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** This index's bytes, as Ferry writes an index it made; see {@link ImageManifest#toBytes()}. */
    public ManifestBytes toBytes() {
        return ManifestBytes.of(ModelJson.index(this), mediaType);
    }
}
