package dev.ferry.transport.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry repositories this process reads from right now, and the blobs their manifests name, and the
 * repositories this process stored blobs into: a sink on the same registry mounts those blobs from there instead of
 * uploading them (a cross-repository mount; a sync into many repositories uploads a shared blob once). The SPI does
 * not tell a sink where its blobs come from, so sources announce themselves here while they are open.
 */
final class BlobOrigins {
    private static final Set<Origin> OPEN = ConcurrentHashMap.newKeySet();

    private BlobOrigins() {}

    /** An open source: its registry, repository, and the blobs its manifests named so far. */
    static final class Origin {
        final String registry;
        final String repository;
        final Set<Digest> blobs = ConcurrentHashMap.newKeySet();

        Origin(String registry, String repository) {
            this.registry = registry;
            this.repository = repository;
        }

        /** Notes the blobs a manifest names (config and layers). */
        void sawManifest(ManifestBytes manifest) {
            try {
                JsonNode root = RegistryClient.JSON.readTree(manifest.bytes());
                add(root.path("config"));
                for (JsonNode layer : root.path("layers")) {
                    add(layer);
                }
            } catch (IOException | RuntimeException e) {
                // not a manifest we can read: nothing to mount from it
            }
        }

        private void add(JsonNode descriptor) {
            Digest.tryParse(descriptor.path("digest").asText("")).ifPresent(blobs::add);
        }
    }

    /** The repository of each registry known to hold each blob this process stored or found there: mount sources. */
    private static final Map<String, String> STORED = new ConcurrentHashMap<>();
    /** Entries kept at most (a digest and a name each: a few MiB). */
    private static final int MAX_STORED = 50_000;

    /** Each repository's blobs this process stored or found there ({@code registry/repository@digest}). */
    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();

    /** Notes that {@code repository} of {@code registry} holds {@code blob}, so that other repositories mount it. */
    static void stored(String registry, String repository, Digest blob) {
        if (STORED.size() < MAX_STORED) {
            STORED.put(registry + "@" + blob, repository);
        }
        if (HELD.size() < MAX_STORED) {
            HELD.add(registry + "/" + repository + "@" + blob);
        }
    }

    /** Whether this process stored {@code blob} into {@code repository} of {@code registry}, or found it there. */
    static boolean held(String registry, String repository, Digest blob) {
        return HELD.contains(registry + "/" + repository + "@" + blob);
    }

    static Origin register(String registry, String repository) {
        Origin origin = new Origin(registry, repository);
        OPEN.add(origin);
        return origin;
    }

    static void unregister(Origin origin) {
        OPEN.remove(origin);
    }

    /** The repositories of {@code registry}, other than {@code except}, that an open source read {@code blob} from. */
    static List<String> repositoriesWith(String registry, Digest blob, String except) {
        List<String> result = new ArrayList<>();
        for (Origin o : OPEN) {
            if (o.registry.equals(registry)
                    && !o.repository.equals(except)
                    && o.blobs.contains(blob)
                    && !result.contains(o.repository)) {
                result.add(o.repository);
            }
        }
        String stored = STORED.get(registry + "@" + blob);
        if (stored != null && !stored.equals(except) && !result.contains(stored)) {
            result.add(stored);
        }
        return result;
    }
}
