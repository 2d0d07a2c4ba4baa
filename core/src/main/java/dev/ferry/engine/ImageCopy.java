package dev.ferry.engine;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageIndex;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.Manifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.ManifestFormat;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OperationNotSupportedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One copy from a source to a sink: walks the top-level manifest (an image, one image of an index, or with
 * {@code --all} the whole index), has each image planned ({@link ConversionPlanner}), its blobs moved
 * ({@link BlobTransfer}) or converted ({@link ImageConverter}), stores child manifests before their index and
 * the top-level manifest last, then commits.
 */
final class ImageCopy {
    private final ImageSource source;
    private final ImageSink sink;
    private final CopyOptions options;
    private final BlobTransfer blobs;
    private final ConversionPlanner planner;
    private final ImageConverter converter;
    /** What the sink's store is known to hold (a sync's earlier copies), told what this copy commits; or null. */
    private final StoreBlobs known;
    /** Source manifest digest -> the manifest stored for it, so an image listed twice is copied once. */
    private final Map<Digest, ManifestBytes> written = new HashMap<>();

    ImageCopy(ImageSource source, ImageSink sink, CopyOptions options, CopyListener listener) {
        this(source, sink, options, listener, new BlobScheduler(options.jobs()));
    }

    /** A copy whose blobs run on {@code scheduler} (shared with other copies, for a sync). */
    ImageCopy(ImageSource source, ImageSink sink, CopyOptions options, CopyListener listener, BlobScheduler scheduler) {
        this(source, sink, options, listener, scheduler, null);
    }

    /**
     * A copy whose blobs run on {@code scheduler}, skipping the blobs {@code known} says the sink's store holds, and
     * telling it what this copy committed there (null: none).
     */
    ImageCopy(
            ImageSource source,
            ImageSink sink,
            CopyOptions options,
            CopyListener listener,
            BlobScheduler scheduler,
            StoreBlobs known) {
        this(source, sink, options, listener, scheduler, known, StreamedLayers.first());
    }

    /** As above, gzip layers streamed into the sink as {@code streamed} says (an attempt of the copy). */
    ImageCopy(
            ImageSource source,
            ImageSink sink,
            CopyOptions options,
            CopyListener listener,
            BlobScheduler scheduler,
            StoreBlobs known,
            StreamedLayers streamed) {
        this.source = source;
        this.sink = sink;
        this.options = options;
        this.known = known;
        String sinkName = sink.reference().displayName();
        this.blobs = new BlobTransfer(source, sink, listener, options.link(), scheduler, known);
        this.planner = new ConversionPlanner(
                source.reference().displayName(),
                sinkName,
                sink.supportedManifestTypes(),
                sink.supportedLayerCompressions(),
                options.format(),
                options.compression());
        this.converter = new ImageConverter(
                source, blobs, planner, listener, options.destinationContext().tmpDir(), sinkName, streamed);
    }

    /** Copies, stores the top-level manifest and commits. */
    CopyResult run() throws IOException {
        ImageReference from = source.reference();
        ImageReference to = sink.reference();
        ManifestBytes top = source.manifest();
        ManifestBytes result;
        if (top.isIndex()) {
            ImageIndex index = parseIndex(top);
            if (options.allPlatforms()) {
                if (!to.transport().capabilities().multiImage()) {
                    throw new OperationNotSupportedException(
                            to.transport().name(), "store an image index (--all); pick one image with --platform");
                }
                result = index(top, index);
            } else {
                Descriptor chosen = PlatformSelector.select(index, options.platform(), from.displayName());
                ManifestBytes child = childManifest(chosen);
                if (child.isIndex()) {
                    throw new CorruptImageException("index " + top.digest() + " of " + from.displayName()
                            + " lists another index for " + options.platform());
                }
                result = image(child);
            }
        } else {
            result = image(top);
        }
        sink.putManifest(result);
        sink.commit();
        if (known != null) {
            known.committed(blobs.inSink());
        }
        return new CopyResult(result.digest(), result.mediaType(), blobs.copied(), blobs.skipped(), blobs.bytes());
    }

    /** Parses manifest bytes read from {@code where}. */
    static Manifest parse(ManifestBytes bytes, ImageReference where) throws CorruptImageException {
        try {
            return bytes.parse();
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException(
                    "manifest " + bytes.digest() + " of " + where.displayName() + " is malformed: " + e.getMessage(),
                    e);
        }
    }

    private ImageIndex parseIndex(ManifestBytes bytes) throws CorruptImageException {
        return (ImageIndex) parse(bytes, source.reference());
    }

    /** A child manifest of an index, checked against its entry. */
    private ManifestBytes childManifest(Descriptor entry) throws IOException {
        ManifestBytes child = source.manifest(entry.digest());
        if (!child.matches(entry)) {
            throw new DigestMismatchException(entry.digest(), child.digest(), entry.size(), child.size());
        }
        if (!child.mediaType().equals(entry.mediaType())) {
            throw new CorruptImageException(
                    "manifest " + entry.digest() + " of " + source.reference().displayName() + " is "
                            + child.mediaType() + " but its index says " + entry.mediaType());
        }
        return child;
    }

    /** Copies an image's blobs, converted as planned, and returns the manifest to store for it. */
    private ManifestBytes image(ManifestBytes manifest) throws IOException {
        ManifestBytes already = written.get(manifest.digest());
        if (already != null) {
            return already;
        }
        ManifestBytes result;
        if (MediaTypes.DOCKER_MANIFEST_V1.equals(manifest.mediaType())
                || MediaTypes.DOCKER_MANIFEST_V1_SIGNED.equals(manifest.mediaType())) {
            result = converter.convertSchema1(manifest);
        } else {
            if (!(parse(manifest, source.reference()) instanceof ImageManifest image)) {
                throw new CorruptImageException("expected an image manifest, got " + manifest.mediaType());
            }
            ConversionPlanner.ImagePlan plan = planner.plan(manifest.mediaType(), image);
            if (plan.keepsManifest(image)) {
                blobs.copyAll(image.blobs());
                result = manifest;
            } else {
                result = converter.convert(manifest, image, plan);
            }
        }
        written.put(manifest.digest(), result);
        return result;
    }

    /** Copies an index's images, then returns the index to store (rewritten if an image changed). */
    private ManifestBytes index(ManifestBytes indexBytes, ImageIndex index) throws IOException {
        ManifestFormat target = planner.format(indexBytes.mediaType(), true);
        List<Descriptor> entries = new ArrayList<>();
        boolean changed = ManifestFormat.of(indexBytes.mediaType()).orElseThrow() != target;
        for (Descriptor entry : index.manifests()) {
            ManifestBytes child = childManifest(entry);
            ManifestBytes out = child.isIndex() ? index(child, parseIndex(child)) : image(child);
            if (blobs.claim(out.digest())) {
                sink.putChildManifest(out);
            }
            changed |= !out.digest().equals(entry.digest());
            entries.add(new Descriptor(
                    out.mediaType(),
                    out.digest(),
                    out.size(),
                    target == ManifestFormat.OCI ? entry.annotations() : Map.of(),
                    entry.platform(),
                    entry.urls(),
                    target == ManifestFormat.OCI ? entry.artifactType() : null));
        }
        if (!changed) {
            return indexBytes;
        }
        return new ImageIndex(
                        target.indexType(), entries, target == ManifestFormat.OCI ? index.annotations() : Map.of())
                .toBytes();
    }
}
