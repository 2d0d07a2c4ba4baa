package dev.ferry.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ferry's JSON codec, over Jackson. Internal: it is not part of the SPI, so plugins never see Jackson types from
 * Ferry and may bring their own Jackson.
 */
public final class Json {
    /**
     * How deep arrays and objects may nest in a JSON document Ferry reads. Manifests, indexes and configs nest a
     * handful of levels; unknown fields must survive, so this is generous (Jackson's own default), but explicit:
     * a document of 100,000 nested arrays is refused with one line, never a stack overflow.
     */
    public static final int MAX_DEPTH = 1000;
    /**
     * The largest JSON document Ferry parses: a backstop above the limits of each kind of document, which are
     * checked before reading it (manifests 4 MiB as in the distribution spec, configs 16 MiB, an OCI layout's
     * {@code index.json} 64 MiB).
     */
    public static final int MAX_DOCUMENT = 64 * 1024 * 1024;

    /** Strict about duplicates, lenient about unknown fields (they must survive, so they are never dropped). */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxDocumentLength(MAX_DOCUMENT)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {}

    /**
     * Parses a JSON object.
     *
     * @throws IllegalArgumentException if the bytes are not one JSON object
     */
    public static ObjectNode parseObject(byte[] bytes, String what) {
        JsonNode node = parse(bytes, what);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * Parses a JSON document of any kind (null when {@code bytes} hold none), within {@link #MAX_DEPTH} and
     * {@link #MAX_DOCUMENT}.
     *
     * @throws IllegalArgumentException with one line naming {@code what} and, for a limit, the limit
     */
    public static JsonNode parse(byte[] bytes, String what) {
        if (bytes.length > MAX_DOCUMENT) {
            throw new IllegalArgumentException(what + " is " + bytes.length + " bytes, more than the " + MAX_DOCUMENT
                    + " bytes Ferry reads as JSON");
        }
        try {
            return MAPPER.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw new IllegalArgumentException(what + " " + limit(e) + at(e.getLocation()), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    what + " is not valid JSON: " + e.getOriginalMessage() + at(e.getLocation()), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " could not be read: " + e.getMessage(), e);
        }
    }

    /** Which limit a document broke, in words. */
    private static String limit(StreamConstraintsException e) {
        String message = String.valueOf(e.getOriginalMessage());
        if (message.contains("nesting depth")) {
            return "nests arrays or objects more than " + MAX_DEPTH + " levels deep, Ferry's limit for JSON";
        }
        if (message.contains("document length")) {
            return "is longer than " + MAX_DOCUMENT + " bytes, Ferry's limit for JSON";
        }
        return "is beyond Ferry's limits for JSON (" + message.replace('\n', ' ') + ")";
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** Compact JSON bytes, as skopeo and umoci write them. */
    public static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        return value.asText();
    }

    public static List<String> strings(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an array of strings");
        }
        List<String> list = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("\"" + field + "\" must be an array of strings");
            }
            list.add(item.asText());
        }
        return list;
    }

    public static Map<String, String> stringMap(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an object of strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("\"" + field + "\"." + e.getKey() + " must be a string");
            }
            map.put(e.getKey(), e.getValue().asText());
        }
        return map;
    }

    /** The keys of an object such as {@code ExposedPorts} or {@code Volumes}. */
    public static List<String> keys(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an object");
        }
        List<String> keys = new ArrayList<>();
        value.fieldNames().forEachRemaining(keys::add);
        return keys;
    }
}
