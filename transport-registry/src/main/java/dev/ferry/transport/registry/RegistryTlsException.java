package dev.ferry.transport.registry;

/** The TLS connection to a registry failed: an untrusted or mismatched certificate, or a server not speaking TLS. */
public class RegistryTlsException extends RegistryException {
    public RegistryTlsException(String registry, String reason, Throwable cause) {
        super(
                "TLS connection to " + registry + " failed: " + reason,
                "trust its CA with --cert-dir DIR (a folder of *.crt files, also /etc/docker/certs.d/" + registry
                        + "/), or pass --tls-verify=false if it is a registry you trust on a network you trust",
                registry,
                null,
                0,
                null,
                cause);
    }
}
