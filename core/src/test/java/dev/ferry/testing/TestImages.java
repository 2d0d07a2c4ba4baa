package dev.ferry.testing;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.Platform;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Builds small synthetic images in a {@link MemoryTransport}. */
public final class TestImages {
    private TestImages() {}

    /** An OCI image of {@code layers} random layers of {@code size} bytes, stored as {@code name}. */
    public static ManifestBytes image(MemoryTransport store, String name, int layers, int size, long seed) {
        ManifestBytes manifest = imageManifest(store, layers, size, seed, "amd64");
        store.images.put(name, manifest);
        return manifest;
    }

    /** Stores the blobs of a random image and returns its manifest (also stored by digest). */
    public static ManifestBytes imageManifest(MemoryTransport store, int layers, int size, long seed, String arch) {
        Random random = new Random(seed);
        List<Descriptor> layerDescriptors = new ArrayList<>();
        StringBuilder diffIds = new StringBuilder();
        for (int i = 0; i < layers; i++) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            Digest digest = Digest.sha256(bytes);
            store.blobs.put(digest, bytes);
            layerDescriptors.add(Descriptor.of(MediaTypes.OCI_LAYER, digest, bytes.length));
            diffIds.append(i == 0 ? "" : ",").append('"').append(digest).append('"');
        }
        byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\","
                        + "\"config\":{\"Cmd\":[\"/bin/sh\"],\"Env\":[\"A=1\"]},"
                        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds
                        + "]},\"x-unknown\":{\"kept\":true}}")
                .getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        store.blobs.put(configDigest, config);
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[");
        for (int i = 0; i < layerDescriptors.size(); i++) {
            Descriptor d = layerDescriptors.get(i);
            json.append(i == 0 ? "" : ",")
                    .append("{\"mediaType\":\"")
                    .append(d.mediaType())
                    .append("\",\"digest\":\"")
                    .append(d.digest())
                    .append("\",\"size\":")
                    .append(d.size())
                    .append('}');
        }
        json.append("],\"annotations\":{\"x\":\"y\"}}");
        ManifestBytes manifest = ManifestBytes.of(json.toString().getBytes(StandardCharsets.UTF_8), null);
        store.manifests.put(manifest.digest(), manifest);
        return manifest;
    }

    /** An OCI index of one random image per platform, stored as {@code name}. */
    public static ManifestBytes index(MemoryTransport store, String name, List<Platform> platforms) {
        StringBuilder json = new StringBuilder(
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[");
        for (int i = 0; i < platforms.size(); i++) {
            Platform p = platforms.get(i);
            ManifestBytes m = imageManifest(store, 2, 1000, i, p.architecture());
            json.append(i == 0 ? "" : ",")
                    .append("{\"mediaType\":\"")
                    .append(m.mediaType())
                    .append("\",\"digest\":\"")
                    .append(m.digest())
                    .append("\",\"size\":")
                    .append(m.size())
                    .append(",\"platform\":{\"os\":\"")
                    .append(p.os())
                    .append("\",\"architecture\":\"")
                    .append(p.architecture())
                    .append('"')
                    .append(p.variant() == null ? "" : ",\"variant\":\"" + p.variant() + "\"")
                    .append("}}");
        }
        json.append("]}");
        ManifestBytes index = ManifestBytes.of(json.toString().getBytes(StandardCharsets.UTF_8), null);
        store.images.put(name, index);
        return index;
    }
}
