package dev.ferry.transport.registry;

import dev.ferry.spi.Capabilities;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.Transport;
import dev.ferry.spi.TransportOption;
import java.util.List;

/**
 * {@code docker://[HOST[:PORT]/]NAME[:TAG|@DIGEST]}: images in a registry that speaks the OCI distribution API
 * (Docker Hub, the CNCF distribution server, Harbor, Quay, cloud registries), as skopeo writes them. Reads and writes
 * single images and whole indexes. Its settings come from {@link dev.ferry.spi.OpenContext} options named in
 * {@link RegistrySettings}.
 */
public final class RegistryTransport implements Transport {
    public static final String NAME = "docker";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RegistryReference parse(String reference) throws InvalidReferenceException {
        return RegistryReference.parse(this, reference);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.READ_WRITE_MULTI_IMAGE;
    }

    /** Credentials, auth file, certificates, TLS verification and retries ({@link RegistrySettings}). */
    @Override
    public List<TransportOption> options() {
        return RegistrySettings.OPTIONS;
    }

    @Override
    public String syntax() {
        return "docker://[HOST[:PORT]/]NAME[:TAG|@sha256:DIGEST]";
    }
}
