package dev.ferry.transport.oci;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.AmbiguousImageException;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.List;

/** Reads one image of a layout, directory or archive, through its {@link LayoutStore}. */
final class LayoutSource implements ImageSource {
    private final LayoutReference reference;
    private final LayoutStore store;
    private final Descriptor entry;

    private LayoutSource(LayoutReference reference, LayoutStore store, Descriptor entry) {
        this.reference = reference;
        this.store = store;
        this.entry = entry;
    }

    /** Opens the image {@code reference} names in {@code store}; closes the store on failure. */
    static LayoutSource open(LayoutReference reference, LayoutStore store) throws IOException {
        try {
            String where = store.describe();
            if (store.size(LayoutFiles.OCI_LAYOUT) < 0) {
                throw new ImageNotFoundException(
                        reference.displayName(),
                        where + " is not an OCI layout (it has" + " no oci-layout file)",
                        "check the path");
            }
            LayoutFiles.checkLayoutFile(readSmall(store, LayoutFiles.OCI_LAYOUT, 4096), where);
            if (store.size(LayoutFiles.INDEX) < 0) {
                throw new CorruptImageException(where + " has no index.json");
            }
            List<Descriptor> entries = LayoutFiles.parseIndex(
                            readSmall(store, LayoutFiles.INDEX, LayoutFiles.MAX_INDEX_SIZE), where)
                    .entries();
            return new LayoutSource(reference, store, select(reference, entries));
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static Descriptor select(LayoutReference reference, List<Descriptor> entries) throws IOException {
        String ref = reference.ref();
        if (ref != null) {
            List<Descriptor> named =
                    entries.stream().filter(d -> ref.equals(d.refName())).toList();
            if (named.isEmpty()) {
                List<String> refs = entries.stream()
                        .map(Descriptor::refName)
                        .filter(r -> r != null)
                        .toList();
                throw new ImageNotFoundException(
                        reference.displayName(),
                        "no image has ref \"" + ref + "\"",
                        refs.isEmpty() ? "the layout holds no named images" : "refs there: " + String.join(", ", refs));
            }
            if (named.size() > 1) {
                throw new CorruptImageException(
                        reference.displayName() + ": " + named.size() + " index.json entries have ref \"" + ref + "\"");
            }
            return named.get(0);
        }
        if (entries.isEmpty()) {
            throw new ImageNotFoundException(
                    reference.displayName(), "the layout holds no images", "copy an image into it first");
        }
        if (entries.size() > 1) {
            List<String> names = entries.stream()
                    .map(d -> d.refName() != null
                            ? d.refName()
                            : "(unnamed " + d.digest().shortHex() + ")")
                    .toList();
            throw new AmbiguousImageException(
                    reference.displayName(), names, "name one: " + reference.displayName() + ":REF");
        }
        return entries.get(0);
    }

    static byte[] readSmall(LayoutStore store, String path, int limit) throws IOException {
        long size = store.size(path);
        if (size > limit) {
            throw new CorruptImageException(
                    store.describe() + "/" + path + " has " + size + " bytes, more than the " + limit + " Ferry reads");
        }
        try (InputStream in = store.open(path)) {
            return in.readNBytes(limit);
        }
    }

    @Override
    public ImageReference reference() {
        return reference;
    }

    @Override
    public ManifestBytes manifest() throws IOException {
        return readManifest(entry);
    }

    @Override
    public ManifestBytes manifest(Digest digest) throws IOException {
        long size = store.size(LayoutFiles.blobPath(digest));
        if (size < 0) {
            throw new BlobNotFoundException(digest, store.describe());
        }
        byte[] bytes = readSmall(store, LayoutFiles.blobPath(digest), ManifestBytes.MAX_SIZE);
        try {
            return ManifestBytes.of(bytes, null, digest.algorithm());
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException(
                    "manifest " + digest + " in " + store.describe() + " is malformed: " + e.getMessage(), e);
        }
    }

    private ManifestBytes readManifest(Descriptor descriptor) throws IOException {
        String path = LayoutFiles.blobPath(descriptor.digest());
        if (store.size(path) < 0) {
            throw new BlobNotFoundException(descriptor.digest(), store.describe());
        }
        if (descriptor.size() > ManifestBytes.MAX_SIZE) {
            throw new CorruptImageException("manifest " + descriptor.digest() + " in " + store.describe()
                    + " claims " + descriptor.size() + " bytes, more than the " + ManifestBytes.MAX_SIZE
                    + " (4 MiB) Ferry reads");
        }
        byte[] bytes = readSmall(store, path, ManifestBytes.MAX_SIZE);
        ManifestBytes manifest;
        try {
            manifest = ManifestBytes.of(
                    bytes, descriptor.mediaType(), descriptor.digest().algorithm());
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException(
                    "manifest " + descriptor.digest() + " in " + store.describe() + " is malformed: " + e.getMessage(),
                    e);
        }
        if (!manifest.matches(descriptor)) {
            throw new DigestMismatchException(
                    descriptor.digest(), manifest.digest(), descriptor.size(), manifest.size());
        }
        return manifest;
    }

    @Override
    public BlobStream blob(Descriptor descriptor) throws IOException {
        String path = LayoutFiles.blobPath(descriptor.digest());
        long size = store.size(path);
        if (size < 0) {
            throw new BlobNotFoundException(descriptor.digest(), store.describe());
        }
        try {
            return new BlobStream(
                    store.open(path),
                    size,
                    store instanceof DirectoryStore directory ? directory.regularFile(path) : null);
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(descriptor.digest(), store.describe());
        }
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
