package dev.ferry.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * One-layer OCI layouts whose layer is written entry by entry and streamed to disk through gzip (never held in
 * memory), however big it is uncompressed: a gzip bomb, two million empty files.
 */
final class StreamedLayers {
    private StreamedLayers() {}

    /** Writes the entries of a layer. */
    interface Entries {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    /**
     * A layout in {@code dir} with tag {@code ref} of one gzip layer; the config's diffID is the layer's own unless
     * {@code diffId} is given. Returns the layer's diffID as written.
     */
    static String layout(Path dir, String ref, Entries entries, String diffId) throws IOException {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        MessageDigest compressed = Fixtures.sha256();
        MessageDigest uncompressed = Fixtures.sha256();
        Path tmp = blobs.resolve("layer.tmp");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                DigestOutputStream c = new DigestOutputStream(file, compressed);
                GZIPOutputStream gz = new GZIPOutputStream(c, 1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                };
                DigestOutputStream u = new DigestOutputStream(new BufferedOutputStream(gz, 1 << 16), uncompressed);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(u, "UTF-8")) {
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.write(tar);
            tar.finish();
        }
        String hex = HexFormat.of().formatHex(compressed.digest());
        long size = Files.size(tmp);
        Files.move(tmp, blobs.resolve(hex));
        String actual = "sha256:" + HexFormat.of().formatHex(uncompressed.digest());
        String config = Fixtures.writeBlob(
                blobs,
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":"
                        + "[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                        + (diffId == null ? actual : diffId)
                        + "\"]}}",
                "application/vnd.oci.image.config.v1+json");
        String manifest = Fixtures.writeBlob(
                blobs,
                "{\"schemaVersion\":2,\"mediaType\":"
                        + "\"application/vnd.oci.image.manifest.v1+json\",\"config\":" + config
                        + ",\"layers\":[{\"mediaType\":"
                        + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:" + hex + "\",\"size\":"
                        + size
                        + "}]}",
                "application/vnd.oci.image.manifest.v1+json");
        ObjectNode entry = (ObjectNode) new ObjectMapper().readTree(manifest);
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", ref);
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + entry + "]}");
        return actual;
    }

    /** A file of {@code size} zeros: gzip makes it about a thousand times smaller. */
    static Entries zeros(String name, long size) {
        return tar -> {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(size);
            e.setMode(0100644);
            tar.putArchiveEntry(e);
            byte[] block = new byte[1 << 16];
            for (long left = size; left > 0; left -= block.length) {
                tar.write(block, 0, (int) Math.min(block.length, left));
            }
            tar.closeArchiveEntry();
        };
    }

    /** {@code files} empty files, {@code perFolder} to a folder (folders first in their turn). */
    static Entries emptyFiles(int files, int perFolder) {
        return tar -> {
            for (int i = 0; i < files; i++) {
                if (i % perFolder == 0) {
                    TarArchiveEntry dir = new TarArchiveEntry("d" + (i / perFolder) + "/");
                    dir.setMode(040755);
                    dir.setModTime(1_600_000_000_000L);
                    tar.putArchiveEntry(dir);
                    tar.closeArchiveEntry();
                }
                TarArchiveEntry e = new TarArchiveEntry("d" + (i / perFolder) + "/f" + i);
                e.setMode(0100644);
                e.setModTime(1_600_000_000_000L);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            }
        };
    }
}
