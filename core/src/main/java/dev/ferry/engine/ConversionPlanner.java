package dev.ferry.engine;

import dev.ferry.model.Descriptor;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestFormat;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.UnsupportedManifestException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides how an image is written to a sink: in which manifest format, and each layer in which compression. What
 * the user asked ({@code --format}, {@code --compress}) wins; otherwise the source's format and compression are
 * kept when the sink takes them, and the first the sink takes is chosen when it does not.
 */
final class ConversionPlanner {
    /**
     * The plan for one image manifest.
     *
     * @param source the manifest's format
     * @param target the format to write
     * @param layers per layer, the compression to write it in, or null for a layer that is not a tar (kept as is)
     */
    record ImagePlan(ManifestFormat source, ManifestFormat target, List<Compression> layers) {
        ImagePlan {
            layers = Collections.unmodifiableList(new ArrayList<>(layers));
        }

        /** Whether the manifest is written as it is. */
        boolean keepsManifest(ImageManifest image) {
            if (source != target) {
                return false;
            }
            for (int i = 0; i < layers.size(); i++) {
                Compression to = layers.get(i);
                if (to != null
                        && to
                                != MediaTypes.layerCompression(
                                        image.layers().get(i).mediaType())) {
                    return false;
                }
            }
            return true;
        }
    }

    private final String sourceName;
    private final String sinkName;
    private final List<String> sinkManifestTypes;
    private final Set<Compression> sinkCompressions;
    private final ManifestFormat wantedFormat;
    private final Compression wantedCompression;

    /**
     * @param sourceName the source, for messages
     * @param sinkName the sink, for messages
     * @param sinkManifestTypes the manifest media types the sink stores
     * @param sinkCompressions the layer compressions the sink stores
     * @param wantedFormat the format the user asked for, or null
     * @param wantedCompression the compression the user asked for, or null
     */
    ConversionPlanner(
            String sourceName,
            String sinkName,
            List<String> sinkManifestTypes,
            Set<Compression> sinkCompressions,
            ManifestFormat wantedFormat,
            Compression wantedCompression) {
        this.sourceName = sourceName;
        this.sinkName = sinkName;
        this.sinkManifestTypes = List.copyOf(sinkManifestTypes);
        this.sinkCompressions = Set.copyOf(sinkCompressions);
        this.wantedFormat = wantedFormat;
        this.wantedCompression = wantedCompression;
    }

    /** Whether a layer media type is a tar that Ferry may recompress. */
    static boolean isTarLayer(String mediaType) {
        return switch (mediaType) {
            case MediaTypes.OCI_LAYER,
                    MediaTypes.OCI_LAYER_GZIP,
                    MediaTypes.OCI_LAYER_ZSTD,
                    MediaTypes.DOCKER_LAYER,
                    MediaTypes.DOCKER_LAYER_GZIP -> true;
            default -> false;
        };
    }

    /** How to write the image manifest {@code image} of media type {@code mediaType}. */
    ImagePlan plan(String mediaType, ImageManifest image) throws FerryException {
        ManifestFormat source = ManifestFormat.of(mediaType).orElseThrow(() -> unreadable(mediaType));
        ManifestFormat target = format(mediaType, false);
        List<Compression> layers = new ArrayList<>();
        for (Descriptor layer : image.layers()) {
            layers.add(
                    isTarLayer(layer.mediaType())
                            ? compression(MediaTypes.layerCompression(layer.mediaType()), target)
                            : null);
        }
        return new ImagePlan(source, target, layers);
    }

    /** The format to write a manifest ({@code index} false) or an index of {@code mediaType} in. */
    ManifestFormat format(String mediaType, boolean index) throws UnsupportedManifestException {
        ManifestFormat sourceFormat = ManifestFormat.of(mediaType).orElseThrow(() -> unreadable(mediaType));
        ManifestFormat target = wantedFormat;
        if (target == null) {
            target = sourceFormat;
            if (!sinkManifestTypes.contains(mediaType)) {
                for (String supported : sinkManifestTypes) {
                    ManifestFormat f = ManifestFormat.of(supported).orElse(null);
                    if (f != null && (index ? f.indexType() : f.manifestType()).equals(supported)) {
                        target = f;
                        break;
                    }
                }
            }
        }
        String type = index ? target.indexType() : target.manifestType();
        if (!sinkManifestTypes.contains(type)) {
            throw new UnsupportedManifestException(sinkName, type, sinkManifestTypes);
        }
        return target;
    }

    /** The format to write a Docker v2 schema 1 image in: the user's, or the first image format the sink takes. */
    ManifestFormat schema1Format(String mediaType) throws UnsupportedManifestException {
        if (wantedFormat != null) {
            return wantedFormat;
        }
        for (String type : sinkManifestTypes) {
            ManifestFormat f = ManifestFormat.of(type)
                    .filter(m -> m.manifestType().equals(type))
                    .orElse(null);
            if (f != null) {
                return f;
            }
        }
        throw new UnsupportedManifestException(sinkName, mediaType, sinkManifestTypes);
    }

    /** The compression to store a layer compressed with {@code from} in, in {@code format}. */
    Compression compression(Compression from, ManifestFormat format) throws FerryException {
        if (wantedCompression != null) {
            if (!format.allows(wantedCompression)) {
                throw new FerryException(
                        "the " + format.cliName() + " format cannot describe " + name(wantedCompression) + " layers",
                        "choose --compress gzip or none, or --format oci");
            }
            if (!sinkCompressions.contains(wantedCompression)) {
                throw new FerryException(
                        sinkName + " does not store " + name(wantedCompression)
                                + " layers (it stores: "
                                + sinkCompressions.stream()
                                        .map(ConversionPlanner::name)
                                        .toList()
                                + ")",
                        "choose another --compress");
            }
            return wantedCompression;
        }
        if (sinkCompressions.contains(from) && format.allows(from)) {
            return from;
        }
        for (Compression c : List.of(Compression.GZIP, Compression.NONE, Compression.ZSTD)) {
            if (sinkCompressions.contains(c) && format.allows(c)) {
                return c;
            }
        }
        throw new FerryException(
                sinkName + " stores no layer compression the " + format.cliName() + " format can describe",
                "choose another --format");
    }

    /** "uncompressed", "gzip" or "zstd". */
    static String name(Compression c) {
        return c == Compression.NONE ? "uncompressed" : c.name().toLowerCase(Locale.ROOT);
    }

    private UnsupportedManifestException unreadable(String mediaType) {
        return new UnsupportedManifestException(
                sourceName, mediaType, List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST));
    }
}
