package dev.ferry.service;

import static java.util.Objects.requireNonNull;

import dev.ferry.build.ImageBuilder;
import dev.ferry.build.LayerBuilder;
import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyOptions;
import dev.ferry.engine.CopyResult;
import dev.ferry.engine.ImageInspector;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.Platform;
import dev.ferry.rootfs.LayerLimit;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.TempFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The build use case: a layer made from a folder (entries sorted, owners fixed, mtimes fixed: the same folder
 * gives the same digest), appended to a base image or to nothing, written to any destination. Callable from
 * Java; {@code ferry build} parses its arguments into a {@link Request} and calls {@link #run}.
 */
public final class ImageBuild {
    /**
     * What to build.
     *
     * @param context the folder whose content becomes the layer
     * @param base the base image, or null for an image from nothing
     * @param destination where the image goes
     * @param options the config to set (entrypoint, cmd, env, labels, ...)
     * @param uid the owner of every entry of the layer, or -1 for 0
     * @param gid the group of every entry, or -1 for 0
     * @param maxLayerSize the most bytes a base layer may decompress to
     */
    public record Request(
            Path context,
            ImageReference base,
            ImageReference destination,
            ImageBuilder.Options options,
            long uid,
            long gid,
            long maxLayerSize) {
        public Request {
            requireNonNull(context, "context is null");
            requireNonNull(destination, "destination is null");
            requireNonNull(options, "options is null");
        }

        /** A build of {@code context} onto {@code base} (or nothing) into {@code destination}, owner 0:0. */
        public static Request of(
                Path context, ImageReference base, ImageReference destination, ImageBuilder.Options options) {
            return new Request(context, base, destination, options, -1, -1, LayerLimit.DEFAULT);
        }
    }

    private final CopyEngine engine;
    private final ImageInspector inspector;

    public ImageBuild(CopyEngine engine, ImageInspector inspector) {
        this.engine = requireNonNull(engine, "engine is null");
        this.inspector = requireNonNull(inspector, "inspector is null");
    }

    /**
     * Builds and writes the image; returns what the copy to the destination did (its manifest digest). The layer is
     * written once the destination is open, into its scratch folder when it has one (then linked into place, not
     * copied), else into the context's temporary folder, and removed at the end either way.
     *
     * @param warnings told about what the layer cannot hold (sockets)
     */
    public CopyResult run(Request request, OpenContext context, Consumer<String> warnings, CopyListener listener)
            throws IOException {
        return run(request, context, context, warnings, listener);
    }

    /**
     * As {@link #run(Request, OpenContext, Consumer, CopyListener)}, with the base image read with
     * {@code baseContext} and the destination written with {@code destinationContext} (a registry's credentials on
     * each side, say).
     */
    public CopyResult run(
            Request request,
            OpenContext baseContext,
            OpenContext destinationContext,
            Consumer<String> warnings,
            CopyListener listener)
            throws IOException {
        LayerBuilder.Layer[] layer = new LayerBuilder.Layer[1];
        ImageSource[] base = new ImageSource[1];
        Platform platform = request.options().platform() == null
                ? Platform.current()
                : request.options().platform();
        try {
            return engine.copy(
                    scratch -> {
                        layer[0] = LayerBuilder.build(
                                request.context().toAbsolutePath(),
                                request.uid(),
                                request.gid(),
                                request.options().created(),
                                scratch.tmpDir(),
                                warnings);
                        base[0] = request.base() == null ? null : request.base().openSource(scratch);
                        InspectedImage baseImage = base[0] == null ? null : inspector.inspect(base[0], platform);
                        return ImageBuilder.build(
                                request.context().toString(),
                                base[0],
                                baseImage,
                                layer[0],
                                request.options(),
                                request.maxLayerSize());
                    },
                    request.destination(),
                    CopyOptions.defaults().withSourceContext(baseContext).withDestinationContext(destinationContext),
                    listener);
        } finally {
            try {
                if (base[0] != null) {
                    base[0].close();
                }
            } finally {
                if (layer[0] != null) {
                    TempFiles.delete(layer[0].file());
                }
            }
        }
    }
}
