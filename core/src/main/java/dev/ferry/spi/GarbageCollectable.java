package dev.ferry.spi;

import java.io.IOException;

/**
 * Optional capability of an {@link ImageReference} that names a store of blobs (a layout): removes the blobs no
 * reference of the store reaches. A transport whose references implement it declares
 * {@link Capabilities#garbageCollect()}.
 *
 * <p>Contract: safe with concurrent writers. What a writer stages, or found in the store and relies on for the image
 * it is writing, is never removed; readers of the store's references are never broken. A blob whose reachability
 * cannot be decided (a manifest the collector cannot parse) keeps everything: nothing is removed then.
 */
public interface GarbageCollectable extends ImageReference {
    /** What a collection freed. */
    record Result(int blobsRemoved, long bytesFreed, int blobsKept) {}

    /**
     * Removes the unreachable blobs.
     *
     * @throws ImageNotFoundException if there is no store at this reference
     */
    Result collectGarbage(OpenContext context) throws IOException;
}
