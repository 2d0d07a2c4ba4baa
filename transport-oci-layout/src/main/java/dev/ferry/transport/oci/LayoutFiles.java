package dev.ferry.transport.oci;

import dev.ferry.model.Digest;
import dev.ferry.model.LayoutIndex;
import dev.ferry.spi.CorruptImageException;

/** The fixed files of an OCI image layout: {@code oci-layout}, {@code index.json}, and blob paths. */
final class LayoutFiles {
    static final String OCI_LAYOUT = "oci-layout";
    static final String INDEX = "index.json";
    static final String BLOBS = "blobs";
    static final byte[] OCI_LAYOUT_BYTES = LayoutIndex.layoutFile();
    /** index.json lists manifests, never content; this bounds what is read into memory. */
    static final int MAX_INDEX_SIZE = 64 * 1024 * 1024;

    private LayoutFiles() {}

    /** {@code blobs/<algorithm>/<hex>}: safe by construction, since a {@link Digest} is validated. */
    static String blobPath(Digest digest) {
        return BLOBS + "/" + digest.algorithm().ociName() + "/" + digest.hex();
    }

    /** Checks an {@code oci-layout} file. */
    static void checkLayoutFile(byte[] bytes, String where) throws CorruptImageException {
        try {
            LayoutIndex.checkLayoutFile(bytes, where + "/" + OCI_LAYOUT);
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException(e.getMessage(), e);
        }
    }

    /** Parses {@code index.json}, keeping every field (unknown ones included) for rewriting. */
    static LayoutIndex parseIndex(byte[] bytes, String where) throws CorruptImageException {
        try {
            return LayoutIndex.parse(bytes, where + "/" + INDEX);
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException(e.getMessage(), e);
        }
    }
}
