package dev.ferry.spi;

/** The reference names an image that is not there: a missing layout, archive, ref or daemon image. */
public class ImageNotFoundException extends FerryException {
    private final String reference;

    public ImageNotFoundException(String reference, String reason, String hint) {
        super("image " + reference + " not found: " + reason, hint);
        this.reference = reference;
    }

    public String reference() {
        return reference;
    }
}
