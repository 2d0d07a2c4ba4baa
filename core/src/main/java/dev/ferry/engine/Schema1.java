package dev.ferry.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.ManifestFormat;
import dev.ferry.spi.CorruptImageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Docker v2 schema 1 manifest, read as containers/image and libpod do: {@code fsLayers} and {@code history}
 * are top-first, so they are reversed; an entry whose {@code v1Compatibility} says {@code throwaway} made no
 * layer (its blob, the empty gzip tar, is skipped); the config is rebuilt from the top entry, and the diffIDs,
 * which schema 1 does not carry, are computed from the layers.
 */
final class Schema1 {
    /**
     * One history entry, base first.
     *
     * @param blob the layer blob, or null for an empty layer
     * @param v1 its {@code v1Compatibility} object
     */
    record Step(Digest blob, JsonNode v1) {}

    final List<Step> steps;
    final JsonNode top;

    private Schema1(List<Step> steps, JsonNode top) {
        this.steps = steps;
        this.top = top;
    }

    static Schema1 parse(ManifestBytes manifest, String where) throws CorruptImageException {
        try {
            ObjectNode node = Json.parseObject(manifest.bytes(), "schema 1 manifest");
            JsonNode layers = node.path("fsLayers");
            JsonNode history = node.path("history");
            if (!layers.isArray() || !history.isArray() || layers.size() != history.size() || layers.isEmpty()) {
                throw new IllegalArgumentException("\"fsLayers\" and \"history\" must be arrays of one length");
            }
            List<Step> steps = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                JsonNode v1 = Json.MAPPER.readTree(
                        history.get(i).path("v1Compatibility").asText());
                if (v1 == null || !v1.isObject()) {
                    throw new IllegalArgumentException("history[" + i + "].v1Compatibility is not a JSON object");
                }
                boolean empty = v1.path("throwaway").asBoolean(false);
                Digest blob = Digest.parse(layers.get(i).path("blobSum").asText());
                steps.add(new Step(empty ? null : blob, v1));
            }
            JsonNode top = steps.get(0).v1();
            Collections.reverse(steps);
            return new Schema1(List.copyOf(steps), top);
        } catch (IllegalArgumentException | IOException e) {
            throw new CorruptImageException(
                    "schema 1 manifest " + manifest.digest() + " of " + where + " is malformed: " + e.getMessage(), e);
        }
    }

    /** A Docker/OCI config from the top entry, the history, and the computed diffIDs. */
    byte[] config(List<Digest> diffIds) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode config = f.objectNode();
        for (String field : List.of("created", "author", "architecture", "os", "variant")) {
            JsonNode value = top.get(field);
            if (value != null && value.isTextual()) {
                config.set(field, value);
            }
        }
        if (!config.has("os")) {
            config.put("os", "linux");
        }
        if (top.get("config") != null && top.get("config").isObject()) {
            config.set("config", top.get("config"));
        }
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(d -> ids.add(d.toString()));
        ArrayNode history = config.putArray("history");
        for (Step step : steps) {
            ObjectNode h = history.addObject();
            if (step.v1().path("created").isTextual()) {
                h.set("created", step.v1().get("created"));
            }
            List<String> cmd = new ArrayList<>();
            step.v1().path("container_config").path("Cmd").forEach(c -> cmd.add(c.asText()));
            if (!cmd.isEmpty()) {
                h.put("created_by", String.join(" ", cmd));
            }
            if (step.v1().path("author").isTextual()) {
                h.set("author", step.v1().get("author"));
            }
            if (step.v1().path("comment").isTextual()) {
                h.set("comment", step.v1().get("comment"));
            }
            if (step.blob() == null) {
                h.put("empty_layer", true);
            }
        }
        return ConfigConverter.convert(Json.write(config), ManifestFormat.V2S2);
    }
}
