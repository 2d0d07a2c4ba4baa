package dev.ferry.conformance;

/**
 * Behaviours a transport may declare it lacks ({@link ConformanceFixture#unsupported()}). The checks that need
 * one are skipped, with the reason shown; a behaviour that is not declared missing is checked working.
 */
public enum Behavior {
    /**
     * Writing an image again to a reference that holds one (an archive that is never modified cannot). Declared
     * missing, the kit checks that a second write to the reference fails and leaves the first image as it was.
     */
    REWRITE_SAME_REFERENCE,
    /** Skipping blobs the destination already has ({@code hasBlob} true for them after a write). */
    REUSE_BLOBS,
    /** Returning the manifest bytes that were written (a docker archive synthesizes its own). */
    KEEP_MANIFEST_BYTES
}
