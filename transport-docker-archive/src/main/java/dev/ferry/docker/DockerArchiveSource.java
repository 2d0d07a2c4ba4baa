package dev.ferry.docker;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageConfig;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.AmbiguousImageException;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.TarIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One image of a {@link DockerArchive}, served as a Docker v2s2 image. As containers/image does, the manifest is
 * synthesized: the config's digest is computed from its bytes, and each layer's digest is its diffID, since
 * {@code docker save} writes layers uncompressed (in a Docker 25 archive, whose layer files are named by their
 * digest, a compressed layer keeps its own digest and media type). The layer count is checked against
 * {@code rootfs.diff_ids}; a diffID repeated is one blob; one layer file used for two diffIDs is an error.
 */
public final class DockerArchiveSource implements ImageSource {
    private final ImageReference reference;
    private final DockerArchive archive;
    private final ManifestBytes manifest;
    private final Map<Digest, String> paths;

    private DockerArchiveSource(
            ImageReference reference, DockerArchive archive, ManifestBytes manifest, Map<Digest, String> paths) {
        this.reference = reference;
        this.archive = archive;
        this.manifest = manifest;
        this.paths = paths;
    }

    /**
     * Opens the image of {@code archive} that {@code name} names (when not null), or that {@code index} points at
     * (when not negative), or its only image. Closes the archive on failure; on success the source owns it.
     */
    public static DockerArchiveSource open(
            ImageReference reference, DockerArchive archive, DockerReference name, int index) throws IOException {
        try {
            return new Opener(reference, archive).open(select(reference, archive, name, index));
        } catch (IOException | RuntimeException e) {
            archive.close();
            throw e;
        }
    }

    /**
     * Opens the only image of a daemon's save, read once as it streams: each file of the save goes to a file of
     * its own in a temporary folder under {@code tmpDir} (so layers are digested and stored as they pass, though
     * manifest.json comes last), deleted on close, on failure, and at exit if Ferry is interrupted. Blobs are
     * served with {@link BlobStream#file()}, so a sink on the same filesystem links them instead of copying.
     */
    public static DockerArchiveSource openSpooled(ImageReference reference, Path tmpDir, DockerArchive.SaveStream save)
            throws IOException {
        return openSpooled(reference, OpenContext.defaults().withTmpDir(tmpDir), save);
    }

    /**
     * As {@link #openSpooled(ImageReference, Path, DockerArchive.SaveStream)}, in {@code context}'s temporary
     * folder; when the copy engine will gzip every layer ({@link ImageSource#COMPRESS_HINT}), each layer is also
     * gzipped as the save streams, and served by {@link #compressedBlob}.
     */
    public static DockerArchiveSource openSpooled(
            ImageReference reference, OpenContext context, DockerArchive.SaveStream save) throws IOException {
        boolean gzip = context.option(COMPRESS_HINT).map("gzip"::equals).orElse(false);
        return open(reference, DockerArchive.split(save, context.tmpDir(), reference.displayName(), gzip), null, -1);
    }

    private static DockerArchive.Entry select(
            ImageReference reference, DockerArchive archive, DockerReference name, int index) throws IOException {
        List<DockerArchive.Entry> images = archive.images();
        if (index >= 0) {
            if (index >= images.size()) {
                throw new ImageNotFoundException(
                        reference.displayName(),
                        "the archive holds " + images.size() + " image(s); @" + index + " is out of range",
                        "images are numbered from @0");
            }
            return images.get(index);
        }
        if (name != null) {
            for (DockerArchive.Entry image : images) {
                for (String tag : image.repoTags()) {
                    if (name.matchesRepoTag(tag)) {
                        return image;
                    }
                }
            }
            throw new ImageNotFoundException(
                    reference.displayName(), "no image is tagged " + name, "tags there: " + describe(images));
        }
        if (images.isEmpty()) {
            throw new ImageNotFoundException(reference.displayName(), "the archive holds no images", null);
        }
        if (images.size() > 1) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                names.add(
                        images.get(i).repoTags().isEmpty()
                                ? "@" + i
                                : images.get(i).repoTags().get(0));
            }
            throw new AmbiguousImageException(reference.displayName(), names, "name one with :NAME:TAG or :@INDEX");
        }
        return images.get(0);
    }

    private static String describe(List<DockerArchive.Entry> images) {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            tags.add(
                    images.get(i).repoTags().isEmpty()
                            ? "@" + i + " (untagged)"
                            : String.join(", ", images.get(i).repoTags()));
        }
        return String.join("; ", tags);
    }

    /** Reads one entry's config and layers and synthesizes its manifest. */
    private record Opener(ImageReference reference, DockerArchive archive) {
        DockerArchiveSource open(DockerArchive.Entry image) throws IOException {
            TarIndex tar = archive.tar();
            String where = reference.displayName();
            String configPath = resolve(tar, image.config(), "config");
            byte[] configBytes = tar.readAll(configPath, DockerArchive.MAX_MANIFEST);
            ImageConfig config;
            try {
                config = ImageConfig.parse(configBytes);
            } catch (IllegalArgumentException e) {
                throw new CorruptImageException(
                        where + ": config " + image.config() + " is malformed: " + e.getMessage(), e);
            }
            if (config.diffIds().size() != image.layers().size()) {
                throw new CorruptImageException(
                        where + ": manifest.json lists " + image.layers().size() + " layers but the config has "
                                + config.diffIds().size() + " diff_ids");
            }
            Digest configDigest = Digest.sha256(configBytes);
            Map<Digest, String> paths = new HashMap<>();
            paths.put(configDigest, configPath);
            Map<String, Digest> diffIdOfPath = new HashMap<>();
            Map<Digest, Descriptor> layers = new LinkedHashMap<>();
            List<Descriptor> order = new ArrayList<>();
            for (int i = 0; i < image.layers().size(); i++) {
                Digest diffId = config.diffIds().get(i);
                String path = resolve(tar, image.layers().get(i), "layer");
                Digest previous = diffIdOfPath.putIfAbsent(path, diffId);
                if (previous != null && !previous.equals(diffId)) {
                    throw new CorruptImageException(where + ": layer file " + path + " is used for two diffIDs, "
                            + previous + " and " + diffId);
                }
                Descriptor layer = layers.get(diffId);
                if (layer == null) {
                    layer = describeLayer(tar, path, diffId);
                    layers.put(diffId, layer);
                    paths.put(layer.digest(), path);
                }
                order.add(layer);
            }
            ManifestBytes manifest = new ImageManifest(
                            MediaTypes.DOCKER_MANIFEST,
                            Descriptor.of(MediaTypes.DOCKER_CONFIG, configDigest, configBytes.length),
                            order,
                            Map.of(),
                            null,
                            null)
                    .toBytes();
            return new DockerArchiveSource(reference, archive, manifest, Map.copyOf(paths));
        }

        private String resolve(TarIndex tar, String path, String what) throws CorruptImageException {
            String resolved = tar.resolve(path);
            if (resolved == null) {
                throw new CorruptImageException(reference.displayName() + ": the " + what + " file " + path
                        + " named in manifest.json is missing from the archive");
            }
            return resolved;
        }

        /** A layer's descriptor: uncompressed with its diffID, unless a Docker 25 blob name says otherwise. */
        private Descriptor describeLayer(TarIndex tar, String path, Digest diffId) throws IOException {
            long size = tar.size(path);
            String[] parts = path.split("/");
            if (parts.length == 3 && parts[0].equals("blobs")) {
                Digest named = Digest.tryParse(parts[1] + ":" + parts[2]).orElse(null);
                if (named != null && !named.equals(diffId)) {
                    return Descriptor.of(sniff(tar, path), named, size);
                }
            }
            return Descriptor.of(MediaTypes.DOCKER_LAYER, diffId, size);
        }

        private String sniff(TarIndex tar, String path) throws IOException {
            byte[] magic;
            try (InputStream in = tar.open(path)) {
                magic = in.readNBytes(4);
            }
            return switch (MediaTypes.Compression.sniff(magic, magic.length)) {
                case GZIP -> MediaTypes.DOCKER_LAYER_GZIP;
                case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
                case NONE -> MediaTypes.DOCKER_LAYER;
            };
        }
    }

    @Override
    public ImageReference reference() {
        return reference;
    }

    @Override
    public ManifestBytes manifest() {
        return manifest;
    }

    @Override
    public ManifestBytes manifest(Digest digest) throws IOException {
        throw new BlobNotFoundException(digest, reference.displayName() + " (a docker archive has no index)");
    }

    @Override
    public BlobStream blob(Descriptor descriptor) throws IOException {
        String path = paths.get(descriptor.digest());
        if (path == null) {
            throw new BlobNotFoundException(descriptor.digest(), reference.displayName());
        }
        if (archive.tar().dataFile(path) == null && archive.tar().gzipped(path) != null) {
            // kept only gzipped, for compressedBlob: asked for here only when its bytes were not the layer's
            throw new DigestMismatchException(
                    descriptor.digest(),
                    archive.tar().dataDigest(path),
                    descriptor.size(),
                    archive.tar().size(path));
        }
        return new BlobStream(
                archive.tar().open(path),
                archive.tar().size(path),
                archive.tar().dataFile(path),
                archive.tar().dataDigest(path));
    }

    @Override
    public BlobStream compressedBlob(Descriptor descriptor, MediaTypes.Compression compression) throws IOException {
        String path = paths.get(descriptor.digest());
        if (path == null || compression != MediaTypes.Compression.GZIP) {
            return null;
        }
        TarIndex.Gzipped gzipped = archive.tar().gzipped(path);
        if (gzipped == null || !descriptor.digest().equals(archive.tar().dataDigest(path))) {
            return null; // not gzipped as it passed, or its bytes are not the layer's: the engine reports it
        }
        return new BlobStream(Files.newInputStream(gzipped.file()), gzipped.size(), gzipped.file(), gzipped.digest());
    }

    @Override
    public void close() throws IOException {
        archive.close();
    }
}
