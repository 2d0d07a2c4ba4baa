package dev.ferry.transport.registry;

import dev.ferry.spi.Capabilities;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.RepositoryCatalog;
import dev.ferry.spi.TransportOption;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code docker://[HOST[:PORT]/]NAME[:TAG|@DIGEST]}: images in a registry that speaks the OCI distribution API
 * (Docker Hub, the CNCF distribution server, Harbor, Quay, cloud registries), as skopeo writes them. Reads and writes
 * single images and whole indexes. Its settings come from {@link dev.ferry.spi.OpenContext} options named in
 * {@link RegistrySettings}.
 */
public final class RegistryTransport implements RepositoryCatalog {
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
        return Capabilities.READ_WRITE_MULTI_IMAGE.toBuilder()
                .list(true)
                .delete(true)
                .build();
    }

    /** {@code //HOST[:PORT]}: a registry host alone (with a {@code .} or {@code :}, or {@code localhost}). */
    @Override
    public boolean isCatalog(String location) {
        if (!location.startsWith("//")) {
            return false;
        }
        String host = location.substring(2);
        if (host.endsWith("/")) {
            host = host.substring(0, host.length() - 1);
        }
        return !host.isEmpty() && host.indexOf('/') < 0 && RegistryReference.isHost(host);
    }

    /** Every repository of the registry ({@code /v2/_catalog}, every page), each as {@code NAME:latest}. */
    @Override
    public List<ImageStore> repositories(String location, OpenContext context) throws IOException {
        if (!isCatalog(location)) {
            throw new InvalidReferenceException(
                    name() + ":" + location, "not a registry", "write docker://HOST[:PORT]");
        }
        String host = location.substring(2).replaceAll("/$", "");
        RegistryReference any = parse("//" + host + "/catalog");
        RegistryClient client = RegistryCatalog.client(any.registry(), any.endpoint(), context);
        List<ImageStore> stores = new ArrayList<>();
        for (String repository : RegistryCatalog.repositories(client)) {
            try {
                stores.add(parse("//" + host + "/" + repository));
            } catch (InvalidReferenceException e) {
                // a name the registry holds but the reference grammar refuses: left out
            }
        }
        return stores;
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
