package dev.ferry.conformance;

/** Behaviours a transport may declare it lacks; the kit then skips their checks and says why. */
public enum Behavior {
    /** Writing the same image again to the same reference (an archive that is never modified cannot). */
    REWRITE_SAME_REFERENCE,
    /** Skipping blobs the destination already has ({@code hasBlob} true after a write). */
    REUSE_BLOBS,
    /** Returning the manifest bytes that were written (a docker archive synthesizes its own). */
    KEEP_MANIFEST_BYTES,
    /** Streaming a 1 GiB layer in the time a test may take. */
    LARGE_LAYER
}
