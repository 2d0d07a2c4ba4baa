package dev.ferry.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import java.util.List;
import java.util.Map;

/**
 * The model's one JSON codec for descriptors, manifests and indexes: what the model reads, it also writes, so that
 * nothing else in Ferry writes manifest JSON by hand. Compact JSON, fields in the order of the OCI specification's
 * examples, annotations sorted by key.
 */
final class ModelJson {
    private ModelJson() {}

    /**
     * Reads a descriptor.
     *
     * @throws IllegalArgumentException if a required field is missing or invalid
     */
    static Descriptor descriptor(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + " is not a descriptor object");
        }
        try {
            String mediaType = Json.text(node, "mediaType");
            if (mediaType == null) {
                throw new IllegalArgumentException("\"mediaType\" is missing");
            }
            String digest = Json.text(node, "digest");
            if (digest == null) {
                throw new IllegalArgumentException("\"digest\" is missing");
            }
            JsonNode size = node.get("size");
            if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
                throw new IllegalArgumentException("\"size\" must be a non-negative integer");
            }
            Platform platform = null;
            JsonNode p = node.get("platform");
            if (p != null && !p.isNull()) {
                String os = Json.text(p, "os");
                String arch = Json.text(p, "architecture");
                if (os == null || arch == null) {
                    throw new IllegalArgumentException("\"platform\" needs \"os\" and \"architecture\"");
                }
                platform = new Platform(
                        os, arch, Json.text(p, "variant"), Json.text(p, "os.version"), Json.strings(p, "os.features"));
            }
            return new Descriptor(
                    mediaType,
                    Digest.parse(digest),
                    size.asLong(),
                    Json.stringMap(node, "annotations"),
                    platform,
                    Json.strings(node, "urls"),
                    Json.text(node, "artifactType"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** Writes a descriptor in the field order the OCI spec's examples use. */
    static ObjectNode descriptor(Descriptor d) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("mediaType", d.mediaType());
        node.put("digest", d.digest().toString());
        node.put("size", d.size());
        if (!d.urls().isEmpty()) {
            ArrayNode urls = node.putArray("urls");
            d.urls().forEach(urls::add);
        }
        annotations(node, d.annotations());
        if (d.platform() != null) {
            Platform p = d.platform();
            ObjectNode platform = node.putObject("platform");
            platform.put("architecture", p.architecture());
            platform.put("os", p.os());
            if (p.osVersion() != null) {
                platform.put("os.version", p.osVersion());
            }
            if (!p.osFeatures().isEmpty()) {
                ArrayNode features = platform.putArray("os.features");
                p.osFeatures().forEach(features::add);
            }
            if (p.variant() != null) {
                platform.put("variant", p.variant());
            }
        }
        if (d.artifactType() != null) {
            node.put("artifactType", d.artifactType());
        }
        return node;
    }

    /** An image manifest's bytes: schemaVersion, mediaType, artifactType, config, layers, subject, annotations. */
    static byte[] manifest(ImageManifest m) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("schemaVersion", 2);
        node.put("mediaType", m.mediaType());
        if (m.artifactType() != null) {
            node.put("artifactType", m.artifactType());
        }
        node.set("config", descriptor(m.config()));
        descriptors(node.putArray("layers"), m.layers());
        if (m.subject() != null) {
            node.set("subject", descriptor(m.subject()));
        }
        annotations(node, m.annotations());
        return Json.write(node);
    }

    /** An index's bytes: schemaVersion, mediaType, manifests, annotations. */
    static byte[] index(ImageIndex index) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("schemaVersion", 2);
        node.put("mediaType", index.mediaType());
        descriptors(node.putArray("manifests"), index.manifests());
        annotations(node, index.annotations());
        return Json.write(node);
    }

    private static void descriptors(ArrayNode array, List<Descriptor> descriptors) {
        descriptors.forEach(d -> array.add(descriptor(d)));
    }

    private static void annotations(ObjectNode node, Map<String, String> annotations) {
        if (!annotations.isEmpty()) {
            ObjectNode a = node.putObject("annotations");
            annotations.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> a.put(e.getKey(), e.getValue()));
        }
    }
}
