package dev.ferry.spi;

/** A store or image that is malformed: bad JSON, a truncated archive, a manifest that contradicts itself. */
public class CorruptImageException extends FerryException {
    public CorruptImageException(String message) {
        super(message, "the image or its store is damaged; copy it again from its origin");
    }

    public CorruptImageException(String message, Throwable cause) {
        super(message, "the image or its store is damaged; copy it again from its origin", cause);
    }
}
