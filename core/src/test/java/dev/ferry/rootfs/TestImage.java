package dev.ferry.rootfs;

import dev.ferry.engine.ImageInspector;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.Platform;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.testing.MemoryTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Images for rootfs tests: layers written entry by entry, kept as files, served by a source that says so. */
final class TestImage implements ImageSource {
    /** A layer, entry by entry. */
    static final class Tar {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8");

        Tar() {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
        }

        Tar entry(String name, byte type, int mode, String content, String link, Map<String, String> pax)
                throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            int kind = type == TarArchiveEntry.LF_DIR ? 040000 : type == TarArchiveEntry.LF_SYMLINK ? 0120000 : 0100000;
            e.setMode(kind | mode);
            e.setModTime(1_600_000_000_000L + mode);
            e.setUserId(mode % 7);
            e.setGroupId(mode % 5);
            if (link != null) {
                e.setLinkName(link);
            }
            byte[] data = content == null ? new byte[0] : content.getBytes(StandardCharsets.UTF_8);
            if (type == TarArchiveEntry.LF_NORMAL) {
                e.setSize(data.length);
            }
            pax.forEach(e::addPaxHeader);
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
            return this;
        }

        Tar dir(String name, int mode) throws IOException {
            return entry(name + "/", TarArchiveEntry.LF_DIR, mode, null, null, Map.of());
        }

        Tar file(String name, int mode, String content) throws IOException {
            return entry(name, TarArchiveEntry.LF_NORMAL, mode, content, null, Map.of());
        }

        Tar symlink(String name, String target) throws IOException {
            return entry(name, TarArchiveEntry.LF_SYMLINK, 0777, null, target, Map.of());
        }

        Tar hardlink(String name, String target) throws IOException {
            return entry(name, TarArchiveEntry.LF_LINK, 0644, null, target, Map.of());
        }

        byte[] bytes() throws IOException {
            tar.close();
            return bytes.toByteArray();
        }
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private final Map<Digest, Path> files = new HashMap<>();
    private final boolean asFiles;
    private ManifestBytes manifest;
    /** How many times each blob was opened. */
    final Map<Digest, Integer> opened = new ConcurrentHashMap<>();

    /**
     * An image in {@code dir} of {@code tars} (gzip-compressed when {@code gzip}), with the right diffIDs unless
     * {@code diffIds} is given; blobs served as files (a source that keeps them in files) when {@code asFiles}.
     */
    TestImage(Path dir, List<byte[]> tars, boolean gzip, List<Digest> diffIds, boolean asFiles) throws IOException {
        this.asFiles = asFiles;
        Files.createDirectories(dir);
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> ids = new ArrayList<>();
        for (byte[] tar : tars) {
            byte[] blob = gzip ? gzip(tar) : tar;
            Digest digest = put(dir, blob);
            layers.add(Descriptor.of(gzip ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, digest, blob.length));
            ids.add(Digest.sha256(tar));
        }
        if (diffIds != null) {
            ids = diffIds;
        }
        StringBuilder config = new StringBuilder(
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":" + "\"layers\",\"diff_ids\":[");
        for (int i = 0; i < ids.size(); i++) {
            config.append(i == 0 ? "" : ",").append('"').append(ids.get(i)).append('"');
        }
        config.append("]}}");
        byte[] configBytes = config.toString().getBytes(StandardCharsets.UTF_8);
        Digest configDigest = put(dir, configBytes);
        manifest = new ImageManifest(
                        MediaTypes.OCI_MANIFEST,
                        Descriptor.of(MediaTypes.OCI_CONFIG, configDigest, configBytes.length),
                        layers,
                        null,
                        null,
                        null)
                .toBytes();
    }

    private Digest put(Path dir, byte[] blob) throws IOException {
        Digest digest = Digest.sha256(blob);
        Path file = dir.resolve(digest.hex());
        Files.write(file, blob);
        files.put(digest, file);
        return digest;
    }

    /** The file of a blob, to damage it. */
    Path file(Digest digest) {
        return files.get(digest);
    }

    InspectedImage inspect() throws IOException {
        return new ImageInspector().inspect(this, Platform.current());
    }

    @Override
    public ImageReference reference() {
        return new MemoryTransport().ref("test");
    }

    @Override
    public ManifestBytes manifest() {
        return manifest;
    }

    @Override
    public ManifestBytes manifest(Digest digest) throws IOException {
        throw new BlobNotFoundException(digest, "test");
    }

    @Override
    public BlobStream blob(Descriptor descriptor) throws IOException {
        Path file = files.get(descriptor.digest());
        if (file == null) {
            throw new BlobNotFoundException(descriptor.digest(), "test");
        }
        opened.merge(descriptor.digest(), 1, Integer::sum);
        return asFiles
                ? new BlobStream(Files.newInputStream(file), Files.size(file), file)
                : new BlobStream(Files.newInputStream(file), Files.size(file));
    }

    @Override
    public void close() {}
}
