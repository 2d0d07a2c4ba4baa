package dev.ferry.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Test images, made by the peers or written byte by byte here, never by Ferry itself. */
final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    /**
     * An image made by umoci in {@code layout}, tag {@code v2}: two layers (the second deletes a file of the
     * first, so it holds a whiteout), a 1 MiB binary, a symlink, and a config with cmd, env, workdir, label and
     * port. Tag {@code v1} is the one-layer image before it.
     */
    static Path umociImage(Path work, String name) throws Exception {
        Path layout = work.resolve(name);
        Peers.run(work, "umoci", "init", "--layout", layout.toString()).ok();
        Peers.run(work, "umoci", "new", "--image", layout + ":base").ok();
        Path bundle = work.resolve(name + "-bundle");
        Peers.run(work, "umoci", "unpack", "--rootless", "--image", layout + ":base", bundle.toString())
                .ok();
        Path rootfs = bundle.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createDirectories(rootfs.resolve("bin"));
        Files.writeString(rootfs.resolve("etc/greeting"), "hello from umoci\n");
        Files.writeString(rootfs.resolve("etc/doomed"), "deleted by the next layer\n");
        byte[] tool = new byte[1 << 20];
        new Random(42).nextBytes(tool);
        Files.write(rootfs.resolve("bin/tool"), tool);
        Files.createSymbolicLink(rootfs.resolve("bin/link"), Path.of("tool"));
        Peers.run(work, "umoci", "repack", "--image", layout + ":v1", bundle.toString())
                .ok();
        deleteTree(bundle);
        Peers.run(work, "umoci", "unpack", "--rootless", "--image", layout + ":v1", bundle.toString())
                .ok();
        Files.delete(bundle.resolve("rootfs/etc/doomed"));
        Files.createDirectories(bundle.resolve("rootfs/srv/data"));
        Files.writeString(bundle.resolve("rootfs/srv/data/file.txt"), "second layer\n");
        Peers.run(work, "umoci", "repack", "--image", layout + ":v2", bundle.toString())
                .ok();
        deleteTree(bundle);
        Peers.run(
                        work,
                        "umoci",
                        "config",
                        "--image",
                        layout + ":v2",
                        "--config.cmd",
                        "/bin/tool",
                        "--config.env",
                        "GREETING=hello",
                        "--config.workingdir",
                        "/srv",
                        "--config.label",
                        "org.example=1",
                        "--config.exposedports",
                        "8080/tcp",
                        "--config.user",
                        "1000:1000")
                .ok();
        return layout;
    }

    /** The hex digest of a file's content. */
    static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            MessageDigest md = sha256();
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes an OCI layout by hand: one uncompressed layer per entry of {@code layerSizes}, each a tar holding
     * one file of that many pseudo-random bytes, streamed to disk (never held in memory).
     */
    static Path syntheticLayout(Path layout, String ref, long... layerSizes) throws IOException {
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<String> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layerSizes.length; i++) {
            Path tmp = blobs.resolve("tmp-layer");
            MessageDigest md = sha256();
            long size;
            try (OutputStream file = Files.newOutputStream(tmp);
                    DigestOutputStream digesting = new DigestOutputStream(new BufferedOutputStream(file, 1 << 16), md);
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(digesting, "UTF-8")) {
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                TarArchiveEntry entry = new TarArchiveEntry("data/layer-" + i + ".bin");
                entry.setSize(layerSizes[i]);
                entry.setMode(0100644);
                tar.putArchiveEntry(entry);
                byte[] block = new byte[1 << 20];
                Random random = new Random(i);
                long left = layerSizes[i];
                long counter = 0;
                while (left > 0) {
                    random.nextBytes(block);
                    block[0] = (byte) counter++;
                    int n = (int) Math.min(block.length, left);
                    tar.write(block, 0, n);
                    left -= n;
                }
                tar.closeArchiveEntry();
                tar.finish();
            }
            size = Files.size(tmp);
            String hex = HexFormat.of().formatHex(md.digest());
            Files.move(tmp, blobs.resolve(hex));
            layers.add("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:" + hex
                    + "\",\"size\":" + size + "}");
            diffIds.add("\"sha256:" + hex + "\"");
        }
        String config = "{\"created\":\"2024-01-01T00:00:00Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"config\":{\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + String.join(",", diffIds) + "]},\"history\":[]}";
        String configDescriptor = writeBlob(blobs, config, "application/vnd.oci.image.config.v1+json");
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":" + configDescriptor + ",\"layers\":[" + String.join(",", layers) + "]}";
        String manifestDescriptor = writeBlob(blobs, manifest, "application/vnd.oci.image.manifest.v1+json");
        JsonNode entry = JSON.readTree(manifestDescriptor);
        ((ObjectNode) entry).putObject("annotations").put("org.opencontainers.image.ref.name", ref);
        Files.writeString(
                layout.resolve("index.json"),
                "{\"schemaVersion\":2,\"manifests\":[" + JSON.writeValueAsString(entry) + "]}");
        return layout;
    }

    /**
     * A copy of {@code layout} at {@code to} whose ref {@code multi} is an OCI index of two platforms: linux/amd64
     * (the image of ref v2) and linux/arm64/v8 (v1). Returns the index's JSON text, as written.
     */
    static String multiArch(Path layout, Path to) throws IOException {
        Path multi = copyTree(layout, to);
        JsonNode v1 = entry(multi, "v1");
        JsonNode v2 = entry(multi, "v2");
        String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                + v2.path("digest").asText()
                + "\",\"size\":" + v2.path("size").asLong()
                + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                + v1.path("digest").asText()
                + "\",\"size\":" + v1.path("size").asLong()
                + ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\","
                + "\"variant\":\"v8\"}}]}";
        String descriptor = writeBlob(multi.resolve("blobs/sha256"), index, "application/vnd.oci.image.index.v1+json");
        Files.writeString(
                multi.resolve("index.json"),
                "{\"schemaVersion\":2,\"manifests\":["
                        + descriptor.replace("}", ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"multi\"}}")
                        + "]}");
        return index;
    }

    /** Writes a blob and returns its descriptor JSON. */
    static String writeBlob(Path blobs, String content, String mediaType) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(sha256().digest(bytes));
        Files.write(blobs.resolve(hex), bytes);
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"sha256:" + hex + "\",\"size\":" + bytes.length + "}";
    }

    /** The descriptor of the manifest {@code ref} names in a layout's index.json. */
    static JsonNode entry(Path layout, String ref) throws IOException {
        for (JsonNode entry :
                JSON.readTree(layout.resolve("index.json").toFile()).path("manifests")) {
            if (ref.equals(entry.path("annotations")
                    .path("org.opencontainers.image.ref.name")
                    .asText())) {
                return entry;
            }
        }
        throw new AssertionError("no ref " + ref + " in " + layout);
    }

    static JsonNode blobJson(Path layout, String digest) throws IOException {
        return JSON.readTree(
                layout.resolve("blobs/sha256").resolve(digest.substring(7)).toFile());
    }

    static Path blobPath(Path layout, String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring(7));
    }

    /** A copy of a directory tree. */
    static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Every file under {@code root} with a hash of its content. */
    static TreeMap<String, String> snapshot(Path root) throws IOException {
        TreeMap<String, String> files = new TreeMap<>();
        if (!Files.exists(root)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String key = root.relativize(p).toString();
                files.put(key, Files.isRegularFile(p) ? sha256(p) : Files.isDirectory(p) ? "dir" : "other");
            }
        }
        return files;
    }
}
