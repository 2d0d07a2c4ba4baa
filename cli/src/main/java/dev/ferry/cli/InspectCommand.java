package dev.ferry.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
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
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
        description = "Print an image's digest, platform, config and layers as JSON.")
public class InspectCommand implements Callable<Integer>, TransportFlags.OpensImages {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REF", description = "The image, for example oci:./layout:latest.")
    String reference;

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
            String json = Json.MAPPER
                    .copy()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(describe(ref, image));
            spec.commandLine().getOut().println(json);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /** Bytes exactly: straight to the standard output stream, not through a character writer. */
    private void writeRaw(byte[] bytes) throws IOException {
        spec.commandLine().getOut().flush();
        stdout.stream().write(bytes);
        stdout.stream().flush();
    }

    static ObjectNode describe(ImageReference ref, InspectedImage image) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ImageConfig config = image.config();
        ObjectNode node = f.objectNode();
        node.put("reference", ref.displayName());
        node.put("digest", image.manifest().digest().toString());
        node.put("mediaType", image.manifest().mediaType());
        if (image.top() != image.manifest()) {
            ObjectNode index = node.putObject("index");
            index.put("digest", image.top().digest().toString());
            index.put("mediaType", image.top().mediaType());
        }
        node.put("platform", config.platform().toString());
        node.put("created", config.created());
        if (config.author() != null) {
            node.put("author", config.author());
        }
        putList(node, "entrypoint", config.entrypoint());
        putList(node, "cmd", config.cmd());
        putList(node, "env", config.env());
        node.put("workingDir", config.workingDir());
        node.put("user", config.user());
        ObjectNode labels = node.putObject("labels");
        if (config.labels() != null) {
            config.labels().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> labels.put(e.getKey(), e.getValue()));
        }
        putList(node, "exposedPorts", config.exposedPorts() == null ? List.of() : config.exposedPorts());
        Descriptor c = image.image().config();
        ObjectNode configNode = node.putObject("config");
        configNode.put("digest", c.digest().toString());
        configNode.put("size", c.size());
        configNode.put("mediaType", c.mediaType());
        ArrayNode layers = node.putArray("layers");
        for (InspectedImage.Layer layer : image.layers()) {
            ObjectNode l = layers.addObject();
            l.put("digest", layer.descriptor().digest().toString());
            l.put("size", layer.descriptor().size());
            l.put("mediaType", layer.descriptor().mediaType());
            l.put("diffId", layer.diffId() == null ? null : layer.diffId().toString());
        }
        return node;
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
