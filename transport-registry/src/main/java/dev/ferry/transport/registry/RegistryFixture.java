package dev.ferry.transport.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.StoreContents;
import dev.ferry.spi.OpenContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The conformance kit's fixture for {@code docker://}: a registry the kit may write to, named by the environment
 * variable {@value #REGISTRY} (or the system property {@value #PROPERTY}) as {@code HOST:PORT}; each fresh reference
 * a new repository, its other tags the second references, listed with the registry's tags API. A registry is a
 * shared content-addressed store: a blob fetchable by digest once uploaded is not a leftover, so the listing holds
 * tags only. A loopback registry is reached over plain HTTP ({@code tls-verify=false}).
 */
public final class RegistryFixture implements ConformanceFixture {
    /** The environment variable naming the registry. */
    public static final String REGISTRY = "FERRY_CONFORMANCE_REGISTRY";
    /** The system property naming the registry, when the environment cannot be set. */
    public static final String PROPERTY = "ferry.conformance.registry";

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @Override
    public String transportName() {
        return "docker";
    }

    private static String registry() {
        String host = System.getProperty(PROPERTY, System.getenv(REGISTRY));
        if (host == null || host.isBlank()) {
            throw new IllegalStateException("set " + REGISTRY + "=HOST:PORT to a registry the kit may write to"
                    + " (for example one started with `docker-registry serve`)");
        }
        return host.strip();
    }

    @Override
    public String freshReference(Path scratch) {
        return "//" + registry() + "/ferry-conformance/" + RUN + "-" + COUNTER.incrementAndGet() + ":conformance";
    }

    @Override
    public String siblingReference(String reference, String name) {
        return reference.substring(0, reference.lastIndexOf(':')) + ":" + name;
    }

    @Override
    public StoreContents storeContents(String reference, OpenContext context) throws IOException {
        String hostAndRepo = reference.substring(2, reference.lastIndexOf(':'));
        int slash = hostAndRepo.indexOf('/');
        String host = hostAndRepo.substring(0, slash);
        String repository = hostAndRepo.substring(slash + 1);
        boolean loopback = host.startsWith("127.") || host.startsWith("localhost") || host.startsWith("[::1]");
        URI uri = URI.create((loopback ? "http" : "https") + "://" + host + "/v2/" + repository + "/tags/list");
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        List<String> refs = new ArrayList<>();
        if (response.statusCode() == 404) {
            return StoreContents.of(refs, List.of()); // no such repository yet
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + ": HTTP " + response.statusCode());
        }
        JsonNode tags = new ObjectMapper().readTree(response.body()).path("tags");
        for (JsonNode tag : tags) {
            refs.add("//" + host + "/" + repository + ":" + tag.asText());
        }
        return StoreContents.of(refs, List.of());
    }

    @Override
    public List<String> invalidReferences() {
        return List.of("busybox", "//", "//Upper/case", "//app:bad tag", "//app@sha256:short");
    }

    /** A loopback registry is reached over plain HTTP: {@code tls-verify=false}, as docker and skopeo need. */
    @Override
    public OpenContext context(OpenContext base) {
        String host = System.getProperty(PROPERTY, System.getenv(REGISTRY));
        boolean loopback =
                host != null && (host.startsWith("127.") || host.startsWith("localhost") || host.startsWith("[::1]"));
        return loopback ? base.withOption(RegistrySettings.TLS_VERIFY.name(), "false") : base;
    }

    @Override
    public Duration largeBlobTimeLimit() {
        return Duration.ofMinutes(10);
    }
}
