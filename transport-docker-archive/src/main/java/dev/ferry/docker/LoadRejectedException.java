package dev.ferry.docker;

import dev.ferry.spi.FerryException;

/** The Docker daemon received an image and refused to load it. */
public class LoadRejectedException extends FerryException {
    private final String reference;
    private final String daemonMessage;

    public LoadRejectedException(String reference, String daemonMessage, Throwable cause) {
        super("the Docker daemon rejected " + reference + ": " + daemonMessage, null, cause);
        this.reference = reference;
        this.daemonMessage = daemonMessage;
    }

    /** The image that was being loaded, as the user wrote it. */
    public String reference() {
        return reference;
    }

    /** What the daemon said, as it said it. */
    public String daemonMessage() {
        return daemonMessage;
    }
}
