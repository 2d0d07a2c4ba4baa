package dev.ferry.cli;

import com.google.inject.Inject;
import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyOptions;
import dev.ferry.engine.CopyResult;
import dev.ferry.model.Platform;
import dev.ferry.spi.ImageReference;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry copy SRC DEST}: copies an image, verified, and prints the destination manifest's digest. */
@Command(name = "copy", mixinStandardHelpOptions = true,
        description = {"Copy an image from SRC to DEST, verifying every blob while it streams.",
                "Prints the digest of the manifest written to DEST."})
public class CopyCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC", description = "The image to read, for example oci:./in:latest.")
    String source;

    @Parameters(index = "1", paramLabel = "DEST", description = "Where to write it, for example oci-archive:out.tar:v1.")
    String destination;

    @ArgGroup(exclusive = true)
    Selection selection;

    static class Selection {
        @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", converter = PlatformConverter.class,
                description = "From an index, copy the image for this platform (default: this machine's).")
        Platform platform;

        @Option(names = "--all", description = "From an index, copy every image and the index itself.")
        boolean all;
    }

    @Inject
    Transports transports;

    @Inject
    CopyEngine engine;

    @Override
    public Integer call() throws Exception {
        ImageReference from = transports.registry().parse(source);
        ImageReference to = transports.registry().parse(destination);
        CopyOptions options = CopyOptions.defaults();
        if (selection != null && selection.all) {
            options = options.withAllPlatforms();
        } else if (selection != null && selection.platform != null) {
            options = options.withPlatform(selection.platform);
        }
        CopyListener listener = global.quiet() || System.console() == null
                ? CopyListener.NONE : new ProgressDisplay(spec.commandLine().getErr());
        CopyResult result = engine.copy(from, to, options, listener);
        if (listener instanceof ProgressDisplay display) {
            display.finish(result);
        }
        spec.commandLine().getOut().println(result.manifestDigest());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
