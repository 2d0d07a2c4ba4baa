package dev.ferry.cli;

import com.google.inject.Inject;
import dev.ferry.build.ImageBuilder;
import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyResult;
import dev.ferry.engine.ImageInspector;
import dev.ferry.engine.TransportRegistry;
import dev.ferry.model.Platform;
import dev.ferry.service.ImageBuild;
import dev.ferry.spi.ImageReference;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry build CONTEXT --to DEST}: one new layer from a folder, on a base image or on nothing. */
@Command(
        name = "build",
        mixinStandardHelpOptions = true,
        description = {
            "Build an image: one new layer from the folder CONTEXT, on top of --from BASE or of nothing,"
                    + " written to DEST (any transport).",
            "Reproducible: the same CONTEXT and options give the same digests (mtimes from SOURCE_DATE_EPOCH or"
                    + " zero, owner 0:0 unless --uid/--gid). Prints the manifest digest."
        })
public class BuildCommand implements Callable<Integer>, TransportFlags.OpensImages, ErrorHandler.Writes {
    @Mixin
    GlobalOptions global;

    @Mixin
    TransportOptions transportOptions;

    @Mixin
    LayerLimitOptions layerLimit;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONTEXT", description = "The folder the new layer holds.")
    Path context;

    @Option(names = "--to", required = true, paramLabel = "DEST", description = "Where to write the image.")
    String destination;

    @Option(names = "--from", paramLabel = "BASE", description = "The base image (default: none).")
    String base;

    @Option(names = "--entrypoint", paramLabel = "CMD", description = "The entrypoint: a JSON array, or words.")
    String entrypoint;

    @Option(names = "--cmd", paramLabel = "CMD", description = "The default arguments: a JSON array, or words.")
    String cmd;

    @Option(names = "--env", paramLabel = "K=V", description = "Set an environment variable (repeatable).")
    List<String> env = List.of();

    @Option(names = "--label", paramLabel = "K=V", description = "Set a label (repeatable).")
    List<String> labels = List.of();

    @Option(names = "--workdir", paramLabel = "DIR", description = "The working directory.")
    String workdir;

    @Option(names = "--user", paramLabel = "USER[:GROUP]", description = "The user the process runs as.")
    String user;

    @Option(
            names = "--platform",
            paramLabel = "OS/ARCH[/VARIANT]",
            converter = PlatformConverter.class,
            description = "The platform: of the base to take from an index, or of an image from nothing.")
    Platform platform;

    @Option(names = "--uid", paramLabel = "N", description = "Owner of every entry of the new layer (default 0).")
    long uid = -1;

    @Option(names = "--gid", paramLabel = "N", description = "Group of every entry of the new layer (default 0).")
    long gid = -1;

    @Inject
    Transports transports;

    @Inject
    ImageInspector inspector;

    @Inject
    CopyEngine engine;

    /** The base image is the source (--src-NAME), DEST the destination (--dest-NAME). */
    @Override
    public boolean twoSided() {
        return true;
    }

    @Mixin
    JsonResult jsonResult = new JsonResult();

    @Override
    public String target() {
        return destination;
    }

    @Override
    public Integer call() throws Exception {
        TransportRegistry registry =
                transportOptions.registry(transports, spec.commandLine().getErr());
        ImageReference to = registry.parse(destination);
        ImageReference from = base == null ? null : registry.parse(base);
        ImageBuilder.Options options = new ImageBuilder.Options(
                CommandWords.words(entrypoint, "--entrypoint"),
                CommandWords.words(cmd, "--cmd"),
                CommandWords.pairs(env, "--env"),
                CommandWords.pairs(labels, "--label"),
                workdir,
                user,
                platform,
                created());
        PrintWriter err = spec.commandLine().getErr();
        CopyResult result;
        try (Progress progress = Progress.open(global, err, "Building " + destination, "Writing " + destination)) {
            result = new ImageBuild(engine, inspector)
                    .run(
                            new ImageBuild.Request(context, from, to, options, uid, gid, layerLimit.maxLayerSize()),
                            transportOptions.sourceContext(),
                            transportOptions.destinationContext(),
                            warning -> {
                                if (!global.quiet()) {
                                    progress.note("warning: " + warning);
                                }
                            },
                            jsonResult.counting(progress));
            progress.finish(result);
        }
        if (jsonResult.enabled()) {
            jsonResult.print(
                    spec.commandLine().getOut(),
                    "build",
                    from == null ? null : from.displayName(),
                    to.displayName(),
                    result);
            return 0;
        }
        spec.commandLine().getOut().println(result.manifestDigest());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** SOURCE_DATE_EPOCH, or the epoch. */
    private static Instant created() throws UsageException {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch == null || epoch.isBlank()) {
            return Instant.EPOCH;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(epoch.strip()));
        } catch (NumberFormatException e) {
            throw new UsageException("SOURCE_DATE_EPOCH is \"" + epoch + "\", not a number of seconds", null);
        }
    }
}
