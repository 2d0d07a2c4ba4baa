package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Digest;
import dev.ferry.model.InspectedImage;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.support.TempFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flattening: the index of paths off the heap gives exactly what the heap maps gave (random layers of every
 * kind of entry, compared with the flattener as it was), every layer is checked against its diffID before
 * anything is emitted, decompression is bounded, and nothing temporary outlives a call.
 */
class FlattenerTest {
    @TempDir
    Path tmp;

    /** Every write, as one line: what a writer sees. */
    private static final class Recorder implements RootfsWriter {
        final List<String> lines = new ArrayList<>();

        @Override
        public void write(TarArchiveEntry e, InputStream content) throws IOException {
            String data = content == null ? "-" : new String(content.readAllBytes(), StandardCharsets.UTF_8);
            lines.add(e.getName() + " kind=" + kind(e) + " mode=" + Integer.toOctalString(e.getMode()) + " owner="
                    + e.getLongUserId() + ":" + e.getLongGroupId() + " " + e.getUserName() + ":" + e.getGroupName()
                    + " mtime=" + e.getModTime().getTime() + " link=" + e.getLinkName() + " size=" + e.getSize()
                    + " data=" + data + " pax=" + new TreeMap<>(e.getExtraPaxHeaders()));
        }

        private static String kind(TarArchiveEntry e) {
            return e.isDirectory() ? "dir" : e.isSymbolicLink() ? "symlink" : e.isLink() ? "hardlink" : "file";
        }
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** A random layer over a small namespace, so paths collide across and within layers. */
    private static byte[] randomLayer(Random r) throws IOException {
        TestImage.Tar tar = new TestImage.Tar();
        int n = 1 + r.nextInt(25);
        for (int i = 0; i < n; i++) {
            String path = randomPath(r);
            int mode = 0600 + r.nextInt(0100);
            switch (r.nextInt(10)) {
                case 0, 1 -> tar.dir(path, mode | 0700);
                case 2 ->
                    tar.entry(
                            path + "/",
                            TarArchiveEntry.LF_DIR,
                            mode | 0700,
                            null,
                            null,
                            Map.of("SCHILY.xattr.user.k", "v" + r.nextInt(3)));
                case 3, 4 -> tar.file(path, mode, "content " + r.nextInt(1000));
                case 5 -> tar.symlink(path, r.nextBoolean() ? randomPath(r) : "/" + randomPath(r));
                case 6, 7 -> tar.hardlink(path, randomPath(r));
                case 8 -> {
                    String parent = Paths.parent(path);
                    tar.file((parent.isEmpty() ? "" : parent + "/") + ".wh." + Paths.base(path), 0644, "");
                }
                default -> tar.file(path + "/.wh..wh..opq", 0644, "");
            }
        }
        return tar.bytes();
    }

    private static String randomPath(Random r) {
        StringBuilder p = new StringBuilder();
        int depth = 1 + r.nextInt(3);
        for (int d = 0; d < depth; d++) {
            p.append(d == 0 ? (r.nextInt(8) == 0 ? "./" : "") : "/").append("abcd".charAt(r.nextInt(4)));
        }
        return p.toString();
    }

    @Test
    void randomLayersFlattenExactlyAsBefore() throws Exception {
        for (int seed = 0; seed < 150; seed++) {
            Random r = new Random(seed);
            List<byte[]> tars = new ArrayList<>();
            for (int l = 1 + r.nextInt(4); l > 0; l--) {
                tars.add(randomLayer(r));
            }
            TestImage image = new TestImage(tmp.resolve("image-" + seed), tars, r.nextBoolean(), null, r.nextBoolean());
            InspectedImage inspected = image.inspect();
            Recorder expected = new Recorder();
            ReferenceFlattener.flatten(image, inspected, expected);
            Recorder onHeap = new Recorder();
            Flattener.flatten(image, inspected, onHeap);
            Path scratch = Files.createDirectories(tmp.resolve("scratch-" + seed));
            Recorder offHeap = new Recorder();
            Flattener.flatten(image, inspected, offHeap, scratch);
            assertEquals(expected.lines, onHeap.lines, "seed " + seed);
            assertEquals(expected.lines, offHeap.lines, "seed " + seed);
            assertEquals(List.of(), files(scratch), "seed " + seed);
        }
    }

    private static List<byte[]> twoLayers() throws IOException {
        byte[] base = new TestImage.Tar()
                .dir("etc", 0755)
                .file("etc/hostname", 0644, "ferry")
                .file("etc/passwd", 0644, "root:x:0:0::/root:/bin/sh")
                .bytes();
        byte[] top = new TestImage.Tar()
                .file("etc/.wh.passwd", 0644, "")
                .file("etc/motd", 0644, "hi")
                .bytes();
        return List.of(base, top);
    }

    private void assertMismatch(int bad, boolean gzip, boolean asFiles) throws Exception {
        List<byte[]> tars = twoLayers();
        List<Digest> diffIds = new ArrayList<>();
        for (byte[] t : tars) {
            diffIds.add(Digest.sha256(t));
        }
        Digest wrong = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
        diffIds.set(bad, wrong);
        String name = "mismatch-" + bad + gzip + asFiles;
        TestImage image = new TestImage(tmp.resolve(name), tars, gzip, diffIds, asFiles);
        Path scratch = Files.createDirectories(tmp.resolve(name + "-scratch"));
        Recorder out = new Recorder();
        CorruptImageException e = assertThrows(
                CorruptImageException.class, () -> Flattener.flatten(image, image.inspect(), out, scratch));
        assertTrue(e.getMessage().contains("diffid mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("layer " + (bad + 1) + " "), e.getMessage());
        assertTrue(e.getMessage().contains(wrong.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(Digest.sha256(tars.get(bad)).toString()), e.getMessage());
        assertEquals(List.of(), out.lines, "nothing emitted from an image whose layer is not what the config says");
        assertEquals(List.of(), files(scratch));
    }

    @Test
    void aLayerThatIsNotItsDiffIdFailsBeforeAnythingIsEmitted() throws Exception {
        for (boolean gzip : new boolean[] {true, false}) {
            for (boolean asFiles : new boolean[] {true, false}) {
                assertMismatch(0, gzip, asFiles);
                assertMismatch(1, gzip, asFiles);
            }
        }
    }

    @Test
    void aConfigListingAnotherNumberOfDiffIdsFails() throws Exception {
        List<byte[]> tars = twoLayers();
        TestImage image = new TestImage(tmp.resolve("count"), tars, true, List.of(Digest.sha256(tars.get(0))), false);
        Recorder out = new Recorder();
        CorruptImageException e =
                assertThrows(CorruptImageException.class, () -> Flattener.flatten(image, image.inspect(), out, tmp));
        assertTrue(e.getMessage().contains("has 2 layers but its config lists 1 diffIDs"), e.getMessage());
        assertEquals(List.of(), out.lines);
    }

    /** A tar of one file of {@code size} zeros, which gzip makes about a thousand times smaller. */
    private static byte[] zeros(long size) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry e = new TarArchiveEntry("zeros");
            e.setSize(size);
            tar.putArchiveEntry(e);
            byte[] block = new byte[1 << 16];
            for (long left = size; left > 0; left -= block.length) {
                tar.write(block, 0, (int) Math.min(block.length, left));
            }
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    @Test
    void aLayerPastTheLimitFailsAsItIsDecompressed() throws Exception {
        byte[] bomb = zeros(8 << 20);
        for (boolean gzip : new boolean[] {true, false}) {
            for (boolean asFiles : new boolean[] {true, false}) {
                String name = "bomb-" + gzip + asFiles;
                TestImage image = new TestImage(tmp.resolve(name), List.of(bomb), gzip, null, asFiles);
                Path scratch = Files.createDirectories(tmp.resolve(name + "-scratch"));
                Recorder out = new Recorder();
                LayerTooLargeException e = assertThrows(
                        LayerTooLargeException.class,
                        () -> Flattener.flatten(image, image.inspect(), out, scratch, 1 << 20));
                assertTrue(e.getMessage().contains("more than 1M (--max-layer-size 1M)"), e.getMessage());
                assertEquals(List.of(), out.lines);
                assertEquals(List.of(), files(scratch));
            }
        }
        TestImage image = new TestImage(tmp.resolve("fits"), List.of(bomb), true, null, false);
        Recorder out = new Recorder();
        Flattener.flatten(image, image.inspect(), out, tmp.resolve("fits"), bomb.length);
        assertEquals(1, out.lines.size());
    }

    @Test
    void aCorruptBlobIsReportedAsSuchEvenWhenItDoesNotDecompress() throws Exception {
        List<byte[]> tars = twoLayers();
        TestImage image = new TestImage(tmp.resolve("corrupt"), tars, true, null, false);
        InspectedImage inspected = image.inspect();
        Path blob = image.file(inspected.image().layers().get(1).digest());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(blob, bytes);
        Recorder out = new Recorder();
        assertThrows(DigestMismatchException.class, () -> Flattener.flatten(image, inspected, out, tmp));
        assertEquals(List.of(), out.lines);
    }

    @Test
    void everyCompressedLayerIsReadAndInflatedOnceWithAScratchFolder() throws Exception {
        List<byte[]> tars = new ArrayList<>(twoLayers());
        tars.add(new TestImage.Tar().file("etc/issue", 0644, "Debian").bytes());
        for (boolean asFiles : new boolean[] {true, false}) {
            TestImage image = new TestImage(tmp.resolve("once-" + asFiles), tars, true, null, asFiles);
            InspectedImage inspected = image.inspect();
            Recorder expected = new Recorder();
            ReferenceFlattener.flatten(image, inspected, expected);
            image.opened.clear();
            Path scratch = Files.createDirectories(tmp.resolve("once-scratch-" + asFiles));
            Recorder out = new Recorder();
            Flattener.flatten(image, inspected, out, scratch);
            assertEquals(expected.lines, out.lines);
            for (var layer : inspected.image().layers()) {
                assertEquals(1, image.opened.get(layer.digest()), "layer " + layer.digest() + " read once");
            }
            assertEquals(List.of(), files(scratch));
        }
    }

    @Test
    void theBaseTarIsDroppedWhenItsFileSystemRunsLowAndTheBaseIsInflatedAgain() throws Exception {
        byte[] big = zeros(70 << 20); // the space is checked every 64 MiB copied
        Path scratch = Files.createDirectories(tmp.resolve("low-scratch"));
        TestImage image = new TestImage(tmp.resolve("low"), List.of(big), true, null, false);
        Digest layer = image.inspect().image().layers().get(0).digest();
        Recorder kept = new Recorder();
        Flattener.flatten(image, image.inspect(), kept, scratch);
        assertEquals(1, image.opened.get(layer), "read once: the second pass reads the base tar");
        DiskSpace.fakeUsable = () -> 0;
        try {
            Recorder out = new Recorder();
            Flattener.flatten(image, image.inspect(), out, scratch);
            assertEquals(kept.lines, out.lines);
            assertEquals(3, image.opened.get(layer), "read twice more: the copy was dropped");
        } finally {
            DiskSpace.fakeUsable = null;
        }
        assertEquals(List.of(), files(scratch));
    }

    @Test
    void aLeftoverOfADeadRunIsSweptAndOursAreTempFiles() throws Exception {
        Path scratch = Files.createDirectories(tmp.resolve("sweep"));
        Path dead = scratch.resolve(".ferry-base-layer-999999999.1-0123456789ab.tmp");
        Files.write(dead, new byte[10]);
        TestImage image = new TestImage(tmp.resolve("sweep-image"), twoLayers(), true, null, false);
        List<String> during = new ArrayList<>();
        Flattener.flatten(
                image,
                image.inspect(),
                (e, c) -> {
                    if (during.isEmpty()) {
                        during.addAll(files(scratch));
                    }
                },
                scratch);
        assertEquals(List.of(), files(scratch));
        assertEquals(3, during.size(), "the index folder and the two layers' tars: " + during);
        for (String name : during) {
            assertTrue(TempFiles.isTemporaryName(name), name);
        }
    }
}
