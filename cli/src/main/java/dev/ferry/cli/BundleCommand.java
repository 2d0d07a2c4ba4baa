package dev.ferry.cli;

import com.google.inject.Inject;
import dev.ferry.engine.ImageInspector;
import dev.ferry.engine.InspectedImage;
import dev.ferry.model.Platform;
import dev.ferry.rootfs.Extractor;
import dev.ferry.rootfs.Flattener;
import dev.ferry.rootfs.RuntimeConfig;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
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

    @Override
    public Integer call() throws Exception {
        Path bundle = dir.toAbsolutePath().normalize();
        boolean created = prepare(bundle);
        boolean asRoot = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        boolean noRoot = rootless || !asRoot;
        PrintWriter err = spec.commandLine().getErr();
        Path unpacking = bundle.resolve(".ferry-unpacking-" + UUID.randomUUID());
        boolean ok = false;
        Extractor extractor = null;
        try {
            ImageReference ref = transportOptions.registry(transports, spec.commandLine().getErr()).parse(source);
            try (ImageSource src = ref.openSource(transportOptions.context())) {
                InspectedImage image = inspector.inspect(src, platform == null ? Platform.current() : platform);
                Files.createDirectory(unpacking);
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
            if (!ok) {
                deleteTree(unpacking);
                if (created) {
                    deleteTree(bundle);
                } else {
                    for (String name : new String[] {"rootfs", "lower", "tmp", "config.json", "ferry-owners.json"}) {
                        deleteTree(bundle.resolve(name));
                    }
                }
            }
        }
        return 0;
    }

    /** Checks DIR is new or empty, and creates it; returns whether this call created it. */
    private static boolean prepare(Path bundle) throws IOException {
        dev.ferry.spi.support.TempFiles.sweep(bundle); // what a killed run left of its temporary files
        if (Files.exists(bundle)) {
            if (!Files.isDirectory(bundle)) {
                throw new FerryException(bundle + " exists and is not a folder", "name a new or empty folder");
            }
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
