package dev.ferry.transport.registry;

/** The registry wants credentials it did not get, or refused the ones it got (401 or 403). */
public class RegistryAuthException extends RegistryException {
    private final boolean credentialsSent;

    public RegistryAuthException(
            String message,
            String hint,
            String registry,
            String repository,
            int status,
            String code,
            boolean credentialsSent) {
        super(message, hint, registry, repository, status, code, null);
        this.credentialsSent = credentialsSent;
    }

    /** Whether credentials were sent (so they are wrong or lack rights), or the request was anonymous. */
    public boolean credentialsSent() {
        return credentialsSent;
    }
}
