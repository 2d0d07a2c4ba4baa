package dev.ferry.engine;

import dev.ferry.model.Descriptor;

/** Follows a copy's progress. Methods may be called from several threads; the default does nothing. */
public interface CopyListener {
    CopyListener NONE = new CopyListener() {};

    /** A blob starts streaming. */
    default void blobStarted(Descriptor blob) {}

    /** {@code bytes} more bytes of a blob went through. */
    default void blobProgress(Descriptor blob, long bytes) {}

    /** A blob was stored, or skipped because the destination had it. */
    default void blobDone(Descriptor blob, boolean skipped) {}

    /** How a blob reached the destination. */
    enum Outcome {
        /** Its bytes were written. */
        COPIED,
        /** The destination had it. */
        SKIPPED,
        /** Hardlinked from the source's file (read once to verify it, not written). */
        LINKED
    }

    /** A blob was stored, linked or skipped; by default, {@link #blobDone} (skipped or not). */
    default void blobFinished(Descriptor blob, Outcome outcome) {
        blobDone(blob, outcome == Outcome.SKIPPED);
    }

    /** Something the user should know, such as a conversion the destination required. */
    default void note(String message) {}

    /**
     * The copy so far is discarded and made again from the start, into a new sink: {@link CopyEngine} does it once,
     * when a gzip layer it streamed into the sink turned out of another size than its trailer announced. What the
     * discarded attempt reported does not count: its {@code bytes} bytes of {@link #blobProgress} in all, and its blobs
     * started and finished (the next attempt reports those it moves). Nothing of the discarded attempt is reported
     * after this. By default nothing.
     */
    default void attemptDiscarded(long bytes) {}
}
