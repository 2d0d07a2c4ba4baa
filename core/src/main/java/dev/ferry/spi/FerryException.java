package dev.ferry.spi;

import java.io.IOException;

/**
 * Base of every error Ferry and its transports report. Its message is one line that says what failed; its
 * {@linkplain #hint() hint}, when present, says what to do about it. The CLI prints both on one line.
 */
public class FerryException extends IOException {
    private final String hint;

    public FerryException(String message) {
        this(message, null, null);
    }

    public FerryException(String message, String hint) {
        this(message, hint, null);
    }

    public FerryException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What the user can do about it, or null. */
    public String hint() {
        return hint;
    }
}
