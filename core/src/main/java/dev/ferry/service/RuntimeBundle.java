package dev.ferry.service;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.ImageInspector;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.Platform;
import dev.ferry.rootfs.Extractor;
import dev.ferry.rootfs.Flattener;
import dev.ferry.rootfs.LayerLimit;
import dev.ferry.rootfs.RuntimeConfig;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.AtomicFiles;
import dev.ferry.spi.support.ShutdownCleanup;
import dev.ferry.spi.support.TempFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The bundle use case: an OCI runtime bundle that runc runs, {@code DIR/rootfs} (or linuxkit's writable layout:
 * the image in {@code DIR/lower}, empty {@code DIR/tmp} and {@code DIR/rootfs}) and {@code DIR/config.json}.
 * Callable from Java; {@code ferry bundle} parses its arguments into a {@link Request} and calls {@link #run}.
 */
public final class RuntimeBundle {
    /**
     * What to bundle.
     *
     * @param source the image
     * @param dir the bundle folder: new, or empty
     * @param writable linuxkit's writable layout
     * @param rootless record owners instead of applying them, skip device nodes (automatic when not root)
     * @param platform the image to take from an index, or null for this machine's
     * @param maxLayerSize the most bytes a layer may decompress to
     */
    public record Request(
            ImageReference source, Path dir, boolean writable, boolean rootless, Platform platform, long maxLayerSize) {
        public Request {
            requireNonNull(source, "source is null");
            requireNonNull(dir, "dir is null");
        }

        /** A read-only bundle of {@code source} in {@code dir}, for this machine's platform. */
        public static Request of(ImageReference source, Path dir) {
            return new Request(source, dir, false, false, null, LayerLimit.DEFAULT);
        }
    }

    /** What a bundle run puts in DIR; a killed run's marker says these are its own. */
    private static final String[] OUTPUTS = {"rootfs", "lower", "tmp", "config.json", "ferry-owners.json"};
    /** The purpose of the marker a run keeps in DIR while it fills it (a {@link TempFiles} name). */
    private static final String MARKER = "bundling";

    private final ImageInspector inspector;

    public RuntimeBundle(ImageInspector inspector) {
        this.inspector = requireNonNull(inspector, "inspector is null");
    }

    /**
     * Makes the bundle. DIR ends with the bundle, or, on any failure, as it was (a folder this call created is
     * removed); Ctrl-C and SIGTERM undo it at once, and the next run removes what a SIGKILL left.
     *
     * @param warnings told about what cannot be made (device nodes without root, ...)
     */
    public void run(Request request, OpenContext context, Consumer<String> warnings) throws IOException {
        run(request, context, warnings, UnaryOperator.identity());
    }

    /**
     * As {@link #run(Request, OpenContext, Consumer)}, reading the image through {@code watch} of its source (a
     * wrapper that reports the blobs read, for progress).
     */
    public void run(Request request, OpenContext context, Consumer<String> warnings, UnaryOperator<ImageSource> watch)
            throws IOException {
        Path bundle = request.dir().toAbsolutePath().normalize();
        boolean created = prepare(bundle);
        boolean asRoot = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        boolean noRoot = request.rootless() || !asRoot;
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
            try (ImageSource src = watch.apply(request.source().openSource(context))) {
                InspectedImage image =
                        inspector.inspect(src, request.platform() == null ? Platform.current() : request.platform());
                // a compressed base layer is kept decompressed between the two passes, and the index of paths
                // and the bookkeeping of the unpacking live in temporary files: in the bundle folder itself
                // unless --tmpdir says otherwise (so nothing is written outside what the user named)
                Path scratch = context.tmpDirChosen() ? context.tmpDir() : bundle;
                extractor = new Extractor(unpacking, noRoot, warnings, scratch);
                Flattener.flatten(src, image, extractor, scratch, request.maxLayerSize());
                extractor.finish();
                String rootName = request.writable() ? "lower" : "rootfs";
                byte[] config = RuntimeConfig.create(image.config(), extractor, !request.writable(), "rootfs", noRoot);
                Files.move(unpacking, bundle.resolve(rootName));
                TempFiles.release(unpacking);
                if (request.writable()) {
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
                    throw new FerryException(
                            bundle + " is not empty; refusing to write a bundle into it", "name a new or empty folder");
                }
            }
            return false;
        }
        if (!Files.isDirectory(bundle.getParent())) {
            throw new FerryException(
                    "cannot create " + bundle + ": " + bundle.getParent() + " is not a folder",
                    "create the parent folder first");
        }
        Files.createDirectory(bundle);
        return true;
    }

    private static void deleteTree(Path root) throws IOException {
        TempFiles.deleteTree(root);
    }
}
