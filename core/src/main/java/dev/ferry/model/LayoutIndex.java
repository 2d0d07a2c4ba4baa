package dev.ferry.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code index.json} of an OCI image layout: the manifests it lists, with every other field, unknown ones
 * included, kept as it was for rewriting (other tools' fields survive Ferry's writes). Immutable: {@link #with}
 * returns a new index.
 */
public final class LayoutIndex {
    /** The {@code oci-layout} file Ferry writes. */
    public static final String LAYOUT_VERSION = "1.0.0";

    private final ObjectNode node;
    private final List<Descriptor> entries;

    private LayoutIndex(ObjectNode node, List<Descriptor> entries) {
        this.node = node;
        this.entries = List.copyOf(entries);
    }

    /** An index that lists nothing. */
    public static LayoutIndex empty() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("schemaVersion", 2);
        node.put("mediaType", MediaTypes.OCI_INDEX);
        node.putArray("manifests");
        return new LayoutIndex(node, List.of());
    }

    /**
     * Parses {@code index.json}.
     *
     * @param where the file, for messages
     * @throws IllegalArgumentException naming {@code where}, if it is not JSON, has no {@code manifests} array, or
     *     lists an invalid descriptor
     */
    public static LayoutIndex parse(byte[] bytes, String where) {
        ObjectNode node = Json.parseObject(bytes, where);
        JsonNode manifests = node.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw new IllegalArgumentException(where + " has no \"manifests\" array");
        }
        List<Descriptor> list = new ArrayList<>();
        for (int i = 0; i < manifests.size(); i++) {
            list.add(ModelJson.descriptor(manifests.get(i), where + " manifests[" + i + "]"));
        }
        return new LayoutIndex(node, list);
    }

    /**
     * Checks an {@code oci-layout} file: version 1.x.
     *
     * @throws IllegalArgumentException naming {@code where}, if it is not one
     */
    public static void checkLayoutFile(byte[] bytes, String where) {
        ObjectNode node = Json.parseObject(bytes, where);
        String version = node.path("imageLayoutVersion").asText(null);
        if (version == null || !version.startsWith("1.")) {
            throw new IllegalArgumentException(
                    where + " has imageLayoutVersion " + version + "; Ferry reads version 1.x layouts");
        }
    }

    /** The {@code oci-layout} file's bytes. */
    public static byte[] layoutFile() {
        return ("{\"imageLayoutVersion\":\"" + LAYOUT_VERSION + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** The manifests listed, in order. */
    public List<Descriptor> entries() {
        return entries;
    }

    /**
     * This index with {@code entry}: with a ref ({@link Descriptor#refName()}), it replaces the entry of that ref;
     * without one, it is added unless an entry without a ref already names the same manifest. Other entries, and
     * unknown fields, are kept as they were.
     */
    public LayoutIndex with(Descriptor entry) {
        ObjectNode copy = node.deepCopy();
        ArrayNode kept = JsonNodeFactory.instance.arrayNode();
        List<Descriptor> list = new ArrayList<>();
        String ref = entry.refName();
        JsonNode manifests = copy.get("manifests");
        for (int i = 0; i < entries.size(); i++) {
            Descriptor existing = entries.get(i);
            String existingRef = existing.refName();
            if (ref != null && ref.equals(existingRef)
                    || ref == null && existingRef == null && entry.digest().equals(existing.digest())) {
                continue;
            }
            kept.add(manifests.get(i));
            list.add(existing);
        }
        kept.add(ModelJson.descriptor(entry));
        list.add(entry);
        copy.set("manifests", kept);
        if (!copy.has("schemaVersion")) {
            copy.put("schemaVersion", 2);
        }
        return new LayoutIndex(copy, list);
    }

    /**
     * This index without the entries whose ref ({@link Descriptor#refName()}) is {@code ref}; other entries, and
     * unknown fields, are kept as they were.
     */
    public LayoutIndex withoutRef(String ref) {
        ObjectNode copy = node.deepCopy();
        ArrayNode kept = JsonNodeFactory.instance.arrayNode();
        List<Descriptor> list = new ArrayList<>();
        JsonNode manifests = copy.get("manifests");
        for (int i = 0; i < entries.size(); i++) {
            if (ref.equals(entries.get(i).refName())) {
                continue;
            }
            kept.add(manifests.get(i));
            list.add(entries.get(i));
        }
        copy.set("manifests", kept);
        return new LayoutIndex(copy, list);
    }

    /** The bytes to write: compact JSON, the fields in the order they were read. */
    public byte[] toBytes() {
        return Json.write(node);
    }
}
