package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Inject;
import dev.ferry.engine.ImageInspector;
import dev.ferry.internal.Json;
import dev.ferry.model.Descriptor;
import dev.ferry.model.ImageConfig;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.Platform;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.ImageStore;
import dev.ferry.transport.registry.RegistryReference;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry inspect REF}: an image's manifest, config and layers as JSON, or its raw manifest or config. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "Print an image's digest, platform, config and layers as JSON, in skopeo inspect's keys and shape, with"
                    + " Ferry's extras (diffIDs, the config, the image chosen from an index) as further keys."
        })
public class InspectCommand implements Callable<Integer>, TransportFlags.OpensImages {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REF", description = "The image, for example oci:./layout:latest.")
    String reference;

    @Option(
            names = {"-f", "--format"},
            paramLabel = "TEMPLATE",
            converter = TemplateConverter.class,
            description =
                    "Print with a Go template, as skopeo: {{.Digest}}, {{.Labels}}, {{.Labels.KEY}}, {{json .Layers}}.")
    GoTemplate format;

    /** Parses --format when the command line is parsed: a bad template is a usage error. */
    static final class TemplateConverter implements CommandLine.ITypeConverter<GoTemplate> {
        @Override
        public GoTemplate convert(String value) {
            try {
                return GoTemplate.parse(value);
            } catch (UsageException e) {
                throw new CommandLine.TypeConversionException(
                        e.getMessage() + (e.hint() == null ? "" : "; " + e.hint()));
            }
        }
    }

    @ArgGroup(exclusive = true)
    Raw raw;

    static class Raw {
        @Option(names = "--raw", description = "Print the top-level manifest (or index) bytes exactly as stored.")
        boolean manifest;

        @Option(names = "--config", description = "Print the image config bytes exactly as stored.")
        boolean config;
    }

    @Option(
            names = "--platform",
            paramLabel = "OS/ARCH[/VARIANT]",
            converter = PlatformConverter.class,
            description = "The image to inspect in an index (default: this machine's platform).")
    Platform platform;

    @Option(
            names = {"-n", "--no-tags"},
            description = "Do not list the repository's tags in RepoTags (docker:// only; one request fewer).")
    boolean noTags;

    @Mixin
    TransportOptions transportOptions;

    @Inject
    Transports transports;

    @Inject
    ImageInspector inspector;

    @Inject
    Stdout stdout;

    @Override
    public Integer call() throws Exception {
        ImageReference ref = transportOptions
                .registry(transports, spec.commandLine().getErr())
                .parse(reference);
        try (ImageSource source = ref.openSource(transportOptions.context())) {
            if (raw != null && raw.manifest) {
                writeRaw(source.manifest().bytes());
                return 0;
            }
            InspectedImage image = inspector.inspect(source, platform == null ? Platform.current() : platform);
            if (raw != null && raw.config) {
                writeRaw(image.configBytes());
                return 0;
            }
            ObjectNode described = describe(ref, image, repoTags(ref));
            spec.commandLine().getOut().println(format == null ? GoJson.write(described) : format.apply(described));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /**
     * The tags of a registry repository, every page, as skopeo lists them in RepoTags (not with {@code --no-tags},
     * and not for other transports, whose RepoTags skopeo leaves empty).
     */
    private List<String> repoTags(ImageReference ref) throws IOException {
        if (noTags || !(ref instanceof RegistryReference registry)) {
            return List.of();
        }
        List<String> tags = new ArrayList<>();
        for (ImageStore tagged : registry.list(transportOptions.context())) {
            if (tagged.refName() != null) {
                tags.add(tagged.refName());
            }
        }
        return tags;
    }

    /** Bytes exactly: straight to the standard output stream, not through a character writer. */
    private void writeRaw(byte[] bytes) throws IOException {
        spec.commandLine().getOut().flush();
        stdout.stream().write(bytes);
        stdout.stream().flush();
    }

    /**
     * The image as {@code skopeo inspect} (1.9) prints it, key for key and in its order: Name (registry references
     * only), Digest (of the top-level manifest or index, as skopeo), RepoTags, Created, DockerVersion, Labels,
     * Architecture, Variant (when set), Os, Layers, Env; then newer skopeo's LayersData (after Env, so that skopeo
     * 1.9's text is a prefix of ferry's); then Ferry's extras:
     * Reference, MediaType, Manifest (the image chosen from an index), Config, DiffIDs, Entrypoint, Cmd,
     * WorkingDir, User, ExposedPorts.
     */
    static ObjectNode describe(ImageReference ref, InspectedImage image, List<String> repoTags) {
        JsonNode raw = Json.parse(image.configBytes(), "image config");
        JsonNodeFactory f = JsonNodeFactory.instance;
        ImageConfig config = image.config();
        ObjectNode node = f.objectNode();
        if (ref instanceof RegistryReference registry) {
            node.put("Name", registry.qualifiedName());
        }
        node.put("Digest", image.top().digest().toString());
        ArrayNode tags = node.putArray("RepoTags");
        repoTags.forEach(tags::add);
        node.set("Created", goTime(raw.path("created")));
        node.put("DockerVersion", raw.path("docker_version").asText(""));
        if (config.labels() == null
                || config.labels().isEmpty()
                        && !raw.path("config").path("Labels").isObject()) {
            node.putNull("Labels");
        } else {
            ObjectNode labels = node.putObject("Labels");
            config.labels().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> labels.put(e.getKey(), e.getValue()));
        }
        node.put("Architecture", config.architecture() == null ? "" : config.architecture());
        if (config.variant() != null && !config.variant().isEmpty()) {
            node.put("Variant", config.variant());
        }
        node.put("Os", config.os() == null ? "" : config.os());
        ArrayNode layers = node.putArray("Layers");
        for (InspectedImage.Layer layer : image.layers()) {
            layers.add(layer.descriptor().digest().toString());
        }
        putList(node, "Env", config.env() == null || config.env().isEmpty() ? null : config.env());
        ArrayNode layersData = node.putArray("LayersData");
        for (InspectedImage.Layer layer : image.layers()) {
            Descriptor d = layer.descriptor();
            ObjectNode data = layersData.addObject();
            data.put("MIMEType", d.mediaType());
            data.put("Digest", d.digest().toString());
            data.put("Size", d.size());
            if (d.annotations() == null || d.annotations().isEmpty()) {
                data.putNull("Annotations");
            } else {
                ObjectNode annotations = data.putObject("Annotations");
                new TreeMap<>(d.annotations()).forEach(annotations::put);
            }
        }
        // Ferry's extras
        node.put("Reference", ref.displayName());
        node.put("MediaType", image.top().mediaType());
        if (image.top() != image.manifest()) {
            ObjectNode manifest = node.putObject("Manifest");
            manifest.put("Digest", image.manifest().digest().toString());
            manifest.put("MediaType", image.manifest().mediaType());
        }
        Descriptor c = image.image().config();
        ObjectNode configNode = node.putObject("Config");
        configNode.put("Digest", c.digest().toString());
        configNode.put("Size", c.size());
        configNode.put("MediaType", c.mediaType());
        ArrayNode diffIds = node.putArray("DiffIDs");
        for (InspectedImage.Layer layer : image.layers()) {
            if (layer.diffId() == null) {
                diffIds.addNull();
            } else {
                diffIds.add(layer.diffId().toString());
            }
        }
        putList(node, "Entrypoint", config.entrypoint());
        putList(node, "Cmd", config.cmd());
        node.put("WorkingDir", config.workingDir() == null ? "" : config.workingDir());
        node.put("User", config.user() == null ? "" : config.user());
        putList(node, "ExposedPorts", config.exposedPorts() == null ? List.of() : config.exposedPorts());
        return node;
    }

    /** A config time as Go prints a time.Time (RFC 3339, fraction without trailing zeros, Z for UTC); else as is. */
    static JsonNode goTime(JsonNode created) {
        if (!created.isTextual()) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            OffsetDateTime time = OffsetDateTime.parse(created.textValue());
            StringBuilder out = new StringBuilder(time.toLocalDateTime()
                    .truncatedTo(ChronoUnit.SECONDS)
                    .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
            if (time.getSecond() == 0 && out.length() == 16) {
                out.append(":00");
            }
            if (time.getNano() != 0) {
                out.append('.')
                        .append(String.format(Locale.ROOT, "%09d", time.getNano())
                                .replaceAll("0+$", ""));
            }
            out.append(
                    time.getOffset().getTotalSeconds() == 0
                            ? "Z"
                            : time.getOffset().getId());
            return JsonNodeFactory.instance.textNode(out.toString());
        } catch (DateTimeParseException e) {
            return created;
        }
    }

    private static void putList(ObjectNode node, String field, List<String> values) {
        if (values == null) {
            node.putNull(field);
            return;
        }
        ArrayNode array = node.putArray(field);
        values.forEach(array::add);
    }
}
