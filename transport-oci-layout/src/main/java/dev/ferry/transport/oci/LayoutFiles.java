package dev.ferry.transport.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.CorruptImageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The fixed files of an OCI image layout: {@code oci-layout}, {@code index.json}, and blob paths. */
final class LayoutFiles {
    static final String OCI_LAYOUT = "oci-layout";
    static final String INDEX = "index.json";
    static final String BLOBS = "blobs";
    static final String LAYOUT_VERSION = "1.0.0";
    static final byte[] OCI_LAYOUT_BYTES =
            ("{\"imageLayoutVersion\":\"" + LAYOUT_VERSION + "\"}").getBytes(StandardCharsets.UTF_8);
    /** index.json lists manifests, never content; this bounds what is read into memory. */
    static final int MAX_INDEX_SIZE = 64 * 1024 * 1024;

    private LayoutFiles() {}

    /** {@code blobs/<algorithm>/<hex>}: safe by construction, since a {@link Digest} is validated. */
    static String blobPath(Digest digest) {
        return BLOBS + "/" + digest.algorithm().ociName() + "/" + digest.hex();
    }

    /** Checks an {@code oci-layout} file. */
    static void checkLayoutFile(byte[] bytes, String where) throws CorruptImageException {
        ObjectNode node;
        try {
            node = Json.parseObject(bytes, where + "/" + OCI_LAYOUT);
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException(e.getMessage());
        }
        String version = node.path("imageLayoutVersion").asText(null);
        if (version == null || !version.startsWith("1.")) {
            throw new CorruptImageException(where + "/" + OCI_LAYOUT + " has imageLayoutVersion " + version
                    + "; Ferry reads version 1.x layouts");
        }
    }

    /** Parses {@code index.json}, keeping every field (unknown ones included) for rewriting. */
    static ObjectNode parseIndex(byte[] bytes, String where) throws CorruptImageException {
        try {
            ObjectNode node = Json.parseObject(bytes, where + "/" + INDEX);
            entries(node, where);
            return node;
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException(e.getMessage(), e);
        }
    }

    /** The manifests an {@code index.json} lists. */
    static List<Descriptor> entries(ObjectNode index, String where) throws CorruptImageException {
        JsonNode manifests = index.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw new CorruptImageException(where + "/" + INDEX + " has no \"manifests\" array");
        }
        List<Descriptor> list = new ArrayList<>();
        try {
            for (int i = 0; i < manifests.size(); i++) {
                list.add(Json.descriptor(manifests.get(i), where + "/" + INDEX + " manifests[" + i + "]"));
            }
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException(e.getMessage(), e);
        }
        return list;
    }

    static ObjectNode emptyIndex() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("schemaVersion", 2);
        node.put("mediaType", MediaTypes.OCI_INDEX);
        node.putArray("manifests");
        return node;
    }

    /**
     * Adds {@code entry} to an index: with a ref, it replaces the entry of that ref; without one, it is added
     * unless an entry without a ref already names the same manifest. Other entries, and unknown fields, are kept.
     */
    static void addEntry(ObjectNode index, Descriptor entry) {
        ArrayNode manifests = (ArrayNode) index.get("manifests");
        String ref = entry.refName();
        ArrayNode kept = JsonNodeFactory.instance.arrayNode();
        for (JsonNode existing : manifests) {
            JsonNode annotations = existing.path("annotations");
            String existingRef = annotations.path(Descriptor.REF_NAME_ANNOTATION).asText(null);
            if (ref != null && ref.equals(existingRef)) {
                continue;
            }
            if (ref == null && existingRef == null
                    && entry.digest().toString().equals(existing.path("digest").asText())) {
                continue;
            }
            kept.add(existing);
        }
        kept.add(Json.descriptor(entry));
        index.set("manifests", kept);
        if (!index.has("schemaVersion")) {
            index.put("schemaVersion", 2);
        }
    }
}
