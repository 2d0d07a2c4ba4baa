package dev.ferry.spi;

import java.io.IOException;

/**
 * A parsed, immutable reference to an image within one transport. Implementations define {@code equals} and
 * {@code hashCode} by value.
 */
public interface ImageReference {
    /** The transport that parsed this reference. */
    Transport transport();

    /**
     * This reference without the transport prefix, such that {@code transport().parse(stringWithinTransport())}
     * gives an equal reference.
     */
    String stringWithinTransport();

    /** {@code transport-name:stringWithinTransport}, as a user writes it. */
    default String displayName() {
        return transport().name() + ":" + stringWithinTransport();
    }

    /**
     * Opens the image for reading, with the user's settings ({@code context}: where temporary files may go, and
     * the named options this transport documents). Fails early when the image is not there. The one way to open a
     * source: callers without settings pass {@link OpenContext#defaults()}.
     *
     * <p>The source serves the image this reference names, never another image of the same store.
     *
     * @throws ImageNotFoundException if no image is at this reference (even when its store holds others)
     * @throws AmbiguousImageException if the reference names no image and several are there
     * @throws OperationNotSupportedException if the transport cannot read
     * @throws FerryException for other failures, with a message for the user
     */
    ImageSource openSource(OpenContext context) throws IOException;

    /**
     * Opens the image for writing, with the user's settings (see {@link #openSource(OpenContext)}). Nothing is
     * visible at the reference until {@link ImageSink#commit()}.
     *
     * @throws OperationNotSupportedException if the transport cannot write
     * @throws FerryException if the destination cannot be written, with a message for the user
     */
    ImageSink openSink(OpenContext context) throws IOException;
}
