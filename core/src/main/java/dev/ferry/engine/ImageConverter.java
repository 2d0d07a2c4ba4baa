package dev.ferry.engine;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageConfig;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.ManifestFormat;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.support.TempFiles;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes an image in another format or compression: the manifest between OCI and Docker v2s2, the config from
 * Docker to OCI ({@link ConfigConverter}; from OCI to Docker it is kept byte for byte, as skopeo keeps it), layers recompressed ({@link Recompressor}: spooled once, since a manifest names a
 * blob's digest before anyone reads it, and checked against their diffIDs) or, for a gzip layer in a file that the
 * sink takes uncompressed, inflated straight into the sink with the size its gzip trailer gives
 * ({@link InflatedLayer}, {@link StreamedLayers}: its digest is the diffID, known), and Docker v2 schema 1 images
 * rebuilt ({@link Schema1}). The converted manifest is made by the model ({@link ImageManifest#toBytes()}).
 */
final class ImageConverter {
    private final ImageSource source;
    private final BlobTransfer blobs;
    private final ConversionPlanner planner;
    private final CopyListener listener;
    private final Path tmpDir;
    private final String sinkName;
    private final StreamedLayers streamed;

    /** A converter whose gzip layers, when the sink takes them uncompressed, stream as {@code streamed} says. */
    ImageConverter(
            ImageSource source,
            BlobTransfer blobs,
            ConversionPlanner planner,
            CopyListener listener,
            Path tmpDir,
            String sinkName,
            StreamedLayers streamed) {
        this.streamed = streamed;
        this.source = source;
        this.blobs = blobs;
        this.planner = planner;
        this.listener = listener;
        this.tmpDir = tmpDir;
        this.sinkName = sinkName;
    }

    /** Copies {@code image}'s blobs as {@code plan} says and returns the manifest to store for it. */
    ManifestBytes convert(ManifestBytes manifest, ImageManifest image, ConversionPlanner.ImagePlan plan)
            throws IOException {
        byte[] configBytes = ImageInspector.readConfig(source, image.config());
        ImageConfig config = ImageInspector.parseConfig(source, image.config(), configBytes);
        if (config.diffIds().size() != image.layers().size()) {
            throw new CorruptImageException(
                    "image " + manifest.digest() + " has " + image.layers().size() + " layers but its config lists "
                            + config.diffIds().size() + " diffIDs");
        }
        ManifestFormat target = plan.target();
        List<String> changes = new ArrayList<>();
        if (plan.source() != target) {
            changes.add("manifest and config to " + target.cliName());
        }
        // Layers kept as they are and layers to recompress, all on the blob scheduler at once: each recompressed
        // layer is spooled and stored as soon as it is ready, so that a sink that streams (a daemon's load) takes
        // one layer while the next ones are being converted, instead of waiting for each in turn. Layers to
        // compress go one after the other (in one task): each compression already runs on every core, and more at
        // once would only hold more blocks in memory.
        List<Descriptor> asIs = new ArrayList<>();
        List<BlobScheduler.Task> conversions = new ArrayList<>();
        List<BlobScheduler.Task> compressions = new ArrayList<>();
        Map<List<Digest>, Descriptor> converted = new ConcurrentHashMap<>();
        for (int i = 0; i < image.layers().size(); i++) {
            Descriptor layer = image.layers().get(i);
            Compression to = plan.layers().get(i);
            Compression from = MediaTypes.layerCompression(layer.mediaType());
            if (to == null || to == from) {
                asIs.add(layer);
                continue;
            }
            Digest diffId = config.diffIds().get(i);
            List<Digest> key = List.of(layer.digest(), diffId);
            if (converted.putIfAbsent(key, layer) == null) {
                changes.add("layer " + layer.digest().shortHex() + " from " + ConversionPlanner.name(from) + " to "
                        + ConversionPlanner.name(to));
                (to == Compression.NONE ? conversions : compressions)
                        .add(() -> converted.put(key, recompress(layer, from, to, diffId, target)));
            }
        }
        if (!compressions.isEmpty()) {
            conversions.add(() -> {
                for (BlobScheduler.Task compression : compressions) {
                    compression.run();
                }
            });
        }
        blobs.copyAll(asIs, conversions); // together, so that they are copied and converted in parallel
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < image.layers().size(); i++) {
            Descriptor layer = image.layers().get(i);
            Compression to = plan.layers().get(i);
            if (to == null) {
                layers.add(layer);
                continue;
            }
            Compression from = MediaTypes.layerCompression(layer.mediaType());
            if (to == from) {
                layers.add(new Descriptor(
                        target.layerType(to),
                        layer.digest(),
                        layer.size(),
                        layer.annotations(),
                        null,
                        layer.urls(),
                        null));
            } else {
                layers.add(
                        converted.get(List.of(layer.digest(), config.diffIds().get(i))));
            }
        }
        // OCI to Docker v2s2: the config as it is (Docker's format has every field OCI's has, so an OCI config is a
        // Docker one), so that its digest, the image ID a daemon shows, stays the source's, as skopeo keeps it;
        // Docker to OCI: only the fields OCI defines.
        boolean keep =
                plan.source() == target || (plan.source() == ManifestFormat.OCI && target == ManifestFormat.V2S2);
        byte[] newConfig = keep ? configBytes : ConfigConverter.convert(configBytes, target);
        listener.note("converted " + String.join(", ", changes) + " for " + sinkName);
        return manifest(target, newConfig, layers, image.annotations());
    }

    /**
     * A Docker v2 schema 1 image, converted: its gzip layers stream to the sink (recompressed if the sink wants
     * another compression) while their diffIDs are computed, then a config is rebuilt from the top history entry.
     */
    ManifestBytes convertSchema1(ManifestBytes manifest) throws IOException {
        Schema1 schema1 = Schema1.parse(manifest, source.reference().displayName());
        ManifestFormat target = planner.schema1Format(manifest.mediaType());
        Compression to = planner.compression(Compression.GZIP, target);
        Map<Digest, Descriptor> layerOf = new HashMap<>();
        Map<Digest, Digest> diffIdOf = new HashMap<>();
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        for (Schema1.Step step : schema1.steps) {
            if (step.blob() == null) {
                continue;
            }
            if (!layerOf.containsKey(step.blob())) {
                schema1Layer(step.blob(), target, to, layerOf, diffIdOf);
            }
            layers.add(layerOf.get(step.blob()));
            diffIds.add(diffIdOf.get(step.blob()));
        }
        byte[] config = ConfigConverter.convert(schema1.config(diffIds), target);
        listener.note("converted a Docker v2 schema 1 image to " + target.cliName() + " for " + sinkName);
        return manifest(target, config, layers, Map.of());
    }

    private void schema1Layer(
            Digest blob,
            ManifestFormat target,
            Compression to,
            Map<Digest, Descriptor> layerOf,
            Map<Digest, Digest> diffIdOf)
            throws IOException {
        try (BlobStream stream = source.blob(Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, blob, 0))) {
            if (stream.size() < 0) {
                throw new CorruptImageException(
                        "the size of layer " + blob + " is unknown; a schema 1 manifest" + " does not record it");
            }
            Descriptor gzip = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, blob, stream.size());
            listener.blobStarted(gzip);
            InputStream in = new ProgressStream(stream.stream(), gzip, listener);
            if (to == Compression.GZIP) {
                Descriptor layer = Descriptor.of(target.layerType(to), blob, stream.size());
                try (DiffIdComputer diffId = new DiffIdComputer(Compression.GZIP)) {
                    InputStream teed = diffId.tee(in);
                    if (blobs.claim(blob) && !blobs.hasInSink(layer)) {
                        blobs.putStream(layer, teed);
                    } else {
                        VerifyingInputStream.verify(teed, layer).drainAndVerify();
                    }
                    diffIdOf.put(blob, diffId.finish(blob));
                }
                layerOf.put(blob, layer);
            } else {
                Recompressor.Spooled spooled = Recompressor.recompress(in, gzip, Compression.GZIP, to, null, tmpDir);
                try {
                    Descriptor layer = Descriptor.of(target.layerType(to), spooled.digest(), spooled.size());
                    blobs.putFile(layer, spooled.file());
                    layerOf.put(blob, layer);
                    diffIdOf.put(blob, spooled.diffId());
                } finally {
                    TempFiles.delete(spooled.file());
                }
            }
            listener.blobDone(gzip, false);
        }
    }

    private Descriptor recompress(
            Descriptor layer, Compression from, Compression to, Digest diffId, ManifestFormat target)
            throws IOException {
        listener.blobStarted(layer);
        if (from == Compression.NONE && (diffId == null || diffId.equals(layer.digest()))) {
            try (BlobStream compressed = source.compressedBlob(layer, to)) {
                if (compressed != null && compressed.fileDigest() != null) {
                    // compressed by the source as it spooled the layer (a daemon's save): nothing to do again
                    Descriptor result = new Descriptor(
                            target.layerType(to),
                            compressed.fileDigest(),
                            compressed.size(),
                            layer.annotations(),
                            null,
                            List.of(),
                            null);
                    blobs.putCompressed(result, compressed);
                    listener.blobDone(layer, false);
                    return result;
                }
            }
        }
        Recompressor.Spooled spooled;
        try (BlobStream stream = source.blob(layer)) {
            if (from == Compression.GZIP
                    && to == Compression.NONE
                    && diffId != null
                    && stream.file() != null
                    && stream.size() == layer.size()) {
                long announced = streamed.announce(layer.digest(), stream.file(), layer.size());
                if (announced >= 0) {
                    Descriptor result = inflate(layer, stream, diffId, announced, target);
                    listener.blobDone(layer, false);
                    return result;
                }
            }
            spooled = Recompressor.recompress(
                    new ProgressStream(stream.stream(), layer, listener), layer, from, to, diffId, tmpDir);
        }
        try {
            Descriptor result = new Descriptor(
                    target.layerType(to), spooled.digest(), spooled.size(), layer.annotations(), null, List.of(), null);
            blobs.putFile(result, spooled.file());
            listener.blobDone(layer, false);
            return result;
        } finally {
            TempFiles.delete(spooled.file());
        }
    }

    /**
     * Inflates a gzip layer straight into the sink, announced with {@code announced} bytes ({@link InflatedLayer}),
     * and returns its descriptor there. What it inflated to is told to {@link #streamed}, whether it matched the
     * size announced or not (then the copy is made again).
     */
    private Descriptor inflate(
            Descriptor layer, BlobStream stream, Digest diffId, long announced, ManifestFormat target)
            throws IOException {
        try (InflatedLayer inflated =
                new InflatedLayer(new ProgressStream(stream.stream(), layer, listener), layer, diffId, announced)) {
            long size;
            try {
                size = blobs.putInflated(uncompressed(layer, diffId, announced, target), inflated)
                        ? announced
                        : inflated.drain(); // not stored after all (the sink has it): checked, and measured
            } catch (IOException | RuntimeException e) {
                if (inflated.measured() >= 0) {
                    streamed.mismatched(layer.digest(), inflated.measured());
                }
                throw e;
            }
            streamed.verified(layer.digest(), size);
            return uncompressed(layer, diffId, size, target);
        }
    }

    private static Descriptor uncompressed(Descriptor layer, Digest diffId, long size, ManifestFormat target) {
        return new Descriptor(
                target.layerType(Compression.NONE), diffId, size, layer.annotations(), null, List.of(), null);
    }

    /** Puts a new config and returns the manifest for it and {@code layers}. */
    private ManifestBytes manifest(
            ManifestFormat target, byte[] config, List<Descriptor> layers, Map<String, String> annotations)
            throws IOException {
        Descriptor configDescriptor = Descriptor.of(target.configType(), Digest.sha256(config), config.length);
        blobs.putBytes(configDescriptor, config);
        return new ImageManifest(
                        target.manifestType(),
                        configDescriptor,
                        layers,
                        target == ManifestFormat.OCI ? annotations : Map.of(),
                        null,
                        null)
                .toBytes();
    }
}
