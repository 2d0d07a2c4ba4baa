package dev.ferry.spi;

import dev.ferry.model.Digest;

/** A blob an image refers to is missing from its store. */
public class BlobNotFoundException extends FerryException {
    private final Digest digest;

    public BlobNotFoundException(Digest digest, String where) {
        super("blob " + digest + " is missing from " + where, "the image is incomplete; copy it again from its origin");
        this.digest = digest;
    }

    public Digest digest() {
        return digest;
    }
}
