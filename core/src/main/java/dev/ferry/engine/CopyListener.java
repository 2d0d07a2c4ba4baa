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

    /** Something the user should know, such as a conversion the destination required. */
    default void note(String message) {}
}
