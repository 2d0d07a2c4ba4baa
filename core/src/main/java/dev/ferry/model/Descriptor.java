package dev.ferry.model;

import static java.util.Objects.requireNonNull;

import dev.ferry.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A content descriptor: what a manifest or index says about a blob.
 *
 * @param mediaType the media type of the referenced content
 * @param digest the digest of its bytes
 * @param size its size in bytes, never negative
 * @param annotations annotations, never null
 * @param platform the platform, for index entries, or null
 * @param urls alternative download locations, never null
 * @param artifactType the artifact type, or null
 */
public record Descriptor(
        String mediaType,
        Digest digest,
        long size,
        Map<String, String> annotations,
        Platform platform,
        List<String> urls,
        String artifactType) {

    /** The annotation that names an image in an OCI layout's {@code index.json}. */
    public static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

    public Descriptor {
        requireNonNull(mediaType, "mediaType is null");
        requireNonNull(digest, "digest is null");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + digest);
        }
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, Map.of(), null, List.of(), null);
    }

    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, newAnnotations, platform, urls, artifactType);
    }

    public Descriptor withPlatform(Platform newPlatform) {
        return new Descriptor(mediaType, digest, size, annotations, newPlatform, urls, artifactType);
    }

    /**
     * This descriptor as compact JSON, fields in the order of the OCI specification's examples, annotations sorted:
     * for files that list descriptors, such as an OCI layout's {@code index.json}.
     */
    public String toJson() {
        return new String(Json.write(ModelJson.descriptor(this)), StandardCharsets.UTF_8);
    }

    /**
     * Parses a descriptor's JSON (unknown fields are ignored).
     *
     * @param where what the JSON is, for the message
     * @throws IllegalArgumentException naming {@code where}, if it is not a valid descriptor
     */
    public static Descriptor fromJson(String json, String where) {
        return ModelJson.descriptor(Json.parseObject(json.getBytes(StandardCharsets.UTF_8), where), where);
    }

    /** The {@value #REF_NAME_ANNOTATION} annotation, or null. */
    public String refName() {
        return annotations.get(REF_NAME_ANNOTATION);
    }

    @Override
    public String toString() {
        return mediaType + " " + digest + " (" + size + " bytes)";
    }
}
