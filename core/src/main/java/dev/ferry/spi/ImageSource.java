package dev.ferry.spi;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import java.io.Closeable;
import java.io.IOException;

/**
 * An image opened for reading. Not required to be thread-safe for opening, but the streams of several
 * {@link #blob} calls may be read concurrently from different threads. Close it to release files and processes.
 *
 * <p>Sources do not verify what they serve: the copy engine checks every digest and size as it streams.
 */
public interface ImageSource extends Closeable {
    /**
     * The {@link OpenContext} option by which the copy engine tells a source that it will write every layer
     * compressed ({@code gzip}, from {@code --compress gzip}): a source that spools its layers as they arrive (a
     * daemon's save) may compress them as they pass, so that the compression overlaps with the stream, and offer
     * the result through {@link #compressedBlob}. A hint: a source may ignore it.
     */
    String COMPRESS_HINT = "engine.compress";

    /**
     * The uncompressed layer {@code descriptor} already compressed as {@code compression}, when this source made
     * that copy while spooling it (see {@link #COMPRESS_HINT}); null otherwise. Only offered when the source
     * digested the uncompressed bytes it compressed, as they passed, and found {@code descriptor}'s digest. The
     * stream's {@link BlobStream#fileDigest()} and {@link BlobStream#size()} are those of the compressed bytes;
     * the caller verifies them as it reads, as always.
     */
    default BlobStream compressedBlob(Descriptor descriptor, MediaTypes.Compression compression) throws IOException {
        return null;
    }

    /** The reference this source was opened from. */
    ImageReference reference();

    /**
     * The top-level manifest exactly as stored: an image manifest, or an index of several.
     *
     * @throws CorruptImageException if the stored manifest is unreadable
     * @throws IOException on read failure
     */
    ManifestBytes manifest() throws IOException;

    /**
     * A manifest the top-level index lists, by digest. Its bytes are returned as stored; the caller checks the
     * digest.
     *
     * @throws BlobNotFoundException if the source does not have it
     * @throws IOException on read failure
     */
    ManifestBytes manifest(Digest digest) throws IOException;

    /**
     * Opens a blob (a config or a layer) for streaming. The caller closes the stream and verifies the bytes.
     *
     * @param descriptor the blob's descriptor from a manifest of this source
     * @throws BlobNotFoundException if the source does not have the blob
     * @throws IOException on read failure
     */
    BlobStream blob(Descriptor descriptor) throws IOException;

    /** Releases everything this source holds. Idempotent. */
    @Override
    void close() throws IOException;
}
