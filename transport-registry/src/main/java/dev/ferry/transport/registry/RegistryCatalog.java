package dev.ferry.transport.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.OpenContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a registry says about what it holds, and deletion: {@code tags/list} and {@code _catalog} (every page, with
 * {@code n} and the {@code Link} header), a manifest's digest by {@code HEAD}, and {@code DELETE} of a manifest by
 * digest. One client per registry and settings for the life of the process, so that listing many repositories
 * pings and authenticates once.
 */
final class RegistryCatalog {
    /** Entries asked for per page, unless the system property {@code ferry.registry.page-size} says otherwise. */
    static final int PAGE = 1000;

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;[^,]*rel=\"?next\"?", Pattern.CASE_INSENSITIVE);
    private static final int MAX_CLIENTS = 64;
    private static final Map<String, RegistryClient> CLIENTS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RegistryClient> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    private RegistryCatalog() {}

    /**
     * The {@link OpenContext} option naming an operation over many images (a sync): the sources, sinks and lookups
     * of one session share a client per registry, repository and settings (connections, ping, credentials, tokens).
     * Without it each gets its own, so that a process that logs out meanwhile is not served stale credentials.
     */
    static final String SESSION = "session";

    /** A client for {@code registry}: the session's, or a new one. */
    static RegistryClient client(String registry, String endpoint, OpenContext context) throws IOException {
        return client(registry, endpoint, null, RegistrySettings.of(context, registry), context);
    }

    /** A client for {@code repository} of {@code registry}: the session's, or a new one. */
    static RegistryClient client(
            String registry, String endpoint, String repository, RegistrySettings settings, OpenContext context)
            throws IOException {
        String session = context.option(SESSION).orElse(null);
        if (session == null) {
            return new RegistryClient(registry, endpoint, repository, settings, CredentialStore.system());
        }
        return shared(session, registry, endpoint, repository, settings);
    }

    /**
     * The session's client for {@code registry}, {@code repository} (credentials may be per repository) and
     * {@code settings}: the sources and sinks of many images (a sync) share its connections, ping and tokens
     * instead of each setting up its own. The last {@value #MAX_CLIENTS} are kept.
     */
    private static RegistryClient shared(
            String session, String registry, String endpoint, String repository, RegistrySettings settings)
            throws IOException {
        String key = session + "\n" + registry + "\n" + endpoint + "\n" + repository + "\n" + settings.creds() + "\n"
                + settings;
        synchronized (CLIENTS) {
            RegistryClient client = CLIENTS.get(key);
            if (client == null) {
                client = new RegistryClient(registry, endpoint, repository, settings, CredentialStore.system())
                        .shareInSession();
                CLIENTS.put(key, client);
            }
            return client;
        }
    }

    /** {@link #PAGE}, or {@code ferry.registry.page-size} (for tests: a few tags then take several pages). */
    private static int pageSize() {
        return Integer.getInteger("ferry.registry.page-size", PAGE);
    }

    /** Every tag of {@code repository}, in the registry's order. */
    static List<String> tags(RegistryClient client, String repository) throws IOException {
        List<String> tags = new ArrayList<>();
        List<String> scopes = RegistryClient.scopes(RegistryClient.scope(repository, "pull"));
        pages(client, "/v2/" + repository + "/tags/list?n=" + pageSize(), scopes, repository, "tags", tags);
        return tags;
    }

    /** Every repository of the registry ({@code GET /v2/_catalog}), in the registry's order. */
    static List<String> repositories(RegistryClient client) throws IOException {
        List<String> names = new ArrayList<>();
        pages(
                client,
                "/v2/_catalog?n=" + pageSize(),
                RegistryClient.scopes("registry:catalog:*"),
                null,
                "repositories",
                names);
        return names;
    }

    private static void pages(
            RegistryClient client, String first, List<String> scopes, String repository, String field, List<String> out)
            throws IOException {
        URI uri = client.url(first);
        for (int page = 0; uri != null; page++) {
            HttpResponse<InputStream> response = client.send(RegistryClient.Call.of("GET", uri, scopes));
            try (InputStream body = RegistryClient.reusing(response.body())) {
                int status = response.statusCode();
                if (status == 404 && repository != null) {
                    IOException failure = client.failure(response, body, "GET " + uri.getPath(), repository);
                    throw new ImageNotFoundException(
                            "docker://" + client.registry() + "/" + repository,
                            "the registry has no repository " + repository + " (" + failure.getMessage() + ")",
                            "check the name (`ferry sync docker://" + client.registry() + "` lists every repository)");
                }
                if (status != 200) {
                    throw client.failure(response, body, "GET " + uri.getPath(), repository);
                }
                JsonNode root = RegistryClient.JSON.readTree(body.readNBytes(64 * 1024 * 1024));
                JsonNode list = root == null ? null : root.get(field);
                if (list != null && list.isArray()) {
                    for (JsonNode n : list) {
                        if (n.isTextual()) {
                            out.add(n.asText());
                        }
                    }
                }
                URI next = next(uri, RegistryClient.header(response.headers(), "Link"));
                if (next != null && (next.equals(uri) || page >= 100_000)) {
                    throw new RegistryException(
                            "the registry's " + field + " pages never end (" + uri.getPath() + ")",
                            null,
                            client.registry(),
                            repository,
                            status,
                            null,
                            null);
                }
                uri = next;
            }
        }
    }

    /** The next page's URL from a {@code Link} header, resolved against the current one; null on the last page. */
    static URI next(URI current, String link) {
        if (link == null) {
            return null;
        }
        Matcher m = NEXT.matcher(link);
        return m.find() ? current.resolve(m.group(1)) : null;
    }

    /**
     * The digest of the manifest {@code ref} (a tag or digest) names in {@code repository}, by {@code HEAD} (a
     * {@code GET} when the registry sends no {@code Docker-Content-Digest}); empty when there is none.
     */
    static Optional<Digest> manifestDigest(RegistryClient client, String repository, String ref, String actions)
            throws IOException {
        List<String> scopes = RegistryClient.scopes(RegistryClient.scope(repository, actions));
        URI uri = client.url("/v2/" + repository + "/manifests/" + ref);
        for (String method : List.of("HEAD", "GET")) {
            HttpResponse<InputStream> response = client.send(RegistryClient.Call.of(method, uri, scopes)
                    .header("Accept", String.join(", ", RegistrySource.ACCEPT)));
            try (InputStream body = RegistryClient.reusing(response.body())) {
                int status = response.statusCode();
                if (status == 404) {
                    return Optional.empty();
                }
                if (status != 200) {
                    throw client.failure(
                            response, method.equals("GET") ? body : null, method + " manifest " + ref, repository);
                }
                String header = RegistryClient.header(response.headers(), "Docker-Content-Digest");
                Optional<Digest> digest = header == null ? Optional.empty() : Digest.tryParse(header.strip());
                if (digest.isPresent()) {
                    return digest;
                }
                if (method.equals("GET")) {
                    byte[] bytes = body.readNBytes(ManifestBytes.MAX_SIZE + 1);
                    return Optional.of(Digest.sha256(bytes));
                }
            }
        }
        return Optional.empty();
    }

    /** Deletes the manifest {@code digest} of {@code repository}. */
    static void deleteManifest(RegistryClient client, String repository, Digest digest, String display)
            throws IOException {
        List<String> scopes = RegistryClient.scopes(RegistryClient.scope(repository, "delete"));
        URI uri = client.url("/v2/" + repository + "/manifests/" + digest);
        HttpResponse<InputStream> response = client.send(RegistryClient.Call.of("DELETE", uri, scopes));
        try (InputStream body = RegistryClient.reusing(response.body())) {
            int status = response.statusCode();
            if (status == 202 || status == 200 || status == 204) {
                return;
            }
            if (status == 404) {
                throw new ImageNotFoundException(
                        display, "the registry has no manifest " + digest + " in " + repository, null);
            }
            if (status == 405) {
                IOException failure = client.failure(response, body, "DELETE manifest " + digest, repository);
                String code = failure instanceof RegistryException r ? r.code() : null;
                throw new RegistryException(
                        "registry " + client.registry() + " does not allow deleting manifests (405"
                                + (code == null ? "" : " " + code) + ")",
                        "deletes are disabled there; the distribution server enables them with"
                                + " storage: {delete: {enabled: true}} (REGISTRY_STORAGE_DELETE_ENABLED=true)",
                        client.registry(),
                        repository,
                        status,
                        code,
                        null);
            }
            throw client.failure(response, body, "DELETE manifest " + digest, repository);
        }
    }
}
