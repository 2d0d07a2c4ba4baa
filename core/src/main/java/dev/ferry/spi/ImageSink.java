package dev.ferry.spi;

import dev.ferry.model.Descriptor;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An image opened for writing: a transaction. The caller puts every blob first (config and layers, in any
 * order, possibly from several threads at once, asking {@link #hasBlob} meanwhile from others), then the child
 * manifests of an index if any, then the
 * top-level manifest, then calls {@link #commit()}, then {@link #close()}.
 *
 * <p>Nothing is visible at the destination before {@link #commit()} returns: a source opened on the reference
 * meanwhile throws {@link ImageNotFoundException} (or, when rewriting, serves the previous image), and the store
 * names no new reference. Closing without commit discards everything put, and leaves the destination as it was:
 * no reference, no staging file, nothing in the context's temporary folder (only blobs a shared content-addressed
 * store, such as a registry, already serves by digest may stay). Writing one reference leaves the store's other
 * references byte for byte as they were. A sink killed at any moment leaves its store valid: every reference whole
 * or absent, and a rerun succeeds.
 *
 * <p>Where files go: what becomes part of the store at commit is staged inside the store, next to its target, under
 * a {@link dev.ferry.spi.support.TempFiles} name, so that commit is an atomic rename; the context's
 * {@link OpenContext#tmpDir()} takes only what the sink's own work needs (spools), removed by {@link #close()}.
 */
public interface ImageSink extends Closeable {
    /** The reference this sink was opened for. */
    ImageReference reference();

    /**
     * The manifest media types this sink stores, the preferred first. {@link #putManifest} refuses others.
     */
    List<String> supportedManifestTypes();

    /**
     * The layer compressions this sink stores. The copy engine recompresses layers into one of these (the first
     * when it must choose) before {@link #putBlob}. The default is all of them.
     */
    default Set<MediaTypes.Compression> supportedLayerCompressions() {
        return EnumSet.allOf(MediaTypes.Compression.class);
    }

    /**
     * Whether the destination already holds this exact blob (digest and size), so putting it can be skipped.
     * A sink answers false when in doubt.
     */
    boolean hasBlob(Descriptor descriptor) throws IOException;

    /**
     * Stores a blob, reading {@code in} to its end, without closing it. The sink MUST verify that the bytes
     * have the descriptor's digest and size (wrap {@code in} with
     * {@link dev.ferry.spi.support.VerifyingInputStream#verify}, which costs nothing when the caller already
     * verifies) and MUST discard them when they do not, or when the stream fails.
     *
     * @throws DigestMismatchException if the bytes do not match the descriptor; nothing of them is stored
     * @throws IOException if reading or storing failed; nothing of the blob is stored
     */
    void putBlob(Descriptor descriptor, InputStream in) throws IOException;

    /**
     * Stores a manifest that the top-level index will list, after its blobs and before the index. Only called
     * when the transport declares {@link Capabilities#multiImage()}.
     *
     * @throws UnsupportedManifestException if its media type is not one of {@link #supportedManifestTypes()}
     * @throws OperationNotSupportedException if this sink stores single images only
     */
    default void putChildManifest(ManifestBytes manifest) throws IOException {
        throw new OperationNotSupportedException(reference().transport().name(), "store an image index");
    }

    /**
     * Stores the top-level manifest, after every blob (and child manifest) it needs. Called once.
     *
     * @throws UnsupportedManifestException if its media type is not one of {@link #supportedManifestTypes()}
     * @throws IOException if it cannot be stored
     */
    void putManifest(ManifestBytes manifest) throws IOException;

    /**
     * Makes the image visible at the reference, atomically: afterwards the whole image is there, or on failure
     * the destination is as it was. Called once, after {@link #putManifest}.
     */
    void commit() throws IOException;

    /** Releases resources; without a successful {@link #commit()}, discards everything put. Idempotent. */
    @Override
    void close() throws IOException;
}
