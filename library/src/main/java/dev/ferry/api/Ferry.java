package dev.ferry.api;

import static java.util.Objects.requireNonNull;

import dev.ferry.build.ImageBuilder;
import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyOptions;
import dev.ferry.engine.CopyResult;
import dev.ferry.engine.ImageInspector;
import dev.ferry.engine.PluginLoader;
import dev.ferry.engine.SyncEngine;
import dev.ferry.engine.TransportRegistry;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.Platform;
import dev.ferry.rootfs.ExportOptions;
import dev.ferry.rootfs.LayerLimit;
import dev.ferry.rootfs.RootfsExport;
import dev.ferry.service.ImageBuild;
import dev.ferry.service.ImageSync;
import dev.ferry.service.RuntimeBundle;
import dev.ferry.service.SyncFile;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.OutputFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Ferry from Java: copy, inspect, export, bundle and build images between any transports, with the same engines, checks and
 * atomic writes as the {@code ferry} command. References are written as on the command line
 * ({@code oci:/tmp/layout:app}, {@code docker-archive:/tmp/a.tar}, {@code docker-daemon:busybox:latest}).
 *
 * <pre>{@code
 * Ferry ferry = Ferry.create();                       // the transports on the class path
 * CopyResult copied = ferry.copy("oci:examples/hello:latest", "oci-archive:/tmp/hello.tar:latest");
 * InspectedImage image = ferry.inspect("oci-archive:/tmp/hello.tar:latest");
 * ferry.export("oci-archive:/tmp/hello.tar:latest", Path.of("/tmp/rootfs.tar"));
 * ferry.bundle("oci-archive:/tmp/hello.tar:latest", Path.of("/tmp/bundle"), false);   // runc run --bundle ...
 * ferry.build(Path.of("site"), "oci:examples/hello:latest", "oci:/tmp/layout:site", new ImageBuilder.Options(
 *         null, List.of("cat", "/index.html"), Map.of(), Map.of(), null, null, null, Instant.EPOCH));
 * }</pre>
 *
 * <p>Contract: this class, its builder, and the value types its methods take and return ({@code dev.ferry.model},
 * {@code dev.ferry.engine.CopyOptions}, {@code CopyResult}, {@code CopyListener},
 * {@code dev.ferry.rootfs.ExportOptions}, {@code dev.ferry.engine.SyncEngine}'s records,
 * {@code dev.ferry.service.ImageSync.Request}, {@code SyncFile}, and {@code dev.ferry.spi.FerryException} with its subclasses, which
 * every failure is). Thread-safe: one instance may run several operations at once.
 */
public final class Ferry {
    private final TransportRegistry transports;
    private final OpenContext context;
    private final CopyEngine engine = new CopyEngine();
    private final ImageInspector inspector = new ImageInspector();

    private Ferry(TransportRegistry transports, OpenContext context) {
        this.transports = transports;
        this.context = context;
    }

    /** Ferry with the transports on the class path (the built-in ones with this artifact) and default settings. */
    public static Ferry create() throws FerryException {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The transports found, by name, each with where it came from (a jar, a plugin). */
    public Map<String, String> transports() {
        Map<String, String> names = new TreeMap<>();
        for (TransportRegistry.Entry e : transports.entries()) {
            names.put(e.transport().name(), e.origin());
        }
        return names;
    }

    /** Parses a reference as the command line does ({@code TRANSPORT:DETAILS}). */
    public ImageReference reference(String reference) throws FerryException {
        return transports.parse(reference);
    }

    /** Copies an image with the default options: this machine's platform from an index, no conversion asked. */
    public CopyResult copy(String source, String destination) throws IOException {
        return copy(source, destination, CopyOptions.defaults(), CopyListener.NONE);
    }

    /**
     * Copies an image, every blob verified as it streams; nothing is visible at {@code destination} before the
     * copy succeeded. Each side's context is this instance's unless the options carry one of their own for it
     * ({@link CopyOptions#withSourceContext}, {@link CopyOptions#withDestinationContext}).
     */
    public CopyResult copy(String source, String destination, CopyOptions options, CopyListener listener)
            throws IOException {
        CopyOptions withContext = options;
        if (options.sourceContext().equals(OpenContext.defaults())) {
            withContext = withContext.withSourceContext(context);
        }
        if (options.destinationContext().equals(OpenContext.defaults())) {
            withContext = withContext.withDestinationContext(context);
        }
        return engine.copy(reference(source), reference(destination), withContext, listener);
    }

    /** Reads an image's manifest and config (never its layers), for this machine's platform from an index. */
    public InspectedImage inspect(String reference) throws IOException {
        return inspect(reference, Platform.current());
    }

    /** As {@link #inspect(String)}, taking {@code platform}'s image from an index. */
    public InspectedImage inspect(String reference, Platform platform) throws IOException {
        try (ImageSource source = reference(reference).openSource(context)) {
            return inspector.inspect(source, requireNonNull(platform, "platform is null"));
        }
    }

    /** Writes an image's root filesystem to {@code tarFile}, atomically; see {@link #export(String, Path, ExportOptions, Platform)}. */
    public void export(String reference, Path tarFile) throws IOException {
        export(reference, tarFile, ExportOptions.none(), Platform.current());
    }

    /**
     * Writes the root filesystem of an image (its layers applied in order, each checked against its diffID) to
     * {@code tarFile}, a regular file replaced atomically (devices, FIFOs and folders are refused), with
     * linuxkit's {@code options}.
     */
    public void export(String reference, Path tarFile, ExportOptions options, Platform platform) throws IOException {
        try (OutputFile out = OutputFile.check(tarFile);
                ImageSource source = reference(reference).openSource(context)) {
            InspectedImage image = inspector.inspect(source, platform);
            OutputStream stream = Channels.newOutputStream(out.open());
            RootfsExport.write(source, image, options, stream, context.tmpDir(), LayerLimit.DEFAULT);
            stream.flush();
            out.commit();
        }
    }

    /**
     * Builds an image: a reproducible layer from the folder {@code context} (entries sorted, owner 0:0, every mtime
     * {@code options.created()}), appended to {@code base} (a reference, or null for an image from nothing), written
     * to {@code destination}; returns what the write did (its manifest digest).
     */
    public CopyResult build(Path context, String base, String destination, ImageBuilder.Options options)
            throws IOException {
        ImageBuild.Request request =
                ImageBuild.Request.of(context, base == null ? null : reference(base), reference(destination), options);
        return new ImageBuild(engine, inspector).run(request, this.context, w -> {}, CopyListener.NONE);
    }

    /**
     * Makes an OCI runtime bundle that runc runs in {@code dir} (new or empty): {@code dir/rootfs} and
     * {@code dir/config.json}, or with {@code writable} linuxkit's layout ({@code lower/}, {@code tmp/},
     * {@code rootfs/}). Without root, owners are recorded in {@code dir/ferry-owners.json} and device nodes skipped.
     * On any failure {@code dir} is left as it was.
     */
    public void bundle(String reference, Path dir, boolean writable) throws IOException {
        new RuntimeBundle(inspector)
                .run(
                        new RuntimeBundle.Request(reference(reference), dir, writable, false, null, LayerLimit.DEFAULT),
                        context,
                        w -> {});
    }

    /**
     * Mirrors many images, as {@code ferry sync}: every tag of a repository ({@code docker://HOST/NAME}), every
     * repository of a registry ({@code docker://HOST}), every ref of a layout or archive, to a registry namespace
     * ({@code docker://HOST/PREFIX}, each image at {@code PREFIX/LAST-PATH-COMPONENT:TAG} as skopeo sync puts it) or a
     * folder of layouts ({@code oci:FOLDER}). Incremental (an image whose manifest digest is already at the
     * destination costs one request), each shared blob moved once per destination repository, four images at once.
     * One image failing does not stop the others: the results say what happened to each.
     */
    public List<SyncEngine.Result> sync(String source, String destination) throws IOException {
        return sync(
                new ImageSync.Request(
                        source,
                        null,
                        destination,
                        ImageSync.Naming.LAST_COMPONENT,
                        false,
                        null,
                        null,
                        context,
                        context),
                new SyncEngine.Options(
                        CopyOptions.defaults().withContext(context),
                        SyncEngine.Options.DEFAULT_PARALLEL_IMAGES,
                        true,
                        false),
                SyncEngine.Listener.NONE);
    }

    /**
     * Plans and runs a sync (a source, or skopeo sync's YAML file read with {@link SyncFile#read}); with
     * {@link SyncEngine.Options#dryRun()} only plans. The request's context holds the settings.
     */
    public List<SyncEngine.Result> sync(
            ImageSync.Request request, SyncEngine.Options options, SyncEngine.Listener listener) throws IOException {
        ImageSync sync = new ImageSync(transports, engine);
        return sync.run(sync.plan(request), options, listener);
    }

    /** Builds a {@link Ferry}. */
    public static final class Builder {
        private final List<Path> pluginPaths = new ArrayList<>();
        private OpenContext context = OpenContext.defaults();
        private Consumer<String> warnings = w -> {};

        private Builder() {}

        /** A folder of third-party transport jars, each loaded in a class loader of its own (repeatable). */
        public Builder pluginPath(Path folder) {
            pluginPaths.add(requireNonNull(folder, "folder is null"));
            return this;
        }

        /** Where temporary files go (a spooled daemon save, recompressed layers); the system's by default. */
        public Builder tmpDir(Path folder) {
            context =
                    context.withTmpDir(requireNonNull(folder, "folder is null").toAbsolutePath());
            return this;
        }

        /**
         * An option for the transports that declare it ({@link dev.ferry.spi.Transport#options()}; {@code ferry
         * transports --options} lists them), such as {@code docker-host} or {@code creds}, for both sides.
         */
        public Builder option(String name, String value) {
            context = context.withOption(name, value);
            return this;
        }

        /**
         * An option for one scope only, such as a registry's {@code HOST[:PORT]}: it wins over {@link #option} there
         * (the transport documents its scopes).
         */
        public Builder option(String scope, String name, String value) {
            context = context.withScopedOption(scope, name, value);
            return this;
        }

        /** Where warnings about plugins that fail to load go; ignored by default. */
        public Builder warnings(Consumer<String> sink) {
            warnings = requireNonNull(sink, "sink is null");
            return this;
        }

        /**
         * @throws FerryException if two transports have one name
         */
        public Ferry build() throws FerryException {
            ClassLoader loader = Ferry.class.getClassLoader();
            List<TransportRegistry.Entry> entries =
                    new ArrayList<>(TransportRegistry.load(loader).entries());
            entries.addAll(PluginLoader.load(pluginPaths, loader, warnings));
            return new Ferry(TransportRegistry.of(entries), context);
        }
    }
}
