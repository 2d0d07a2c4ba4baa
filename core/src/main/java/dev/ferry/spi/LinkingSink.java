package dev.ferry.spi;

import dev.ferry.model.Descriptor;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Optional for an {@link ImageSink} that stores blobs as files: it can take a blob by hardlinking the file the
 * source holds it in ({@link BlobStream#file()}) instead of copying its bytes. Stores whose writers replace files
 * by rename and never modify a blob in place (as OCI layouts) can share one inode safely.
 *
 * <p>The copy engine verifies the file's content (digest and size: one read, no write) before it calls
 * {@link #linkBlob}; {@code ferry copy --no-link} turns linking off.
 */
public interface LinkingSink {
    /**
     * A folder on this sink's filesystem, private to it, where a source opened for the same copy may spool blobs
     * it then serves as files (a daemon's save): they are linked, not copied. Removed with the sink at the latest,
     * and by the next writer if the process is killed; null if there is none.
     */
    Path scratchDirectory() throws IOException;

    /** Whether {@code file} can be linked into this sink (same filesystem, hardlinks allowed), as far as it knows. */
    boolean canLink(Path file) throws IOException;

    /**
     * Stores the blob held in {@code file}, whose content the caller has verified, by linking it; visible only at
     * commit, as with {@link ImageSink#putBlob}.
     *
     * @return false, having stored nothing, when the link could not be made after all: the caller then copies
     * @throws IOException if the file changed (its size no longer matches), or storing failed; nothing is stored
     */
    boolean linkBlob(Descriptor descriptor, Path file) throws IOException;
}
