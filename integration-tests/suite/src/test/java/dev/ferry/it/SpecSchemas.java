package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The OCI image-spec JSON schemas from {@code ../shared/spec-schemas/image-spec}, as test oracles. The schemas
 * refer to each other by relative file name but also carry draft-04 {@code id}s that would move their base to
 * opencontainers.org; the copies loaded here drop those ids, so every {@code $ref} resolves to a sibling file.
 */
final class SpecSchemas {
    static final String MANIFEST = "image-manifest-schema.json";
    static final String INDEX = "image-index-schema.json";
    static final String CONFIG = "config-schema.json";
    static final String LAYOUT = "image-layout-schema.json";
    static final String RUNTIME = "config-schema.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static SpecSchemas instance;

    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
    private final Path dir;
    private final Path runtimeDir;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

    private SpecSchemas(Path dir, Path runtimeDir) {
        this.dir = dir;
        this.runtimeDir = runtimeDir;
    }

    /** The schemas; fails under CI=true when the folder is missing, and aborts the test elsewhere. */
    static synchronized SpecSchemas load() throws IOException {
        if (instance != null) {
            return instance;
        }
        Path source = Path.of(System.getProperty("ferry.specSchemas", "../../shared/spec-schemas"), "image-spec");
        if (!Files.isRegularFile(source.resolve(MANIFEST))) {
            String message = "the OCI schemas are missing at " + source.toAbsolutePath()
                    + "; check out ../shared beside the repository";
            if (Peers.ci()) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        instance = new SpecSchemas(copyStripped(source), copyStripped(source.resolveSibling("runtime-spec")));
        return instance;
    }

    private static Path copyStripped(Path source) throws IOException {
        Path copy = Files.createTempDirectory("oci-schemas");
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                JsonNode node = JSON.readTree(file.toFile());
                stripIds(node, false);
                JSON.writeValue(copy.resolve(file.getFileName().toString()).toFile(), node);
            }
        }
        return copy;
    }

    /** Validates a runtime bundle's config.json against the runtime-spec schema. */
    void assertValidRuntimeConfig(byte[] json) throws IOException {
        JsonSchema schema = factory.getSchema(
                SchemaLocation.of(runtimeDir.resolve(RUNTIME).toUri().toString()));
        Set<ValidationMessage> errors = schema.validate(JSON.readTree(json));
        assertTrue(errors.isEmpty(), "config.json is invalid against the runtime-spec schema: " + errors);
    }

    /** Removes schema {@code id}s; a property that happens to be named "id" is kept. */
    private static void stripIds(JsonNode node, boolean isPropertyMap) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            if (!isPropertyMap && object.path("id").isTextual()) {
                object.remove("id");
            }
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                boolean map = !isPropertyMap
                        && (field.getKey().equals("properties")
                                || field.getKey().equals("definitions")
                                || field.getKey().equals("patternProperties"));
                stripIds(field.getValue(), map);
            }
        } else if (node.isArray()) {
            node.forEach(child -> stripIds(child, false));
        }
    }

    /** The validation errors of {@code json} against {@code schema}. */
    Set<ValidationMessage> errors(String schema, byte[] json) {
        JsonSchema s = schemas.computeIfAbsent(
                schema,
                name -> factory.getSchema(
                        SchemaLocation.of(dir.resolve(name).toUri().toString())));
        try {
            return s.validate(JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void assertValid(String schema, byte[] json, String what) {
        Set<ValidationMessage> errors = errors(schema, json);
        assertTrue(errors.isEmpty(), what + " is invalid against " + schema + ": " + errors);
    }

    /**
     * Validates a whole layout: {@code oci-layout}, {@code index.json}, and every manifest, index and config it
     * reaches.
     */
    void assertValidLayout(Path layout) throws IOException {
        assertValid(LAYOUT, Files.readAllBytes(layout.resolve("oci-layout")), layout + "/oci-layout");
        byte[] index = Files.readAllBytes(layout.resolve("index.json"));
        assertValid(INDEX, index, layout + "/index.json");
        for (JsonNode entry : JSON.readTree(index).path("manifests")) {
            validateManifest(layout, entry);
        }
    }

    private void validateManifest(Path layout, JsonNode descriptor) throws IOException {
        byte[] bytes = blob(layout, descriptor.path("digest").asText());
        String mediaType = descriptor.path("mediaType").asText();
        if (mediaType.equals("application/vnd.oci.image.index.v1+json")) {
            assertValid(INDEX, bytes, "index " + descriptor.path("digest").asText());
            for (JsonNode child : JSON.readTree(bytes).path("manifests")) {
                validateManifest(layout, child);
            }
        } else {
            assertValid(MANIFEST, bytes, "manifest " + descriptor.path("digest").asText());
            JsonNode config = JSON.readTree(bytes).path("config");
            assertValid(CONFIG, blob(layout, config.path("digest").asText()), "config " + config.path("digest"));
        }
    }

    private static byte[] blob(Path layout, String digest) throws IOException {
        String[] parts = digest.split(":");
        return Files.readAllBytes(layout.resolve("blobs").resolve(parts[0]).resolve(parts[1]));
    }
}
