package dev.ferry.transport.registry;

import dev.ferry.spi.FerryException;

/**
 * A registry refused or failed a request. Carries what the CLI needs to print one precise line, and what a caller
 * needs to tell failures apart: the registry, the repository, the HTTP status and the registry's error code.
 */
public class RegistryException extends FerryException {
    private final String registry;
    private final String repository;
    private final int status;
    private final String code;

    public RegistryException(
            String message, String hint, String registry, String repository, int status, String code, Throwable cause) {
        super(message, hint, cause);
        this.registry = registry;
        this.repository = repository;
        this.status = status;
        this.code = code;
    }

    /** The registry, {@code HOST[:PORT]}. */
    public String registry() {
        return registry;
    }

    /** The repository the request was for, or null. */
    public String repository() {
        return repository;
    }

    /** The HTTP status, or 0 when no response arrived. */
    public int status() {
        return status;
    }

    /** The registry's error code ({@code DENIED}, {@code MANIFEST_INVALID}, ...), or null. */
    public String code() {
        return code;
    }
}
