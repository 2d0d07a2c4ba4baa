package dev.ferry.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Inject;
import dev.ferry.engine.ImageInspector;
import dev.ferry.model.InspectedImage;
import dev.ferry.internal.Json;
import dev.ferry.model.Platform;
import dev.ferry.rootfs.Extractor;
import dev.ferry.rootfs.Flattener;
import dev.ferry.rootfs.RuntimeConfig;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.AtomicFiles;
import dev.ferry.spi.support.ShutdownCleanup;
import dev.ferry.spi.support.TempFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry bundle SRC DIR}: an OCI runtime bundle that runc runs. */
@Command(name = "bundle", mixinStandardHelpOptions = true,
        description = {"Make an OCI runtime bundle from an image: DIR/rootfs and DIR/config.json.",
                "With --writable, linuxkit's layout: the image in DIR/lower, empty DIR/tmp and DIR/rootfs as mount"
                        + " points for an overlay."})
public class BundleCommand implements Callable<Integer> {
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

    @Option(names = "--rootless", description = "Record owners instead of applying them and skip device nodes"
            + " (automatic when not root); config.json for rootless runc.")
    boolean rootless;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", converter = PlatformConverter.class,
            description = "The image to use from an index (default: this machine's platform).")
    Platform platform;

    @Inject
    Transports transports;

    @Inject
    ImageInspector inspector;

    /** What a bundle run puts in DIR; a killed run's marker says these are its own. */
    private static final String[] OUTPUTS = {"rootfs", "lower", "tmp", "config.json", "ferry-owners.json"};
    /** The purpose of the marker a run keeps in DIR while it fills it (a {@link TempFiles} name). */
    private static final String MARKER = "bundling";

    @Override
    public Integer call() throws Exception {
        Path bundle = dir.toAbsolutePath().normalize();
        boolean created = prepare(bundle);
        boolean asRoot = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        boolean noRoot = rootless || !asRoot;
        PrintWriter err = spec.commandLine().getErr();
        // While DIR is being filled, a marker named after this process says that what is in DIR is this run's:
        // the next run removes it all when this one was killed. Ctrl-C and SIGTERM undo it at once.
        Path marker = TempFiles.path(bundle, MARKER);
        Runnable undo = () -> {
            try {
                undo(bundle);
                Files.deleteIfExists(marker);
                if (created) {
                    Files.deleteIfExists(bundle);
                }
            } catch (IOException | RuntimeException e) {
                // best effort at exit
            }
        };
        ShutdownCleanup.register(undo);
        Path unpacking = null;
        boolean ok = false;
        Extractor extractor = null;
        try {
            Files.createFile(marker);
            unpacking = TempFiles.createDirectory(bundle, "unpacking");
            ImageReference ref = transportOptions.registry(transports, spec.commandLine().getErr()).parse(source);
            try (ImageSource src = ref.openSource(transportOptions.context())) {
                InspectedImage image = inspector.inspect(src, platform == null ? Platform.current() : platform);
                // a compressed base layer is kept decompressed between the two passes, and the index of paths
                // and the bookkeeping of the unpacking live in temporary files: in the bundle folder itself
                // unless --tmpdir says otherwise (so nothing is written outside what the user named)
                OpenContext context = transportOptions.context();
                Path scratch = context.tmpDirChosen() ? context.tmpDir() : bundle;
                extractor = new Extractor(unpacking, noRoot, warning -> {
                    if (!global.quiet()) {
                        err.println("ferry: warning: " + warning);
                        err.flush();
                    }
                }, scratch);
                Flattener.flatten(src, image, extractor, scratch, layerLimit.maxLayerSize());
                extractor.finish();
                String rootName = writable ? "lower" : "rootfs";
                byte[] config = RuntimeConfig.create(image.config(), extractor, !writable, "rootfs", noRoot);
                Files.move(unpacking, bundle.resolve(rootName));
                TempFiles.release(unpacking);
                if (writable) {
                    Files.createDirectory(bundle.resolve("tmp"));
                    Files.createDirectory(bundle.resolve("rootfs"));
                }
                if (noRoot) {
                    extractor.writeOwners(bundle.resolve("ferry-owners.json"));
                }
                AtomicFiles.replace(bundle.resolve("config.json"), config);
            }
            ok = true;
        } finally {
            if (extractor != null) {
                extractor.close();
            }
            try {
                if (!ok) {
                    if (unpacking != null) {
                        TempFiles.delete(unpacking);
                    }
                    if (created) {
                        undo(bundle);
                        Files.deleteIfExists(marker);
                        deleteTree(bundle);
                    } else {
                        undo(bundle);
                    }
                }
                Files.deleteIfExists(marker);
            } finally {
                ShutdownCleanup.unregister(undo);
            }
        }
        return 0;
    }

    /** Removes what a bundle run puts in DIR. */
    private static void undo(Path bundle) throws IOException {
        for (String name : OUTPUTS) {
            deleteTree(bundle.resolve(name));
        }
    }

    /**
     * Checks DIR is new or empty, and creates it; returns whether this call created it. A DIR that holds only
     * what a killed Ferry left (its temporary names, and, when its marker is there, the outputs it had made)
     * counts as empty: that is removed first, so that the command can simply be run again.
     */
    private static boolean prepare(Path bundle) throws IOException {
        if (Files.exists(bundle)) {
            if (!Files.isDirectory(bundle)) {
                throw new FerryException(bundle + " exists and is not a folder", "name a new or empty folder");
            }
            boolean killedRun = false;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(bundle)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    killedRun |= name.startsWith(".ferry-" + MARKER + "-") && TempFiles.isLeftover(name);
                }
            }
            if (killedRun) {
                undo(bundle);
            }
            TempFiles.sweep(bundle);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(bundle)) {
                if (entries.iterator().hasNext()) {
                    throw new FerryException(bundle + " is not empty; refusing to write a bundle into it",
                            "name a new or empty folder");
                }
            }
            return false;
        }
        if (!Files.isDirectory(bundle.getParent())) {
            throw new FerryException("cannot create " + bundle + ": " + bundle.getParent() + " is not a folder",
                    "create the parent folder first");
        }
        Files.createDirectory(bundle);
        return true;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
