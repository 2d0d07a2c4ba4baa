package dev.ferry.cli;

import com.google.inject.Inject;
import dev.ferry.engine.ImageInspector;
import dev.ferry.model.Platform;
import dev.ferry.service.RuntimeBundle;
import dev.ferry.spi.ImageReference;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry bundle SRC DIR}: an OCI runtime bundle that runc runs. */
@Command(
        name = "bundle",
        mixinStandardHelpOptions = true,
        description = {
            "Make an OCI runtime bundle from an image: DIR/rootfs and DIR/config.json.",
            "With --writable, linuxkit's layout: the image in DIR/lower, empty DIR/tmp and DIR/rootfs as mount"
                    + " points for an overlay."
        })
public class BundleCommand implements Callable<Integer>, TransportFlags.OpensImages, ErrorHandler.Writes {
    @Mixin
    GlobalOptions global;

    @Mixin
    TransportOptions transportOptions;

    @Mixin
    LayerLimitOptions layerLimit;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC", description = "The image, from any transport.")
    String source;

    @Parameters(index = "1", paramLabel = "DIR", description = "The bundle folder: new, or empty.")
    Path dir;

    @Option(names = "--writable", description = "linuxkit's writable layout (lower/, tmp/, rootfs/).")
    boolean writable;

    @Option(
            names = "--rootless",
            description = "Record owners instead of applying them and skip device nodes"
                    + " (automatic when not root); config.json for rootless runc.")
    boolean rootless;

    @Option(
            names = "--platform",
            paramLabel = "OS/ARCH[/VARIANT]",
            converter = PlatformConverter.class,
            description = "The image to use from an index (default: this machine's platform).")
    Platform platform;

    @Inject
    Transports transports;

    @Inject
    ImageInspector inspector;

    @Mixin
    JsonResult jsonResult = new JsonResult();

    @Override
    public String target() {
        return dir == null ? null : dir.toString();
    }

    @Override
    public Integer call() throws Exception {
        ImageReference ref = transportOptions
                .registry(transports, spec.commandLine().getErr())
                .parse(source);
        PrintWriter err = spec.commandLine().getErr();
        try (Progress progress = Progress.open(global, err, "Unpacking " + source + " into " + dir)) {
            new RuntimeBundle(inspector)
                    .run(
                            new RuntimeBundle.Request(
                                    ref, dir, writable, rootless, platform, layerLimit.maxLayerSize()),
                            transportOptions.context(),
                            warning -> {
                                if (!global.quiet()) {
                                    progress.note("warning: " + warning);
                                }
                            },
                            src -> new WatchedSource(src, jsonResult.counting(progress)));
            progress.finish();
        }
        if (jsonResult.enabled()) {
            jsonResult.print(spec.commandLine().getOut(), "bundle", ref.displayName(), dir.toString(), true);
        }
        return 0;
    }
}
