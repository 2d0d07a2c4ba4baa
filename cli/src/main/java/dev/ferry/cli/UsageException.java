package dev.ferry.cli;

import dev.ferry.spi.FerryException;

/** A usage error found after parsing (a bad option value from the environment, say): exit code 2. */
final class UsageException extends FerryException {
    UsageException(String message, String hint) {
        super(message, hint);
    }
}
