package dev.ferry.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of an image configuration, OCI or Docker, that Ferry reads. Both formats share these field names;
 * the bytes themselves are kept elsewhere and never re-serialized.
 *
 * @param created creation time, RFC 3339, or null
 * @param author the author, or null
 * @param architecture the CPU architecture
 * @param os the operating system
 * @param variant the CPU variant, or null
 * @param user the user the process runs as, or null
 * @param exposedPorts exposed ports such as {@code 80/tcp}, or null
 * @param env environment, {@code KEY=VALUE}, or null
 * @param entrypoint the entrypoint, or null
 * @param cmd the default arguments, or null
 * @param volumes volumes, or null
 * @param workingDir the working directory, or null
 * @param labels labels, or null
 * @param stopSignal the stop signal, or null
 * @param diffIds the uncompressed layer digests, base first
 * @param history the history entries
 */
public record ImageConfig(
        String created,
        String author,
        String architecture,
        String os,
        String variant,
        String user,
        List<String> exposedPorts,
        List<String> env,
        List<String> entrypoint,
        List<String> cmd,
        List<String> volumes,
        String workingDir,
        Map<String, String> labels,
        String stopSignal,
        List<Digest> diffIds,
        List<History> history) {

    /**
     * One history entry.
     *
     * @param created creation time or null
     * @param createdBy the command that made it, or null
     * @param comment a comment, or null
     * @param emptyLayer whether it made no layer
     */
    public record History(String created, String createdBy, String comment, boolean emptyLayer) {}

    /** The platform this config declares. */
    public Platform platform() {
        return Platform.of(os == null ? "" : os, architecture == null ? "" : architecture, variant);
    }

    /**
     * Parses config bytes.
     *
     * @throws IllegalArgumentException if they are not a valid image config
     */
    public static ImageConfig parse(byte[] bytes) {
        ObjectNode node = Json.parseObject(bytes, "image config");
        JsonNode config = node.get("config");
        if (config == null || config.isNull()) {
            config = node.path("container_config");
        }
        if (!config.isObject() && !config.isMissingNode()) {
            throw new IllegalArgumentException("image config \"config\" must be an object");
        }
        JsonNode rootfs = node.get("rootfs");
        List<Digest> diffIds = new ArrayList<>();
        if (rootfs != null && !rootfs.isNull()) {
            List<String> ids = Json.strings(rootfs, "diff_ids");
            if (ids != null) {
                for (String id : ids) {
                    diffIds.add(Digest.parse(id));
                }
            }
        }
        List<History> history = new ArrayList<>();
        JsonNode h = node.get("history");
        if (h != null && h.isArray()) {
            for (JsonNode entry : h) {
                history.add(new History(
                        Json.text(entry, "created"),
                        Json.text(entry, "created_by"),
                        Json.text(entry, "comment"),
                        entry.path("empty_layer").asBoolean(false)));
            }
        }
        return new ImageConfig(
                Json.text(node, "created"),
                Json.text(node, "author"),
                Json.text(node, "architecture"),
                Json.text(node, "os"),
                Json.text(node, "variant"),
                Json.text(config, "User"),
                Json.keys(config, "ExposedPorts"),
                Json.strings(config, "Env"),
                Json.strings(config, "Entrypoint"),
                Json.strings(config, "Cmd"),
                Json.keys(config, "Volumes"),
                Json.text(config, "WorkingDir"),
                Json.stringMap(config, "Labels"),
                Json.text(config, "StopSignal"),
                List.copyOf(diffIds),
                List.copyOf(history));
    }
}
