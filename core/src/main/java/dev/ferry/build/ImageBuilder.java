package dev.ferry.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.ManifestFormat;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.Platform;
import dev.ferry.rootfs.DiffIdVerifier;
import dev.ferry.rootfs.LayerLimit;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image built from a base (or nothing) and one new layer, served as an {@link ImageSource} so the copy engine
 * writes it to any sink. The base config is kept whole (unknown fields survive) and updated: the new diffID, a
 * history entry, the creation time, and the options given; the manifest keeps the base's format (OCI without a
 * base).
 */
public final class ImageBuilder {
    /**
     * What to change in the config; null fields are left as the base has them.
     *
     * @param entrypoint the entrypoint
     * @param cmd the cmd
     * @param env variables to set, KEY to VALUE, replacing the base's
     * @param labels labels to set
     * @param workdir the working directory
     * @param user the user
     * @param platform the platform, for an image without a base
     * @param created the creation time, and the time of the history entry
     */
    public record Options(
            List<String> entrypoint,
            List<String> cmd,
            Map<String, String> env,
            Map<String, String> labels,
            String workdir,
            String user,
            Platform platform,
            Instant created) {}

    private ImageBuilder() {}

    /** The built image. {@code base} and {@code baseImage} are both null for an image from nothing. */
    public static ImageSource build(
            String context, ImageSource base, InspectedImage baseImage, LayerBuilder.Layer layer, Options options)
            throws CorruptImageException {
        return build(context, base, baseImage, layer, options, LayerLimit.DEFAULT);
    }

    /**
     * As {@link #build(String, ImageSource, InspectedImage, LayerBuilder.Layer, Options)}; each base layer the
     * built image serves is checked, as it streams, against its diffID and {@code maxLayerSize}
     * ({@link DiffIdVerifier}), so that a base whose config contradicts its layers never lands.
     *
     * @throws CorruptImageException if the base's config lists another number of diffIDs than it has layers
     */
    public static ImageSource build(
            String context,
            ImageSource base,
            InspectedImage baseImage,
            LayerBuilder.Layer layer,
            Options options,
            long maxLayerSize)
            throws CorruptImageException {
        Map<Digest, Integer> baseLayers = new HashMap<>();
        if (baseImage != null) {
            List<Descriptor> layers = baseImage.image().layers();
            if (baseImage.config().diffIds().size() != layers.size()) {
                throw new CorruptImageException(
                        "base image " + baseImage.manifest().digest() + " has "
                                + layers.size() + " layers but its config lists "
                                + baseImage.config().diffIds().size()
                                + " diffIDs (rootfs.diff_ids)");
            }
            for (int i = 0; i < layers.size(); i++) {
                baseLayers.putIfAbsent(layers.get(i).digest(), i);
            }
        }
        ManifestFormat format = baseImage == null
                ? ManifestFormat.OCI
                : ManifestFormat.of(baseImage.manifest().mediaType()).orElse(ManifestFormat.OCI);
        byte[] config = config(baseImage, layer, options);
        Descriptor configDescriptor = Descriptor.of(format.configType(), Digest.sha256(config), config.length);
        Descriptor layerDescriptor =
                Descriptor.of(format.layerType(MediaTypes.Compression.GZIP), layer.digest(), layer.size());
        List<Descriptor> layers = new ArrayList<>();
        if (baseImage != null) {
            layers.addAll(baseImage.image().layers());
        }
        layers.add(layerDescriptor);
        ManifestBytes bytes =
                new ImageManifest(format.manifestType(), configDescriptor, layers, Map.of(), null, null).toBytes();
        return new Built(
                new BuildReference(context),
                base,
                bytes,
                configDescriptor,
                config,
                layer,
                baseLayers,
                baseImage == null ? List.of() : baseImage.config().diffIds(),
                maxLayerSize);
    }

    private static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    private static byte[] config(InspectedImage base, LayerBuilder.Layer layer, Options o) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode config;
        if (base != null) {
            config = Json.parseObject(base.configBytes(), "base config");
        } else {
            config = f.objectNode();
            Platform p = o.platform() == null ? Platform.current() : o.platform();
            config.put("architecture", p.architecture());
            config.put("os", p.os());
            if (p.variant() != null) {
                config.put("variant", p.variant());
            }
        }
        String created = timestamp(o.created());
        config.put("created", created);
        ObjectNode c = config.get("config") instanceof ObjectNode existing ? existing : config.putObject("config");
        if (o.entrypoint() != null) {
            ArrayNode a = c.putArray("Entrypoint");
            o.entrypoint().forEach(a::add);
        }
        if (o.cmd() != null) {
            ArrayNode a = c.putArray("Cmd");
            o.cmd().forEach(a::add);
        }
        if (!o.env().isEmpty()) {
            Map<String, String> env = new LinkedHashMap<>();
            for (JsonNode e : c.path("Env")) {
                String s = e.asText();
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? null : s.substring(eq + 1));
            }
            env.putAll(o.env());
            ArrayNode a = c.putArray("Env");
            env.forEach((k, v) -> a.add(v == null ? k : k + "=" + v));
        }
        if (!o.labels().isEmpty()) {
            ObjectNode labels = c.get("Labels") instanceof ObjectNode l ? l : c.putObject("Labels");
            o.labels().forEach(labels::put);
        }
        if (o.workdir() != null) {
            c.put("WorkingDir", o.workdir());
        }
        if (o.user() != null) {
            c.put("User", o.user());
        }
        ObjectNode rootfs = config.get("rootfs") instanceof ObjectNode r ? r : config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.get("diff_ids") instanceof ArrayNode d ? d : rootfs.putArray("diff_ids");
        diffIds.add(layer.diffId().toString());
        ArrayNode history = config.get("history") instanceof ArrayNode h ? h : config.putArray("history");
        ObjectNode entry = history.addObject();
        entry.put("created", created);
        entry.put("created_by", "ferry build");
        return Json.write(config);
    }

    /** A reference for messages: {@code build:CONTEXT}. */
    private record BuildReference(String context) implements ImageReference {
        @Override
        public Transport transport() {
            return new Transport() {
                @Override
                public String name() {
                    return "build";
                }

                @Override
                public ImageReference parse(String reference) throws InvalidReferenceException {
                    return new BuildReference(reference);
                }
            };
        }

        @Override
        public String stringWithinTransport() {
            return context;
        }

        @Override
        public ImageSource openSource(OpenContext context) {
            throw new UnsupportedOperationException("a build is served directly");
        }

        @Override
        public ImageSink openSink(OpenContext context) {
            throw new UnsupportedOperationException("a build is served directly");
        }
    }

    /** The built image: the base's blobs, the new layer from its file, the config and manifest from memory. */
    private record Built(
            ImageReference reference,
            ImageSource base,
            ManifestBytes manifest,
            Descriptor configDescriptor,
            byte[] config,
            LayerBuilder.Layer layer,
            Map<Digest, Integer> baseLayers,
            List<Digest> diffIds,
            long maxLayerSize)
            implements ImageSource {
        @Override
        public ManifestBytes manifest(Digest digest) throws IOException {
            throw new BlobNotFoundException(digest, reference.displayName());
        }

        @Override
        public BlobStream blob(Descriptor descriptor) throws IOException {
            if (descriptor.digest().equals(layer.digest())) {
                // digested by LayerBuilder as it wrote the file: a sink on its filesystem links it
                return new BlobStream(Files.newInputStream(layer.file()), layer.size(), layer.file(), layer.digest());
            }
            if (descriptor.digest().equals(configDescriptor.digest())) {
                return new BlobStream(new ByteArrayInputStream(config), config.length);
            }
            if (base == null) {
                throw new BlobNotFoundException(descriptor.digest(), reference.displayName());
            }
            Integer i = baseLayers.get(descriptor.digest());
            BlobStream blob = base.blob(descriptor);
            if (i == null) {
                return blob;
            }
            // read whole (no file digest to trust instead), so the check runs even when the sink links the file
            return new BlobStream(
                    new DiffIdVerifier(blob.stream(), descriptor, i, diffIds.get(i), maxLayerSize),
                    blob.size(),
                    blob.file(),
                    null);
        }

        @Override
        public void close() {
            // the base and the layer file belong to the caller
        }
    }
}
