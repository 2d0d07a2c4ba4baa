package dev.ferry.spi;

/** A reference that does not parse: a usage error (the CLI exits with 2). */
public class InvalidReferenceException extends FerryException {
    private final String reference;

    public InvalidReferenceException(String reference, String reason) {
        this(reference, reason, null);
    }

    public InvalidReferenceException(String reference, String reason, String hint) {
        super("invalid reference \"" + reference + "\": " + reason, hint);
        this.reference = reference;
    }

    /** The reference as the user wrote it. */
    public String reference() {
        return reference;
    }
}
