package dev.ferry.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import java.util.ArrayList;
import java.util.List;

/** Parses manifests and indexes, OCI and Docker. */
public final class Manifests {
    private Manifests() {}

    /**
     * The media type of manifest bytes: the one the JSON declares, or the one its shape implies (an OCI
     * manifest may omit {@code mediaType}).
     *
     * @throws IllegalArgumentException if the bytes are not a JSON manifest Ferry knows
     */
    public static String detectMediaType(byte[] bytes) {
        ObjectNode node = Json.parseObject(bytes, "manifest");
        String declared = Json.text(node, "mediaType");
        if (declared != null && !declared.isEmpty()) {
            return declared;
        }
        JsonNode version = node.get("schemaVersion");
        if (version != null && version.asInt() == 1) {
            return node.has("signatures") ? MediaTypes.DOCKER_MANIFEST_V1_SIGNED : MediaTypes.DOCKER_MANIFEST_V1;
        }
        if (node.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (node.has("config")) {
            return MediaTypes.OCI_MANIFEST;
        }
        throw new IllegalArgumentException("manifest has no mediaType and is neither a manifest nor an index");
    }

    /**
     * Parses manifest bytes of the given media type.
     *
     * @throws IllegalArgumentException if they are malformed, or of a type Ferry does not read
     */
    public static Manifest parse(byte[] bytes, String mediaType) {
        ObjectNode node = Json.parseObject(bytes, "manifest");
        JsonNode version = node.get("schemaVersion");
        if (version == null || !version.isInt() || version.asInt() != 2) {
            throw new IllegalArgumentException("manifest has schemaVersion " + version
                    + "; Ferry reads schemaVersion 2 (OCI and Docker v2 schema 2)");
        }
        String declared = Json.text(node, "mediaType");
        if (declared != null && !declared.isEmpty() && !declared.equals(mediaType)) {
            throw new IllegalArgumentException(
                    "manifest declares media type " + declared + " but was served as " + mediaType);
        }
        if (MediaTypes.isImageManifest(mediaType)) {
            if (node.has("manifests")) {
                throw new IllegalArgumentException("an image manifest must not have \"manifests\"");
            }
            Descriptor config = ModelJson.descriptor(node.get("config"), "manifest \"config\"");
            List<Descriptor> layers = descriptors(node, "layers");
            JsonNode subject = node.get("subject");
            return new ImageManifest(
                    mediaType,
                    config,
                    layers,
                    Json.stringMap(node, "annotations"),
                    subject == null || subject.isNull() ? null : ModelJson.descriptor(subject, "manifest \"subject\""),
                    Json.text(node, "artifactType"));
        }
        if (MediaTypes.isIndex(mediaType)) {
            if (node.has("config") || node.has("layers")) {
                throw new IllegalArgumentException("an index must not have \"config\" or \"layers\"");
            }
            return new ImageIndex(mediaType, descriptors(node, "manifests"), Json.stringMap(node, "annotations"));
        }
        throw new IllegalArgumentException("unsupported manifest media type " + mediaType);
    }

    private static List<Descriptor> descriptors(ObjectNode node, String field) {
        JsonNode array = node.get(field);
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("manifest \"" + field + "\" must be an array");
        }
        List<Descriptor> list = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            list.add(ModelJson.descriptor(array.get(i), "manifest \"" + field + "\"[" + i + "]"));
        }
        return list;
    }
}
