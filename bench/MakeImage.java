import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes the benchmark's synthetic image as an OCI layout, without any image tool: four uncompressed layers with
 * many small files and some large ones (their bytes compress to about half, as real images' do), whiteouts, an
 * opaque folder, symlinks and hardlinks, streamed straight into blobs (nothing is extracted). Deterministic: the
 * same arguments give the same digests.
 *
 * <p>Usage: {@code java -cp commons-compress.jar bench/MakeImage.java DIR [SCALE]}; SCALE 1.0 gives ~2.1 GiB in
 * ~55,000 files; 0.05 gives a quick ~110 MiB one.
 */
public final class MakeImage {
    private static final byte[] NOISE = new byte[8 << 20];
    private static final long MIB = 1 << 20;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        double scale = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        // Bytes that gzip halves, as it does the binaries and libraries of real images (a registry's Debian layer is
        // 0.47 of its tar): random symbols of 16 values, 4 bits of entropy a byte.
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < NOISE.length; i++) {
            NOISE[i] = (byte) ('a' + random.nextInt(16));
        }
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<String[]> layers = new ArrayList<>(); // digest, size
        int small = (int) (40_000 * scale);
        layers.add(layer(dir, 1, tar -> {
            for (int i = 0; i < small; i++) {
                file(tar, "usr/share/data/d" + (i % 400) + "/f" + i + ".dat", 512 + (i * 7919L) % (24 << 10), i);
            }
            symlink(tar, "usr/share/data/latest", "d0/f0.dat");
            hardlink(tar, "usr/share/data/d0/f0.link", "usr/share/data/d0/f0.dat");
        }));
        layers.add(layer(dir, 2, tar -> {
            for (int i = 0; i < 3; i++) {
                file(tar, "opt/big/blob" + i + ".bin", (long) (400 * MIB * scale), 1000 + i);
            }
        }));
        layers.add(layer(dir, 3, tar -> {
            for (int i = 0; i < small / 4; i++) {
                file(tar, "usr/share/data/d" + (i % 400) + "/f" + i + ".dat", 1024 + (i * 104729L) % (16 << 10), -i);
            }
            for (int i = small / 4; i < small / 4 + small / 40; i++) {
                file(tar, "usr/share/data/d" + (i % 400) + "/.wh.f" + i + ".dat", 0, 0);
            }
            file(tar, "usr/share/data/d399/.wh..wh..opq", 0, 0);
        }));
        layers.add(layer(dir, 4, tar -> {
            for (int i = 0; i < 2; i++) {
                file(tar, "srv/assets/pack" + i + ".bin", (long) (128 * MIB * scale), 2000 + i);
            }
            for (int i = 0; i < small / 8; i++) {
                file(tar, "srv/assets/small/s" + i + ".txt", 200 + (i * 31L) % 4000, 3000 + i);
            }
        }));
        StringBuilder layerJson = new StringBuilder();
        StringBuilder diffIds = new StringBuilder();
        for (String[] l : layers) {
            layerJson.append(layerJson.length() == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"")
                    .append(l[0]).append("\",\"size\":").append(l[1]).append('}');
            diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(l[0]).append('"');
        }
        String[] config = blob(dir, ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\","
                + "\"config\":{\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}")
                .getBytes(StandardCharsets.UTF_8));
        String[] manifest = blob(dir, ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config[0]
                + "\",\"size\":" + config[1] + "},\"layers\":[" + layerJson + "]}").getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifest[0] + "\",\"size\":"
                + manifest[1] + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"big\"}}]}");
        System.out.println(dir + ": 4 layers, manifest " + manifest[0]);
    }

    interface Body {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static String[] layer(Path dir, int n, Body body) throws Exception {
        Path tmp = dir.resolve("blobs/sha256/.layer" + n + ".tmp");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new DigestOutputStream(file, sha), "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            body.write(tar);
        }
        String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
        long size = Files.size(tmp);
        Files.move(tmp, dir.resolve("blobs/sha256/" + digest.substring(7)), StandardCopyOption.ATOMIC_MOVE);
        return new String[] {digest, Long.toString(size)};
    }

    private static String[] blob(Path dir, byte[] bytes) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Files.write(dir.resolve("blobs/sha256/" + hex), bytes);
        return new String[] {"sha256:" + hex, Integer.toString(bytes.length)};
    }

    private static TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setModTime(0);
        e.setUserId(0);
        e.setGroupId(0);
        return e;
    }

    private static void file(TarArchiveOutputStream tar, String name, long size, long seed) throws IOException {
        TarArchiveEntry e = entry(name, TarArchiveEntry.LF_NORMAL);
        e.setMode(0100644);
        e.setSize(size);
        tar.putArchiveEntry(e);
        int offset = (int) Math.floorMod(seed * 2654435761L, NOISE.length - (1 << 16));
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(left, NOISE.length - offset);
            tar.write(NOISE, offset, n);
            left -= n;
            offset = (offset + 4099) % (1 << 16);
        }
        tar.closeArchiveEntry();
    }

    private static void symlink(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry e = entry(name, TarArchiveEntry.LF_SYMLINK);
        e.setLinkName(target);
        e.setMode(0120777);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void hardlink(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry e = entry(name, TarArchiveEntry.LF_LINK);
        e.setLinkName(target);
        e.setMode(0100644);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }
}
