package dev.ferry.cli;

import com.google.inject.Inject;
import dev.ferry.engine.ImageInspector;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.Platform;
import dev.ferry.rootfs.ExportOptions;
import dev.ferry.rootfs.RootfsExport;
import dev.ferry.spi.ContainerExport;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry export SRC OUT}: an image's flattened root filesystem, as a tar. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Write the root filesystem of an image (its layers applied in order) as a tar.",
            "OUT is a file, or - for standard output."
        })
public class ExportCommand implements Callable<Integer>, TransportFlags.OpensImages, ErrorHandler.Writes {
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

    @Parameters(
            index = "1",
            paramLabel = "OUT",
            description = "The tar file to write, or - for stdout. A regular"
                    + " file: new, or replaced (atomically, its mode kept) if it is empty or a tar; a symlink to one is"
                    + " written through.")
    String output;

    @Option(
            names = "--force",
            description =
                    "Replace OUT even if it is neither empty nor a tar (never a device," + " FIFO, socket or folder).")
    boolean force;

    @Option(names = "--prefix", paramLabel = "DIR/", description = "Put every entry under DIR/ (created first).")
    String prefix = "";

    @Option(names = "--exclude", paramLabel = "PATH", description = "Leave PATH out (repeatable).")
    List<String> excludes = List.of();

    @Option(
            names = "--replace",
            paramLabel = "PATH=FILE",
            description = "Replace PATH's content by FILE's" + " (repeatable).")
    List<String> replacements = List.of();

    @Option(
            names = "--resolv-conf-symlink",
            paramLabel = "TARGET",
            description = "Make etc/resolv.conf a symlink to TARGET.")
    String resolvConfSymlink;

    @Option(
            names = "--docker-defaults",
            description = "linuxkit's lists: leave out what Docker adds to every"
                    + " container (.dockerenv, Dockerfile, dev/console, dev/pts, dev/shm, etc/hostname); fixed etc/hosts"
                    + " and etc/resolv.conf.")
    boolean dockerDefaults;

    @Option(
            names = "--platform",
            paramLabel = "OS/ARCH[/VARIANT]",
            converter = PlatformConverter.class,
            description = "The image to export from an index (default: this machine's platform).")
    Platform platform;

    @Option(
            names = "--via-container",
            description = "For docker sources: linuxkit's route, docker create +"
                    + " docker export + docker rm (the container is removed also on failure and on Ctrl-C).")
    boolean viaContainer;

    @Inject
    Transports transports;

    @Inject
    ImageInspector inspector;

    @Inject
    Stdout stdout;

    ExportOptions options() throws FerryException {
        Set<String> excluded = new HashSet<>();
        for (String e : excludes) {
            excluded.add(clean(e));
        }
        Map<String, Path> replaced = new HashMap<>();
        for (String r : replacements) {
            int eq = r.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--replace " + r + " is not PATH=FILE", "for example etc/motd=./motd");
            }
            Path file = Path.of(r.substring(eq + 1));
            if (!Files.isRegularFile(file)) {
                throw new UsageException("--replace " + r + ": " + file + " is not a file", null);
            }
            replaced.put(clean(r.substring(0, eq)), file);
        }
        try {
            return new ExportOptions(prefix, excluded, replaced, resolvConfSymlink, dockerDefaults);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--prefix: " + e.getMessage(), null);
        }
    }

    private static String clean(String path) {
        return String.join(
                "/",
                Arrays.stream(path.split("/"))
                        .filter(p -> !p.isEmpty() && !p.equals("."))
                        .toList());
    }

    @Mixin
    JsonResult jsonResult = new JsonResult();

    @Override
    public String target() {
        return "-".equals(output) ? null : output;
    }

    @Override
    public Integer call() throws Exception {
        if (jsonResult.enabled() && "-".equals(output)) {
            throw new UsageException("--json needs OUT to be a file: the tar goes to standard output", null);
        }
        ExportOptions options = options();
        OpenContext context = transportOptions.context();
        ImageReference ref = transportOptions
                .registry(transports, spec.commandLine().getErr())
                .parse(source);
        if (viaContainer) {
            if (!(ref instanceof ContainerExport exporter)) {
                throw new UsageException(
                        "--via-container needs a Docker daemon source (docker-api:, docker-cli:,"
                                + " docker-daemon:), not " + ref.transport().name() + ":",
                        null);
            }
            try (Progress progress = Progress.open(global, spec.commandLine().getErr(), "Exporting " + source);
                    OutputTarget out = OutputTarget.open(output, stdout, force);
                    InputStream exported = exporter.exportContainer(context)) {
                RootfsExport.filter(exported, options, out.stream());
                out.commit();
                progress.finish();
            }
            printJson(ref, false);
            return 0;
        }
        try (Progress progress = Progress.open(global, spec.commandLine().getErr(), "Exporting " + source);
                OutputTarget out = OutputTarget.open(output, stdout, force); // checked before any work
                ImageSource src = new WatchedSource(ref.openSource(context), jsonResult.counting(progress))) {
            InspectedImage image = inspector.inspect(src, platform == null ? Platform.current() : platform);
            RootfsExport.write(src, image, options, out.stream(), context.tmpDir(), layerLimit.maxLayerSize());
            out.commit();
            progress.finish();
        }
        printJson(ref, true);
        return 0;
    }

    private void printJson(ImageReference ref, boolean counted) throws IOException {
        if (jsonResult.enabled()) {
            jsonResult.print(spec.commandLine().getOut(), "export", ref.displayName(), output, counted);
        }
    }
}
