package dev.ferry.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.internal.Json;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageConfig;
import dev.ferry.model.ImageIndex;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.Manifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.ManifestFormat;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.LinkingSink;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.OperationNotSupportedException;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Copies an image from any source to any sink. Every blob streams once, verified (size and digest) while it
 * passes; blobs the sink already has are skipped; manifests are written after their blobs, the top-level one
 * last, and nothing is visible at the destination until the sink commits. Memory stays flat whatever the
 * image's size: only manifests and configs are held.
 *
 * <p>When asked ({@link CopyOptions#format()}, {@link CopyOptions#compression()}), or when the sink does not take
 * the source's manifest format or layer compression, the image is converted on the way: manifest and config
 * between OCI and Docker v2s2, layers recompressed (each layer is then spooled once to a temporary file, since
 * its new digest must be known before it is stored). DiffIDs never change, and are checked while converting.
 */
public final class CopyEngine {

    /**
     * Copies {@code from} to {@code to}.
     *
     * @throws FerryException with a message for the user on any failure; the destination is then as it was
     */
    public CopyResult copy(ImageReference from, ImageReference to, CopyOptions options, CopyListener listener)
            throws IOException {
        if (!to.transport().capabilities().write()) {
            throw new OperationNotSupportedException(to.transport().name(), "write images");
        }
        if (!from.transport().capabilities().read()) {
            throw new OperationNotSupportedException(from.transport().name(), "read images");
        }
        return copy(from::openSource, to, options, listener);
    }

    /** Opens the source of a copy, once the sink is open, with the context it should use. */
    @FunctionalInterface
    public interface SourceOpener {
        ImageSource open(OpenContext context) throws IOException;
    }

    /**
     * Copies the image {@code opener} opens to {@code to}. The sink is opened first: when the user chose no
     * temporary folder and the sink offers a scratch folder on its filesystem ({@link LinkingSink}), the source
     * gets that one, so that what it spools there (a daemon's save, a built layer) is linked, not copied.
     */
    public CopyResult copy(SourceOpener opener, ImageReference to, CopyOptions options, CopyListener listener)
            throws IOException {
        if (!to.transport().capabilities().write()) {
            throw new OperationNotSupportedException(to.transport().name(), "write images");
        }
        try (ImageSink sink = to.openSink(options.context())) {
            OpenContext context = options.context();
            if (sink instanceof LinkingSink linking) {
                java.nio.file.Path scratch = linking.scratchDirectory();
                if (scratch != null) {
                    context = context.withDefaultTmpDir(scratch);
                }
            }
            try (ImageSource source = opener.open(context)) {
                return copy(source, sink, options, listener);
            }
        }
    }

    /**
     * Copies the image {@code source} serves (which the caller closes) to {@code to}: for images that are not
     * behind a reference, such as one being built.
     */
    public CopyResult copy(ImageSource source, ImageReference to, CopyOptions options, CopyListener listener)
            throws IOException {
        if (!to.transport().capabilities().write()) {
            throw new OperationNotSupportedException(to.transport().name(), "write images");
        }
        try (ImageSink sink = to.openSink(options.context())) {
            return copy(source, sink, options, listener);
        }
    }

    private CopyResult copy(ImageSource source, ImageSink sink, CopyOptions options, CopyListener listener)
            throws IOException {
        ImageReference from = source.reference();
        ImageReference to = sink.reference();
        Run run = new Run(source, sink, options, listener);
        ManifestBytes top = source.manifest();
        ManifestBytes written;
        if (top.isIndex()) {
            ImageIndex index = parseIndex(top, from);
            if (options.allPlatforms()) {
                if (!to.transport().capabilities().multiImage()) {
                    throw new OperationNotSupportedException(to.transport().name(),
                            "store an image index (--all); pick one image with --platform");
                }
                written = run.transferIndex(top, index);
            } else {
                Descriptor chosen = PlatformSelector.select(index, options.platform(), from.displayName());
                ManifestBytes child = run.childManifest(chosen);
                if (child.isIndex()) {
                    throw new CorruptImageException("index " + top.digest() + " of " + from.displayName()
                            + " lists another index for " + options.platform());
                }
                written = run.transferImage(child);
            }
        } else {
            written = run.transferImage(top);
        }
        sink.putManifest(written);
        sink.commit();
        return new CopyResult(written.digest(), written.mediaType(), run.copied, run.skipped, run.bytes);
    }

    private static ImageIndex parseIndex(ManifestBytes bytes, ImageReference where) throws CorruptImageException {
        return (ImageIndex) parse(bytes, where);
    }

    static Manifest parse(ManifestBytes bytes, ImageReference where) throws CorruptImageException {
        try {
            return bytes.parse();
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException("manifest " + bytes.digest() + " of " + where.displayName()
                    + " is malformed: " + e.getMessage(), e);
        }
    }

    /** Whether a layer media type is a tar that Ferry may recompress. */
    static boolean isTarLayer(String mediaType) {
        return switch (mediaType) {
            case MediaTypes.OCI_LAYER, MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_ZSTD,
                    MediaTypes.DOCKER_LAYER, MediaTypes.DOCKER_LAYER_GZIP -> true;
            default -> false;
        };
    }

    /** The state of one copy. */
    private static final class Run {
        private final ImageSource source;
        private final ImageSink sink;
        private final CopyOptions options;
        private final CopyListener listener;
        private final Set<Digest> done = new HashSet<>();
        private final Map<Digest, ManifestBytes> converted = new HashMap<>();
        int copied;
        int skipped;
        long bytes;

        Run(ImageSource source, ImageSink sink, CopyOptions options, CopyListener listener) {
            this.source = source;
            this.sink = sink;
            this.options = options;
            this.listener = listener;
        }

        private String where() {
            return sink.reference().displayName();
        }

        ManifestBytes childManifest(Descriptor entry) throws IOException {
            ManifestBytes child = source.manifest(entry.digest());
            if (!child.matches(entry)) {
                throw new DigestMismatchException(entry.digest(), child.digest(), entry.size(), child.size());
            }
            if (!child.mediaType().equals(entry.mediaType())) {
                throw new CorruptImageException("manifest " + entry.digest() + " of "
                        + source.reference().displayName() + " is " + child.mediaType() + " but its index says "
                        + entry.mediaType());
            }
            return child;
        }

        /** The format to write a manifest of {@code mediaType} in. */
        private ManifestFormat targetFormat(String mediaType, boolean index) throws UnsupportedManifestException {
            ManifestFormat sourceFormat = ManifestFormat.of(mediaType).orElseThrow(() ->
                    new UnsupportedManifestException(source.reference().displayName(), mediaType,
                            List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST)));
            ManifestFormat target = options.format();
            if (target == null) {
                target = sourceFormat;
                if (!sink.supportedManifestTypes().contains(mediaType)) {
                    for (String supported : sink.supportedManifestTypes()) {
                        ManifestFormat f = ManifestFormat.of(supported).orElse(null);
                        if (f != null && (index ? f.indexType() : f.manifestType()).equals(supported)) {
                            target = f;
                            break;
                        }
                    }
                }
            }
            String type = index ? target.indexType() : target.manifestType();
            if (!sink.supportedManifestTypes().contains(type)) {
                throw new UnsupportedManifestException(where(), type, sink.supportedManifestTypes());
            }
            return target;
        }

        /** The compression to store a layer compressed with {@code from} in. */
        private Compression targetCompression(Compression from, ManifestFormat format) throws FerryException {
            Set<Compression> accepted = sink.supportedLayerCompressions();
            Compression wanted = options.compression();
            if (wanted != null) {
                if (!format.allows(wanted)) {
                    throw new FerryException("the " + format.cliName() + " format cannot describe " + name(wanted)
                            + " layers", "choose --compress gzip or none, or --format oci");
                }
                if (!accepted.contains(wanted)) {
                    throw new FerryException(where() + " does not store " + name(wanted) + " layers (it stores: "
                            + accepted.stream().map(Run::name).toList() + ")", "choose another --compress");
                }
                return wanted;
            }
            if (accepted.contains(from) && format.allows(from)) {
                return from;
            }
            for (Compression c : List.of(Compression.GZIP, Compression.NONE, Compression.ZSTD)) {
                if (accepted.contains(c) && format.allows(c)) {
                    return c;
                }
            }
            throw new FerryException(where() + " stores no layer compression the " + format.cliName()
                    + " format can describe", "choose another --format");
        }

        /** Copies an image's blobs, converted as needed, and returns the manifest to store for it. */
        ManifestBytes transferImage(ManifestBytes manifest) throws IOException {
            ManifestBytes already = converted.get(manifest.digest());
            if (already != null) {
                return already;
            }
            if (MediaTypes.DOCKER_MANIFEST_V1.equals(manifest.mediaType())
                    || MediaTypes.DOCKER_MANIFEST_V1_SIGNED.equals(manifest.mediaType())) {
                ManifestBytes result = convertSchema1(manifest);
                converted.put(manifest.digest(), result);
                return result;
            }
            Manifest parsed = parse(manifest, source.reference());
            if (!(parsed instanceof ImageManifest image)) {
                throw new CorruptImageException("expected an image manifest, got " + manifest.mediaType());
            }
            ManifestFormat sourceFormat = ManifestFormat.of(manifest.mediaType()).orElseThrow();
            ManifestFormat target = targetFormat(manifest.mediaType(), false);
            List<Compression> plan = new ArrayList<>();
            boolean changes = target != sourceFormat;
            for (Descriptor layer : image.layers()) {
                if (isTarLayer(layer.mediaType())) {
                    Compression from = MediaTypes.layerCompression(layer.mediaType());
                    Compression to = targetCompression(from, target);
                    plan.add(to);
                    changes |= to != from;
                } else {
                    plan.add(null);
                }
            }
            if (!changes) {
                copyBlobs(image.blobs());
                converted.put(manifest.digest(), manifest);
                return manifest;
            }
            ManifestBytes result = convert(manifest, image, target, plan);
            converted.put(manifest.digest(), result);
            return result;
        }

        private ManifestBytes convert(ManifestBytes manifest, ImageManifest image, ManifestFormat target,
                                      List<Compression> plan) throws IOException {
            byte[] configBytes = ImageInspector.readConfig(source, image.config());
            ImageConfig config;
            try {
                config = ImageConfig.parse(configBytes);
            } catch (IllegalArgumentException e) {
                throw new CorruptImageException("config " + image.config().digest() + " of "
                        + source.reference().displayName() + " is malformed: " + e.getMessage(), e);
            }
            if (config.diffIds().size() != image.layers().size()) {
                throw new CorruptImageException("image " + manifest.digest() + " has " + image.layers().size()
                        + " layers but its config lists " + config.diffIds().size() + " diffIDs");
            }
            List<String> changes = new ArrayList<>();
            if (ManifestFormat.of(manifest.mediaType()).orElseThrow() != target) {
                changes.add("manifest and config to " + target.cliName());
            }
            List<Descriptor> asIs = new ArrayList<>();
            for (int i = 0; i < image.layers().size(); i++) {
                Descriptor layer = image.layers().get(i);
                if (plan.get(i) == null || plan.get(i) == MediaTypes.layerCompression(layer.mediaType())) {
                    asIs.add(layer);
                }
            }
            copyBlobs(asIs); // together, so that they are copied in parallel
            List<Descriptor> layers = new ArrayList<>();
            for (int i = 0; i < image.layers().size(); i++) {
                Descriptor layer = image.layers().get(i);
                Compression to = plan.get(i);
                if (to == null) {
                    layers.add(layer);
                    continue;
                }
                Compression from = MediaTypes.layerCompression(layer.mediaType());
                if (to == from) {
                    layers.add(new Descriptor(target.layerType(to), layer.digest(), layer.size(),
                            layer.annotations(), null, layer.urls(), null));
                } else {
                    changes.add("layer " + layer.digest().shortHex() + " from " + name(from) + " to " + name(to));
                    layers.add(recompress(layer, from, to, config.diffIds().get(i), target));
                }
            }
            byte[] newConfig = ManifestFormat.of(manifest.mediaType()).orElseThrow() == target ? configBytes
                    : ConfigConverter.convert(configBytes, target);
            listener.note("converted " + String.join(", ", changes) + " for " + where());
            return writeManifest(target, newConfig, layers, image.annotations());
        }

        /** Puts a new config and returns the manifest for it and {@code layers}. */
        private ManifestBytes writeManifest(ManifestFormat target, byte[] config, List<Descriptor> layers,
                                            Map<String, String> annotations) throws IOException {
            Descriptor configDescriptor = Descriptor.of(target.configType(), Digest.sha256(config), config.length);
            putBytes(configDescriptor, config);
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("schemaVersion", 2);
            node.put("mediaType", target.manifestType());
            node.set("config", Json.descriptor(configDescriptor));
            ArrayNode array = node.putArray("layers");
            layers.forEach(l -> array.add(Json.descriptor(l)));
            if (target == ManifestFormat.OCI && !annotations.isEmpty()) {
                ObjectNode a = node.putObject("annotations");
                annotations.forEach(a::put);
            }
            return ManifestBytes.of(Json.write(node), target.manifestType());
        }

        /**
         * A Docker v2 schema 1 image, converted: its gzip layers stream to the sink (recompressed if the sink
         * wants another compression) while their diffIDs are computed, then a config is rebuilt from the top
         * history entry.
         */
        private ManifestBytes convertSchema1(ManifestBytes manifest) throws IOException {
            Schema1 schema1 = Schema1.parse(manifest, source.reference().displayName());
            ManifestFormat target = options.format();
            if (target == null) {
                for (String type : sink.supportedManifestTypes()) {
                    target = ManifestFormat.of(type).filter(f -> f.manifestType().equals(type)).orElse(null);
                    if (target != null) {
                        break;
                    }
                }
                if (target == null) {
                    throw new UnsupportedManifestException(where(), manifest.mediaType(),
                            sink.supportedManifestTypes());
                }
            }
            Compression to = targetCompression(Compression.GZIP, target);
            Map<Digest, Descriptor> layerOf = new HashMap<>();
            Map<Digest, Digest> diffIdOf = new HashMap<>();
            List<Descriptor> layers = new ArrayList<>();
            List<Digest> diffIds = new ArrayList<>();
            for (Schema1.Step step : schema1.steps) {
                if (step.blob() == null) {
                    continue;
                }
                if (!layerOf.containsKey(step.blob())) {
                    convertSchema1Layer(step.blob(), target, to, layerOf, diffIdOf);
                }
                layers.add(layerOf.get(step.blob()));
                diffIds.add(diffIdOf.get(step.blob()));
            }
            byte[] config = ConfigConverter.convert(schema1.config(diffIds), target);
            listener.note("converted a Docker v2 schema 1 image to " + target.cliName() + " for " + where());
            return writeManifest(target, config, layers, Map.of());
        }

        private void convertSchema1Layer(Digest blob, ManifestFormat target, Compression to,
                                         Map<Digest, Descriptor> layerOf, Map<Digest, Digest> diffIdOf)
                throws IOException {
            try (BlobStream stream = source.blob(Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, blob, 0))) {
                if (stream.size() < 0) {
                    throw new CorruptImageException("the size of layer " + blob + " is unknown; a schema 1"
                            + " manifest does not record it");
                }
                Descriptor gzip = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, blob, stream.size());
                listener.blobStarted(gzip);
                InputStream in = new ProgressStream(stream.stream(), gzip, listener);
                if (to == Compression.GZIP) {
                    Descriptor layer = Descriptor.of(target.layerType(to), blob, stream.size());
                    try (DiffIdComputer diffId = new DiffIdComputer(Compression.GZIP)) {
                        InputStream teed = diffId.tee(in);
                        if (done.add(blob) && !sink.hasBlob(layer)) {
                            put(layer, teed);
                            copied++;
                            bytes += layer.size();
                        } else {
                            VerifyingInputStream.verify(teed, layer).drainAndVerify();
                        }
                        diffIdOf.put(blob, diffId.finish(blob));
                    }
                    layerOf.put(blob, layer);
                } else {
                    Recompressor.Spooled spooled = Recompressor.recompress(in, gzip, Compression.GZIP, to, null,
                            options.context().tmpDir());
                    try {
                        Descriptor layer = Descriptor.of(target.layerType(to), spooled.digest(), spooled.size());
                        if (done.add(layer.digest()) && !sink.hasBlob(layer)) {
                            try (InputStream file = Files.newInputStream(spooled.file())) {
                                put(layer, file);
                            }
                            copied++;
                            bytes += layer.size();
                        }
                        layerOf.put(blob, layer);
                        diffIdOf.put(blob, spooled.diffId());
                    } finally {
                        Files.deleteIfExists(spooled.file());
                    }
                }
                listener.blobDone(gzip, false);
            }
        }

        private static String name(Compression c) {
            return c == Compression.NONE ? "uncompressed" : c.name().toLowerCase(java.util.Locale.ROOT);
        }

        private Descriptor recompress(Descriptor layer, Compression from, Compression to, Digest diffId,
                                      ManifestFormat target) throws IOException {
            listener.blobStarted(layer);
            Recompressor.Spooled spooled;
            try (BlobStream stream = source.blob(layer)) {
                spooled = Recompressor.recompress(new ProgressStream(stream.stream(), layer, listener), layer, from,
                        to, diffId, options.context().tmpDir());
            }
            try {
                Descriptor result = new Descriptor(target.layerType(to), spooled.digest(), spooled.size(),
                        layer.annotations(), null, List.of(), null);
                if (done.add(result.digest())) {
                    if (sink.hasBlob(result)) {
                        skipped++;
                    } else {
                        try (InputStream in = Files.newInputStream(spooled.file())) {
                            put(result, in);
                        }
                        copied++;
                        bytes += result.size();
                    }
                }
                listener.blobDone(layer, false);
                return result;
            } finally {
                Files.deleteIfExists(spooled.file());
            }
        }

        private void putBytes(Descriptor descriptor, byte[] content) throws IOException {
            if (!done.add(descriptor.digest())) {
                return;
            }
            if (sink.hasBlob(descriptor)) {
                skipped++;
                return;
            }
            put(descriptor, new ByteArrayInputStream(content));
            copied++;
            bytes += descriptor.size();
        }

        /** Copies an index's images, then returns the index to store (rewritten if an image changed). */
        ManifestBytes transferIndex(ManifestBytes indexBytes, ImageIndex index) throws IOException {
            ManifestFormat target = targetFormat(indexBytes.mediaType(), true);
            List<Descriptor> entries = new ArrayList<>();
            boolean changed = ManifestFormat.of(indexBytes.mediaType()).orElseThrow() != target;
            for (Descriptor entry : index.manifests()) {
                ManifestBytes child = childManifest(entry);
                ManifestBytes out = child.isIndex() ? transferIndex(child, parseIndex(child, source.reference()))
                        : transferImage(child);
                if (done.add(out.digest())) {
                    sink.putChildManifest(out);
                }
                changed |= !out.digest().equals(entry.digest());
                entries.add(new Descriptor(out.mediaType(), out.digest(), out.size(),
                        target == ManifestFormat.OCI ? entry.annotations() : Map.of(), entry.platform(),
                        entry.urls(), target == ManifestFormat.OCI ? entry.artifactType() : null));
            }
            if (!changed) {
                return indexBytes;
            }
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("schemaVersion", 2);
            node.put("mediaType", target.indexType());
            ArrayNode array = node.putArray("manifests");
            entries.forEach(e -> array.add(Json.descriptor(e)));
            if (target == ManifestFormat.OCI && !index.annotations().isEmpty()) {
                ObjectNode annotations = node.putObject("annotations");
                index.annotations().forEach(annotations::put);
            }
            return ManifestBytes.of(Json.write(node), target.indexType());
        }

        /**
         * Copies the blobs the sink lacks, up to {@link CopyOptions#jobs()} at once. On a failure the others are
         * interrupted, and all have stopped before this returns (the sink is closed only afterwards). The failure
         * reported is the first in time, as it was thrown, or what caused it ({@link #firstCause}), whatever the
         * order the blobs were submitted in; the others are attached to it as suppressed.
         */
        private void copyBlobs(List<Descriptor> blobs) throws IOException {
            List<Descriptor> todo = new ArrayList<>();
            for (Descriptor blob : blobs) {
                if (!done.add(blob.digest())) {
                    continue;
                }
                if (sink.hasBlob(blob)) {
                    skipped++;
                    listener.blobDone(blob, true);
                    continue;
                }
                todo.add(blob);
            }
            int threads = Math.min(options.jobs(), todo.size());
            if (threads <= 1) {
                for (Descriptor blob : todo) {
                    copyBlob(blob);
                }
                return;
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "ferry-copy");
                t.setDaemon(true);
                return t;
            });
            // Failures in the order the tasks met them, each added before its future completes: those met before
            // the others were told to stop, then those met after (stopping makes failures of its own).
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Queue<Throwable> afterStop = new ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
            CompletionService<Void> finished = new ExecutorCompletionService<>(pool);
            boolean interrupted = false;
            try {
                for (Descriptor blob : todo) {
                    finished.submit(() -> {
                        try {
                            copyBlob(blob);
                        } catch (Throwable t) {
                            (stopping.get() ? afterStop : failures).add(t);
                            throw t;
                        }
                        return null;
                    });
                }
                for (int i = 0; i < todo.size() && failures.isEmpty(); i++) {
                    finished.take();
                }
            } catch (InterruptedException e) {
                interrupted = true;
            } finally {
                stopping.set(true);
                pool.shutdownNow();
                awaitQuietly(pool);
            }
            List<Throwable> all = new ArrayList<>(failures);
            all.addAll(afterStop);
            if (interrupted) {
                Thread.currentThread().interrupt();
                java.io.InterruptedIOException e = new java.io.InterruptedIOException("interrupted while copying blobs");
                all.forEach(e::addSuppressed);
                throw e;
            }
            if (!failures.isEmpty()) {
                throw rethrow(firstCause(failures.peek(), all));
            }
        }

        /**
         * The failure to report, for {@code first}, the first a task met, in time: itself, or the failure of
         * another task that caused it. A sink broken by one blob fails the calls that come after with an error
         * whose cause is that blob's ("an earlier blob failed"), and such a call may fail, and be recorded, before
         * the task that broke the sink records its own failure. The other failures of {@code all} are attached
         * to it as suppressed, except those it caused (which hold it already).
         */
        static Throwable firstCause(Throwable first, List<Throwable> all) {
            Throwable reported = first;
            java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Throwable t = first.getCause(); t != null && seen.add(t); t = t.getCause()) {
                for (Throwable other : all) {
                    if (other == t) {
                        reported = t;
                    }
                }
            }
            for (Throwable f : all) {
                if (f != reported && !causes(reported, f)) {
                    reported.addSuppressed(f);
                }
            }
            return reported;
        }

        /** True if {@code cause} is in the chain of causes of {@code failure} (itself excluded). */
        private static boolean causes(Throwable cause, Throwable failure) {
            java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Throwable t = failure.getCause(); t != null && seen.add(t); t = t.getCause()) {
                if (t == cause) {
                    return true;
                }
            }
            return false;
        }

        private static IOException rethrow(Throwable cause) {
            if (cause instanceof IOException io) {
                return io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            return new IOException(cause);
        }

        private static void awaitQuietly(ExecutorService pool) {
            boolean interrupted = false;
            while (true) {
                try {
                    if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private void copyBlob(Descriptor blob) throws IOException {
            listener.blobStarted(blob);
            try (BlobStream stream = source.blob(blob)) {
                if (stream.size() >= 0 && stream.size() != blob.size()) {
                    throw new DigestMismatchException(blob.digest(), null, blob.size(), stream.size());
                }
                InputStream in = new ProgressStream(stream.stream(), blob, listener);
                if (!(options.link() && stream.file() != null && sink instanceof LinkingSink linking
                        && link(linking, blob, stream, in))) {
                    put(blob, in);
                }
            }
            synchronized (this) {
                copied++;
                bytes += blob.size();
            }
            listener.blobDone(blob, false);
        }

        /**
         * Verifies a blob by reading its file (a read, no write), then lets the sink link the file. False, with
         * the stream unread, if the sink cannot link it; if linking fails after the read, copies from a new stream.
         */
        private boolean link(LinkingSink linking, Descriptor blob, BlobStream stream, InputStream in)
                throws IOException {
            java.nio.file.Path file = stream.file();
            if (!linking.canLink(file)) {
                return false;
            }
            if (blob.digest().equals(stream.fileDigest()) && Files.size(file) == blob.size()) {
                // digested by this process as it wrote the file: reading it again would prove nothing more
                listener.blobProgress(blob, blob.size());
            } else {
                VerifyingInputStream.verify(in, blob).drainAndVerify();
            }
            if (!linking.linkBlob(blob, file)) {
                try (BlobStream again = source.blob(blob)) {
                    put(blob, again.stream());
                }
            }
            return true;
        }

        /** Puts a blob through verification, and checks the sink read it whole. */
        private void put(Descriptor blob, InputStream in) throws IOException {
            VerifyingInputStream verifying = VerifyingInputStream.verify(in, blob);
            sink.putBlob(blob, verifying);
            if (!verifying.verified()) {
                throw new FerryException("transport " + sink.reference().transport().name()
                        + " stored blob " + blob.digest() + " without reading it whole",
                        "the transport breaks the ImageSink contract; report it to its author");
            }
        }
    }

    /** Reports bytes read to a listener. */
    private static final class ProgressStream extends FilterInputStream {
        private final Descriptor blob;
        private final CopyListener listener;

        ProgressStream(InputStream in, Descriptor blob, CopyListener listener) {
            super(in);
            this.blob = blob;
            this.listener = listener;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                listener.blobProgress(blob, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
                listener.blobProgress(blob, n);
            }
            return n;
        }
    }
}
