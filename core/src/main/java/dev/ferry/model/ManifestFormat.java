package dev.ferry.model;

import java.util.Locale;
import java.util.Optional;

/** The two manifest formats Ferry writes, with the media types that go with each. */
public enum ManifestFormat {
    OCI("oci", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.OCI_CONFIG),
    V2S2("v2s2", MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_CONFIG);

    private final String cliName;
    private final String manifestType;
    private final String indexType;
    private final String configType;

    ManifestFormat(String cliName, String manifestType, String indexType, String configType) {
        this.cliName = cliName;
        this.manifestType = manifestType;
        this.indexType = indexType;
        this.configType = configType;
    }

    /** The name users write: {@code oci} or {@code v2s2}. */
    public String cliName() {
        return cliName;
    }

    public String manifestType() {
        return manifestType;
    }

    public String indexType() {
        return indexType;
    }

    public String configType() {
        return configType;
    }

    /** The format of a manifest or index media type, if it is one of these two. */
    public static Optional<ManifestFormat> of(String mediaType) {
        for (ManifestFormat f : values()) {
            if (f.manifestType.equals(mediaType) || f.indexType.equals(mediaType)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Parses {@code oci} or {@code v2s2}. */
    public static ManifestFormat parse(String name) {
        for (ManifestFormat f : values()) {
            if (f.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format \"" + name + "\" (known: oci, v2s2)");
    }

    /** Whether layers compressed with {@code compression} can be described in this format. */
    public boolean allows(MediaTypes.Compression compression) {
        return this == OCI || compression != MediaTypes.Compression.ZSTD;
    }

    /** The media type of a tar layer compressed with {@code compression}, in this format. */
    public String layerType(MediaTypes.Compression compression) {
        return switch (this) {
            case OCI ->
                switch (compression) {
                    case NONE -> MediaTypes.OCI_LAYER;
                    case GZIP -> MediaTypes.OCI_LAYER_GZIP;
                    case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
                };
            case V2S2 ->
                switch (compression) {
                    case NONE -> MediaTypes.DOCKER_LAYER;
                    case GZIP -> MediaTypes.DOCKER_LAYER_GZIP;
                    case ZSTD -> throw new IllegalArgumentException("Docker v2s2 has no media type for zstd layers");
                };
        };
    }
}
