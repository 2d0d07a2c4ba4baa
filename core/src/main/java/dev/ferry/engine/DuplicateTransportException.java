package dev.ferry.engine;

import dev.ferry.spi.FerryException;

/** Two transports claim one name. */
public class DuplicateTransportException extends FerryException {
    public DuplicateTransportException(String name, String firstOrigin, String secondOrigin) {
        super(
                "two transports are named \"" + name + "\": one in " + firstOrigin + ", one in " + secondOrigin,
                "remove one of the two jars");
    }
}
