package dev.ferry.rootfs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import dev.ferry.model.ImageConfig;
import dev.ferry.spi.CorruptImageException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI runtime {@code config.json} for an image: what {@code runc spec} gives (mounts, namespaces, capabilities,
 * masked and read-only paths), with the process from the image config: args = entrypoint + cmd, env, cwd, and
 * the user, whose names are resolved through the rootfs's {@code /etc/passwd} and {@code /etc/group}.
 */
public final class RuntimeConfig {
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private RuntimeConfig() {}

    /**
     * The config.json bytes.
     *
     * @param extractor the extracted rootfs, to resolve user and group names within it
     * @param readonly whether the root is mounted read-only
     * @param rootPath {@code root.path}
     * @param rootless whether runc runs rootless (a user namespace mapping this user to root)
     */
    public static byte[] create(
            ImageConfig config, Extractor extractor, boolean readonly, String rootPath, boolean rootless)
            throws IOException {
        ObjectNode spec;
        try (InputStream in = RuntimeConfig.class.getResourceAsStream("runtime-defaults.json")) {
            spec = (ObjectNode) Json.MAPPER.readTree(in);
        }
        ObjectNode process = (ObjectNode) spec.get("process");
        List<String> args = new ArrayList<>();
        if (config.entrypoint() != null) {
            args.addAll(config.entrypoint());
        }
        if (config.cmd() != null) {
            args.addAll(config.cmd());
        }
        if (args.isEmpty()) {
            args.add("sh"); // as runc spec does, for an image that names no process
        }
        ArrayNode argsNode = process.putArray("args");
        args.forEach(argsNode::add);
        ArrayNode env = process.putArray("env");
        List<String> imageEnv = config.env() == null ? List.of() : config.env();
        if (imageEnv.stream().noneMatch(e -> e.startsWith("PATH="))) {
            env.add(DEFAULT_PATH);
        }
        imageEnv.forEach(env::add);
        process.put("cwd", config.workingDir() == null || config.workingDir().isEmpty() ? "/" : config.workingDir());
        process.put("terminal", false);
        long[] user = user(config.user(), extractor);
        ObjectNode userNode = process.putObject("user");
        userNode.put("uid", user[0]);
        userNode.put("gid", user[1]);
        ObjectNode root = spec.putObject("root");
        root.put("path", rootPath);
        root.put("readonly", readonly);
        if (rootless) {
            rootlessAdjustments(spec);
        }
        return Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(spec);
    }

    /** As {@code runc spec --rootless}: a user namespace mapping the current user to root, no host-only mounts. */
    private static void rootlessAdjustments(ObjectNode spec) throws IOException {
        ObjectNode linux = (ObjectNode) spec.get("linux");
        ArrayNode namespaces = (ArrayNode) linux.get("namespaces");
        ArrayNode kept = namespaces.arrayNode();
        for (JsonNode ns : namespaces) {
            if (!ns.path("type").asText().equals("network")) {
                kept.add(ns);
            }
        }
        kept.addObject().put("type", "user");
        linux.set("namespaces", kept);
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        long gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
        linux.putArray("uidMappings")
                .addObject()
                .put("containerID", 0)
                .put("hostID", uid)
                .put("size", 1);
        linux.putArray("gidMappings")
                .addObject()
                .put("containerID", 0)
                .put("hostID", gid)
                .put("size", 1);
        linux.remove("resources");
        ArrayNode mounts = (ArrayNode) spec.get("mounts");
        for (JsonNode mount : mounts) {
            ObjectNode m = (ObjectNode) mount;
            if (m.path("destination").asText().equals("/sys")) {
                m.put("type", "none");
                m.put("source", "/sys");
                ArrayNode options = m.putArray("options");
                options.add("rbind").add("nosuid").add("noexec").add("nodev").add("ro");
            }
            if (m.path("destination").asText().equals("/dev/pts") && m.get("options") instanceof ArrayNode o) {
                for (int i = o.size() - 1; i >= 0; i--) {
                    if (o.get(i).asText().equals("gid=5")) {
                        o.remove(i);
                    }
                }
            }
        }
    }

    /** {@code user[:group]}, names resolved in the rootfs; numbers as they are; root when empty. */
    static long[] user(String spec, Extractor rootfs) throws IOException {
        if (spec == null || spec.isEmpty()) {
            return new long[] {0, 0};
        }
        String userPart = spec;
        String groupPart = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            userPart = spec.substring(0, colon);
            groupPart = spec.substring(colon + 1);
        }
        long uid;
        long gid = -1;
        if (userPart.matches("\\d+")) {
            uid = Long.parseLong(userPart);
            String[] line = find(rootfs, "etc/passwd", 2, userPart);
            if (line != null && line.length > 3) {
                gid = number(line[3], "etc/passwd");
            }
        } else {
            String[] line = find(rootfs, "etc/passwd", 0, userPart);
            if (line == null || line.length < 4) {
                throw new CorruptImageException("the image's user \"" + userPart + "\" is not in its /etc/passwd");
            }
            uid = number(line[2], "etc/passwd");
            gid = number(line[3], "etc/passwd");
        }
        if (groupPart != null && !groupPart.isEmpty()) {
            if (groupPart.matches("\\d+")) {
                gid = Long.parseLong(groupPart);
            } else {
                String[] line = find(rootfs, "etc/group", 0, groupPart);
                if (line == null || line.length < 3) {
                    throw new CorruptImageException(
                            "the image's group \"" + groupPart + "\" is not in its" + " /etc/group");
                }
                gid = number(line[2], "etc/group");
            }
        }
        return new long[] {uid, gid < 0 ? 0 : gid};
    }

    /** An id field of the image's passwd or group file. */
    private static long number(String field, String file) throws CorruptImageException {
        try {
            return Long.parseLong(field.strip());
        } catch (NumberFormatException e) {
            throw new CorruptImageException("the image's /" + file + " has \""
                    + (field.length() > 40 ? field.substring(0, 40) + "..." : field) + "\" where an id should be");
        }
    }

    private static String[] find(Extractor rootfs, String file, int column, String value) throws IOException {
        Path path = rootfs.resolve(file, true);
        if (!Files.isRegularFile(path)) {
            return null;
        }
        // Streamed, a line at a time and at most MAX_LINE chars of each: the file is the image's, of any size.
        try (Reader in = new InputStreamReader(
                new BufferedInputStream(Files.newInputStream(path), 1 << 16), StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            boolean tooLong = false;
            for (int c = in.read(); ; c = in.read()) {
                if (c < 0 || c == '\n') {
                    if (line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
                        line.setLength(line.length() - 1);
                    }
                    if (!tooLong) {
                        String[] fields = line.toString().split(":", -1);
                        if (fields.length > column && fields[column].equals(value)) {
                            return fields;
                        }
                    }
                    if (c < 0) {
                        return null;
                    }
                    line.setLength(0);
                    tooLong = false;
                } else if (line.length() < MAX_LINE) {
                    line.append((char) c);
                } else {
                    tooLong = true; // no passwd or group line is this long: skipped
                }
            }
        }
    }

    /** The longest line of {@code /etc/passwd} or {@code /etc/group} read. */
    private static final int MAX_LINE = 1 << 16;
}
