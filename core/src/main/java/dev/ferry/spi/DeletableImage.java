package dev.ferry.spi;

import dev.ferry.model.Digest;
import java.io.IOException;

/**
 * Optional capability of an {@link ImageReference}: the image it names can be deleted. A transport whose
 * references implement it declares {@link Capabilities#delete()}.
 *
 * <p>Contract: the deletion is atomic for readers (they see the store before or after it, never half of it) and
 * safe with concurrent writers of the same store (none of their images is lost). What is deleted is the reference:
 * a registry deletes the manifest by digest (a tag is resolved to its digest first, so every tag of that manifest
 * goes), a layout removes the entry from its {@code index.json}. Blobs no longer referenced stay until a
 * {@link GarbageCollectable#collectGarbage} or the registry's own garbage collection.
 */
public interface DeletableImage extends ImageReference {
    /**
     * Deletes the image.
     *
     * @return the digest of the manifest deleted
     * @throws ImageNotFoundException if no image is at this reference
     * @throws FerryException if the store refuses (a registry with deletes disabled: one line that says so)
     */
    Digest delete(OpenContext context) throws IOException;
}
