package dev.ferry.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Inject;
import dev.ferry.engine.ImageInspector;
import dev.ferry.internal.Json;
import dev.ferry.model.Descriptor;
import dev.ferry.model.ImageIndex;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.Platform;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.OpenContext;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry ls REF}: each image of a repository, layout or archive with its digest, type, platforms and size. */
@Command(
        name = "ls",
        mixinStandardHelpOptions = true,
        description = {
            "List the images of a registry repository, layout or archive: ref, manifest digest, media type,"
                    + " platform(s) and size (the manifest's and its blobs'), one line each."
        })
public class LsCommand implements Callable<Integer>, TransportFlags.OpensImages {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "REF",
            description = "docker://[HOST/]NAME, oci:DIR, oci-archive:FILE or docker-archive:FILE.")
    String reference;

    @Option(names = "--json", description = "Print a JSON array, one object per image.")
    boolean json;

    @Mixin
    TransportOptions transportOptions;

    @Inject
    Transports transports;

    @Inject
    ImageInspector inspector;

    @Override
    public Integer call() throws Exception {
        ImageStore store = ListTagsCommand.store(transportOptions, transports, spec, reference, "list images");
        OpenContext context = transportOptions.context();
        PrintWriter out = spec.commandLine().getOut();
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (ImageStore ref : store.list(context)) {
            try (ImageSource source = ref.openSource(context)) {
                ManifestBytes top = source.manifest();
                List<String> platforms = new ArrayList<>();
                long size = top.size();
                if (top.isIndex() && top.parse() instanceof ImageIndex index) {
                    for (Descriptor d : index.manifests()) {
                        platforms.add(
                                d.platform() == null ? "unknown" : d.platform().toString());
                        size += d.size();
                    }
                } else {
                    var image = inspector.inspect(source, Platform.current());
                    platforms.add(image.config().platform().toString());
                    for (Descriptor blob : image.image().blobs()) {
                        size += blob.size();
                    }
                }
                if (json) {
                    ObjectNode node = array.addObject();
                    node.put("ref", ref.refName());
                    node.put("reference", ref.displayName());
                    node.put("digest", top.digest().toString());
                    node.put("mediaType", top.mediaType());
                    ArrayNode p = node.putArray("platforms");
                    platforms.forEach(p::add);
                    node.put("size", size);
                } else {
                    out.println(ref.refName() + "\t" + top.digest() + "\t" + top.mediaType() + "\t"
                            + String.join(",", platforms) + "\t" + size);
                }
            }
        }
        if (json) {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(array));
        }
        out.flush();
        return 0;
    }
}
