package dev.ferry.model;

import java.util.Set;

/** Media types of the OCI image spec and of Docker's image manifest v2. */
public final class MediaTypes {
    private MediaTypes() {}

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYER_NONDISTRIBUTABLE = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_LAYER_NONDISTRIBUTABLE_GZIP =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public static final String OCI_LAYER_NONDISTRIBUTABLE_ZSTD =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_LAYER_FOREIGN_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /** Media types of a single-image manifest. */
    public static final Set<String> IMAGE_MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    /** Media types of a multi-image index. */
    public static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);

    public static boolean isIndex(String mediaType) {
        return INDEXES.contains(mediaType);
    }

    public static boolean isImageManifest(String mediaType) {
        return IMAGE_MANIFESTS.contains(mediaType);
    }

    /** The compression a layer media type declares. */
    public static Compression layerCompression(String mediaType) {
        if (mediaType == null) {
            return Compression.NONE;
        }
        if (mediaType.endsWith("+gzip") || mediaType.endsWith(".tar.gzip")) {
            return Compression.GZIP;
        }
        if (mediaType.endsWith("+zstd")) {
            return Compression.ZSTD;
        }
        return Compression.NONE;
    }

    /** How a layer blob is compressed. */
    public enum Compression {
        NONE,
        GZIP,
        ZSTD;

        /** How data whose first {@code length} bytes are {@code head} is compressed, by its magic number. */
        public static Compression sniff(byte[] head, int length) {
            if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return GZIP;
            }
            if (length >= 4
                    && (head[0] & 0xff) == 0x28
                    && (head[1] & 0xff) == 0xb5
                    && (head[2] & 0xff) == 0x2f
                    && (head[3] & 0xff) == 0xfd) {
                return ZSTD;
            }
            return NONE;
        }
    }
}
