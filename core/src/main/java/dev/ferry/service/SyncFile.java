package dev.ferry.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * skopeo sync's YAML source file ({@code skopeo sync --src yaml FILE}), read as skopeo reads it: registries at the
 * top level, each with {@code images} (repository to a list of tags or digests; an empty list for every tag),
 * {@code images-by-tag-regex} (repository to a regular expression its tags are matched against, anywhere in the
 * tag, as Go's {@code MatchString}), {@code credentials} ({@code username}, {@code password}), {@code tls-verify}
 * and {@code cert-dir}. {@code images-by-semver} is refused with a clear message rather than ignored.
 */
public record SyncFile(List<Registry> registries) {
    /** The YAML file's size limit: a list of names, never content. */
    private static final int MAX_SIZE = 16 * 1024 * 1024;

    /**
     * One registry of the file.
     *
     * @param host the registry, as the file names it ({@code registry.example.com:5000})
     * @param images repository to the tags or digests to copy (empty: every tag)
     * @param tagPatterns repository to the pattern its tags must match
     * @param options the registry's settings, as the registry transport names them ({@code creds},
     *     {@code tls-verify}, {@code cert-dir})
     */
    public record Registry(
            String host,
            Map<String, List<String>> images,
            Map<String, Pattern> tagPatterns,
            Map<String, String> options) {
        @Override
        public String toString() {
            // never the credentials
            return "Registry[" + host + ", " + images.size() + " repositories, " + tagPatterns.size() + " patterns]";
        }
    }

    /** Reads the file at {@code file}. */
    public static SyncFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new FerryException("cannot read " + file + ": no such file", "name skopeo sync's YAML file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_SIZE + 1);
            if (bytes.length > MAX_SIZE) {
                throw new FerryException(file + " has more than " + MAX_SIZE + " bytes", "is it a sync file?");
            }
            return parse(bytes, file.toString());
        }
    }

    /** Parses a file's bytes; {@code where} names it in messages. */
    public static SyncFile parse(byte[] yaml, String where) throws FerryException {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new FerryException(
                    where + " is not valid YAML: " + firstLine(e.getMessage()), "see skopeo-sync(1) for the format");
        }
        List<Registry> registries = new ArrayList<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new SyncFile(registries);
        }
        if (!root.isObject()) {
            throw bad(where, "the top level is not a map of registries");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            registries.add(registry(e.getKey(), e.getValue(), where));
        }
        return new SyncFile(registries);
    }

    private static Registry registry(String host, JsonNode node, String where) throws FerryException {
        String at = where + ", registry " + host;
        Map<String, List<String>> images = new LinkedHashMap<>();
        Map<String, Pattern> patterns = new LinkedHashMap<>();
        Map<String, String> options = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return new Registry(host, images, patterns, options);
        }
        if (!node.isObject()) {
            throw bad(at, "is not a map");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "images" -> {
                    if (v.isNull()) {
                        break;
                    }
                    if (!v.isObject()) {
                        throw bad(at, "images is not a map of repositories");
                    }
                    for (Iterator<Map.Entry<String, JsonNode>> i = v.fields(); i.hasNext(); ) {
                        Map.Entry<String, JsonNode> image = i.next();
                        List<String> refs = new ArrayList<>();
                        JsonNode list = image.getValue();
                        if (list != null && !list.isNull()) {
                            if (!list.isArray()) {
                                throw bad(at, "images: " + image.getKey() + " is not a list of tags");
                            }
                            for (JsonNode ref : list) {
                                refs.add(ref.asText());
                            }
                        }
                        images.put(image.getKey(), refs);
                    }
                }
                case "images-by-tag-regex" -> {
                    if (v.isNull()) {
                        break;
                    }
                    if (!v.isObject()) {
                        throw bad(at, "images-by-tag-regex is not a map of repositories to patterns");
                    }
                    for (Iterator<Map.Entry<String, JsonNode>> i = v.fields(); i.hasNext(); ) {
                        Map.Entry<String, JsonNode> p = i.next();
                        try {
                            patterns.put(
                                    p.getKey(), Pattern.compile(p.getValue().asText()));
                        } catch (PatternSyntaxException x) {
                            throw bad(at, "images-by-tag-regex: " + p.getKey() + ": " + firstLine(x.getMessage()));
                        }
                    }
                }
                case "images-by-semver" -> {
                    if (!v.isNull() && v.size() > 0) {
                        throw new FerryException(
                                at + ": images-by-semver is not supported by Ferry",
                                "list the tags under images, or match them with images-by-tag-regex");
                    }
                }
                case "credentials" -> {
                    String user = v.path("username").asText("");
                    String password = v.path("password").asText("");
                    if (!user.isEmpty() || !password.isEmpty()) {
                        options.put("creds", user + ":" + password);
                    }
                }
                case "tls-verify" -> {
                    if (!v.isBoolean()) {
                        throw bad(at, "tls-verify is not true or false");
                    }
                    options.put("tls-verify", Boolean.toString(v.asBoolean()));
                }
                case "cert-dir" -> {
                    if (!v.asText("").isEmpty()) {
                        options.put("cert-dir", v.asText());
                    }
                }
                default -> throw bad(at, "unknown key \"" + e.getKey() + "\"");
            }
        }
        return new Registry(host, images, patterns, options);
    }

    private static FerryException bad(String where, String what) {
        return new FerryException(where + ": " + what, "see skopeo-sync(1) for the YAML format");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public String toString() {
        // never the credentials
        return "SyncFile[" + registries.size() + " registries]";
    }
}
