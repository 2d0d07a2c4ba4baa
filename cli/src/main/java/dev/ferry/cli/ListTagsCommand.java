package dev.ferry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Inject;
import dev.ferry.internal.Json;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.OperationNotSupportedException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry list-tags REF}: the tags of a registry repository, or the refs of a layout or archive. */
@Command(
        name = "list-tags",
        mixinStandardHelpOptions = true,
        description = {
            "List the tags of a registry repository (every page), or the refs of a layout or archive, one a line.",
            "--json prints {\"Repository\": ..., \"Tags\": [...]} as skopeo list-tags does."
        })
public class ListTagsCommand implements Callable<Integer>, TransportFlags.OpensImages {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "REF",
            description = "docker://[HOST/]NAME, oci:DIR, oci-archive:FILE or docker-archive:FILE.")
    String reference;

    @Option(names = "--json", description = "Print skopeo list-tags' JSON object.")
    boolean json;

    @Mixin
    TransportOptions transportOptions;

    @Inject
    Transports transports;

    @Override
    public Integer call() throws Exception {
        ImageStore store = store(transportOptions, transports, spec, reference, "list images");
        List<ImageStore> refs = store.list(transportOptions.context());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("Repository", store.storeName());
            ArrayNode tags = node.putArray("Tags");
            refs.forEach(r -> tags.add(r.refName()));
            out.println(skopeoStyle(node));
        } else {
            refs.forEach(r -> out.println(r.refName()));
        }
        out.flush();
        return 0;
    }

    /** JSON as skopeo prints it (Go's MarshalIndent with four spaces): {@code "Tags": [}. */
    static String skopeoStyle(ObjectNode node) throws JsonProcessingException {
        DefaultIndenter indent = new DefaultIndenter("    ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(
                        Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        printer.indentObjectsWith(indent);
        printer.indentArraysWith(indent);
        return Json.MAPPER.writer(printer).writeValueAsString(node);
    }

    /** Parses {@code text} and checks it names a store that lists its images. */
    static ImageStore store(
            TransportOptions transportOptions, Transports transports, CommandSpec spec, String text, String what)
            throws Exception {
        ImageReference ref = transportOptions
                .registry(transports, spec.commandLine().getErr())
                .parse(text);
        if (!(ref instanceof ImageStore store)) {
            throw new OperationNotSupportedException(ref.transport().name(), what);
        }
        return store;
    }
}
