package dev.ferry.rootfs;

import dev.ferry.model.Digest;
import dev.ferry.spi.FerryException;

/** A layer that holds more uncompressed bytes than the limit allows ({@link LayerLimit}). */
public class LayerTooLargeException extends FerryException {
    private final long limit;

    public LayerTooLargeException(Digest layer, long limit) {
        super(
                "layer " + layer + " uncompresses to more than " + LayerLimit.format(limit) + " (--max-layer-size "
                        + LayerLimit.format(limit) + ")",
                "raise --max-layer-size if you trust the image");
        this.limit = limit;
    }

    /** The limit it went past, in bytes. */
    public long limit() {
        return limit;
    }
}
