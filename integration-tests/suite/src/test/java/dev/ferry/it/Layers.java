package dev.ferry.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Layers written entry by entry, tricky and hostile ones included, and OCI layouts made of them. */
final class Layers {
    private final List<Object[]> entries = new ArrayList<>();
    private String encoding;

    /**
     * Names in the headers themselves, as GNU tar writes them, in {@code charset} (not UTF-8 makes names that
     * are not valid UTF-8), instead of PAX records for non-ASCII names.
     */
    Layers rawNames(String charset) {
        encoding = charset;
        return this;
    }

    Layers dir(String name, int mode) {
        entries.add(new Object[] {name, TarArchiveEntry.LF_DIR, mode, null, null, Map.of()});
        return this;
    }

    Layers file(String name, int mode, String content) {
        return file(name, mode, content, Map.of());
    }

    Layers file(String name, int mode, String content, Map<String, String> pax) {
        entries.add(new Object[] {name, TarArchiveEntry.LF_NORMAL, mode, content, null, pax});
        return this;
    }

    Layers symlink(String name, String target) {
        entries.add(new Object[] {name, TarArchiveEntry.LF_SYMLINK, 0777, null, target, Map.of()});
        return this;
    }

    Layers hardlink(String name, String target) {
        entries.add(new Object[] {name, TarArchiveEntry.LF_LINK, 0644, null, target, Map.of()});
        return this;
    }

    /** A FIFO or a character device (major, minor). */
    Layers special(String name, byte type, int major, int minor) {
        entries.add(new Object[] {name, type, 0644, null, null, Map.of(), 0, 0, major, minor});
        return this;
    }

    /** A file preceded by a PAX header holding one xattr with a raw, binary value. */
    Layers fileWithRawXattr(String name, String content, String xattr, byte[] value) {
        entries.add(
                new Object[] {name, TarArchiveEntry.LF_NORMAL, 0644, content, null, Map.of(), 0, 0, -1, -1, xattr, value
                });
        return this;
    }

    Layers owned(int uid, int gid) {
        Object[] last = entries.get(entries.size() - 1);
        entries.set(entries.size() - 1, new Object[] {last[0], last[1], last[2], last[3], last[4], last[5], uid, gid});
        return this;
    }

    byte[] tar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, encoding == null ? "UTF-8" : encoding)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(encoding == null);
            for (Object[] e : entries) {
                TarArchiveEntry entry = new TarArchiveEntry((String) e[0], (byte) e[1], true);
                byte flag = (byte) e[1];
                int type = flag == TarArchiveEntry.LF_DIR
                        ? 040000
                        : flag == TarArchiveEntry.LF_SYMLINK
                                ? 0120000
                                : flag == TarArchiveEntry.LF_FIFO
                                        ? 010000
                                        : flag == TarArchiveEntry.LF_CHR ? 020000 : 0100000;
                if (e.length > 8 && (Integer) e[8] >= 0) {
                    entry.setDevMajor((Integer) e[8]);
                    entry.setDevMinor((Integer) e[9]);
                }
                if (e.length > 10) {
                    // The PAX header written by hand: Commons Compress would encode the value as UTF-8.
                    byte[] key = ("SCHILY.xattr." + e[10]).getBytes(StandardCharsets.UTF_8);
                    byte[] value = (byte[]) e[11];
                    int body = 1 + key.length + 1 + value.length + 1;
                    int length = body + Integer.toString(body + 2).length();
                    ByteArrayOutputStream record = new ByteArrayOutputStream();
                    record.writeBytes((length + " ").getBytes(StandardCharsets.US_ASCII));
                    record.writeBytes(key);
                    record.write('=');
                    record.writeBytes(value);
                    record.write('\n');
                    TarArchiveEntry pax =
                            new TarArchiveEntry("PaxHeaders/x", TarArchiveEntry.LF_PAX_EXTENDED_HEADER_LC, true);
                    pax.setSize(record.size());
                    tar.putArchiveEntry(pax);
                    tar.write(record.toByteArray());
                    tar.closeArchiveEntry();
                }
                entry.setMode(type | (Integer) e[2]);
                entry.setModTime(1_600_000_000_000L);
                if (e.length > 6) {
                    entry.setUserId((Integer) e[6]);
                    entry.setGroupId((Integer) e[7]);
                }
                if (e[4] != null) {
                    entry.setLinkName((String) e[4]);
                }
                byte[] content = e[3] == null ? new byte[0] : ((String) e[3]).getBytes(StandardCharsets.UTF_8);
                if ((byte) e[1] == TarArchiveEntry.LF_NORMAL) {
                    entry.setSize(content.length);
                }
                @SuppressWarnings("unchecked")
                Map<String, String> pax = (Map<String, String>) e[5];
                pax.forEach(entry::addPaxHeader);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static String hex(byte[] data) {
        return HexFormat.of().formatHex(Fixtures.sha256().digest(data));
    }

    /** An OCI layout of {@code layers} (a layer may repeat), gzip-compressed, with cmd {@code /bin/sh}. */
    static Path layout(Path dir, String ref, List<Layers> layers) throws IOException {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<String> descriptors = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (Layers layer : layers) {
            byte[] tar = layer.tar();
            byte[] gz = gzip(tar);
            Files.write(blobs.resolve(hex(gz)), gz);
            descriptors.add("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:"
                    + hex(gz) + "\",\"size\":" + gz.length + "}");
            diffIds.add("\"sha256:" + hex(tar) + "\"");
        }
        String config = Fixtures.writeBlob(
                blobs,
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":"
                        + "[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds)
                        + "]}}",
                "application/vnd.oci.image.config.v1+json");
        String manifest = Fixtures.writeBlob(
                blobs,
                "{\"schemaVersion\":2,\"mediaType\":"
                        + "\"application/vnd.oci.image.manifest.v1+json\",\"config\":" + config + ",\"layers\":["
                        + String.join(",", descriptors) + "]}",
                "application/vnd.oci.image.manifest.v1+json");
        var entry = new ObjectMapper().readTree(manifest);
        ((ObjectNode) entry).putObject("annotations").put("org.opencontainers.image.ref.name", ref);
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + entry + "]}");
        return dir;
    }
}
