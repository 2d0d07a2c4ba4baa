package dev.ferry.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import dev.ferry.model.ManifestFormat;
import java.util.List;

/**
 * Converts an image config between the OCI v1 and Docker v2s2 formats, as libpod's CopyData does: the fields
 * both formats define are kept (user, exposed ports, env, entrypoint, cmd, volumes, working dir, labels, stop
 * signal, created, author, architecture, os and its version and features, variant, rootfs diff_ids, history with
 * empty_layer); what only Docker has ({@code container}, {@code container_config}, {@code docker_version},
 * {@code config.Hostname}, {@code config.Image}, ...) is dropped on the way to OCI. The diffIDs never change. A copy
 * from OCI to Docker v2s2 keeps the config's bytes instead ({@link ImageConverter}); this way is for configs made
 * here (schema 1's).
 */
public final class ConfigConverter {
    private static final List<String> TOP =
            List.of("created", "author", "architecture", "os", "os.version", "os.features", "variant");
    private static final List<String> CONFIG = List.of(
            "User",
            "ExposedPorts",
            "Env",
            "Entrypoint",
            "Cmd",
            "Volumes",
            "WorkingDir",
            "Labels",
            "StopSignal",
            "ArgsEscaped");
    private static final List<String> HISTORY = List.of("created", "created_by", "author", "comment", "empty_layer");

    private ConfigConverter() {}

    /**
     * The config bytes for {@code target}.
     *
     * @throws IllegalArgumentException if the bytes are not a config
     */
    public static byte[] convert(byte[] config, ManifestFormat target) {
        ObjectNode source = Json.parseObject(config, "image config");
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode out = f.objectNode();
        copy(source, out, TOP);
        JsonNode sourceConfig = source.get("config");
        if (sourceConfig != null && sourceConfig.isObject()) {
            ObjectNode c = out.putObject("config");
            copy(sourceConfig, c, target == ManifestFormat.OCI ? CONFIG.subList(0, CONFIG.size() - 1) : CONFIG);
        }
        ObjectNode rootfs = out.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        source.path("rootfs").path("diff_ids").forEach(diffIds::add);
        JsonNode history = source.get("history");
        if (history != null && history.isArray()) {
            ArrayNode h = out.putArray("history");
            for (JsonNode entry : history) {
                ObjectNode e = h.addObject();
                copy(entry, e, HISTORY);
            }
        }
        if (!out.has("os")) {
            out.put("os", "linux");
        }
        return Json.write(out);
    }

    private static void copy(JsonNode from, ObjectNode to, List<String> fields) {
        for (String field : fields) {
            JsonNode value = from.get(field);
            if (value != null && !value.isNull()) {
                to.set(field, value);
            }
        }
    }
}
