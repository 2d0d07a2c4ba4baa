package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.spi.CorruptImageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TarIndexTest {
    @TempDir
    Path dir;

    /** A tar with files, symlinks and hardlinks: entries are {name, kind, content-or-target}. */
    private static byte[] tar(String[]... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, "UTF-8")) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String[] e : entries) {
                TarArchiveEntry entry;
                switch (e[1]) {
                    case "file" -> {
                        entry = new TarArchiveEntry(e[0], true);
                        byte[] content = e[2].getBytes(StandardCharsets.UTF_8);
                        entry.setSize(content.length);
                        out.putArchiveEntry(entry);
                        out.write(content);
                    }
                    case "symlink" -> {
                        entry = new TarArchiveEntry(e[0], TarArchiveEntry.LF_SYMLINK, true);
                        entry.setLinkName(e[2]);
                        out.putArchiveEntry(entry);
                    }
                    case "hardlink" -> {
                        entry = new TarArchiveEntry(e[0], TarArchiveEntry.LF_LINK, true);
                        entry.setLinkName(e[2]);
                        out.putArchiveEntry(entry);
                    }
                    default -> {
                        entry = new TarArchiveEntry(e[0] + "/", true);
                        out.putArchiveEntry(entry);
                    }
                }
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A tar of one file with binary content. */
    private static byte[] tarBytes(String name, byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, "UTF-8")) {
            TarArchiveEntry entry = new TarArchiveEntry(name, true);
            entry.setSize(content.length);
            out.putArchiveEntry(entry);
            out.write(content);
            out.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private TarIndex index(String[]... entries) throws IOException {
        Path file = dir.resolve("a.tar");
        Files.write(file, tar(entries));
        return TarIndex.open(file);
    }

    private static String read(TarIndex index, String name) throws IOException {
        try (InputStream in = index.open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @CsvSource(
            value = {
                "a, a",
                "./a, a",
                "././a//b/, a/b",
                "a/./b, a/b",
                "/a, NULL",
                "../a, NULL",
                "a/../b, NULL",
                "., NULL",
                "./, NULL"
            },
            nullValues = "NULL")
    void normalize(String name, String expected) {
        assertEquals(expected, TarIndex.normalize(name));
    }

    @Test
    void filesAreServedInPlaceByName() throws IOException {
        try (TarIndex index = index(
                new String[] {"./dir", "dir", ""},
                new String[] {"./dir/a.json", "file", "{}"},
                new String[] {"b", "file", "bee"},
                new String[] {"/abs", "file", "x"},
                new String[] {"../up", "file", "x"})) {
            assertEquals(Set.of("dir/a.json", "b"), index.names(), "folders, absolute and climbing names left out");
            assertEquals("{}", read(index, "dir/a.json"));
            assertEquals(3, index.size("b"));
            assertEquals(-1, index.size("none"));
            assertArrayEquals("bee".getBytes(StandardCharsets.UTF_8), index.readAll("b", 3));
            assertThrows(CorruptImageException.class, () -> index.readAll("b", 2));
            assertThrows(NoSuchFileException.class, () -> index.open("none"));
            assertNull(index.dataFile("b"), "an archive indexed in place has no separate files");
        }
    }

    @Test
    void linksAreFollowedWithinTheArchiveOnly() throws IOException {
        try (TarIndex index = index(
                new String[] {"blobs/sha256/x", "file", "content"},
                new String[] {"l1", "symlink", "blobs/sha256/x"},
                new String[] {"blobs/l2", "symlink", "sha256/../sha256/x"},
                new String[] {"blobs/l3", "symlink", "/blobs/sha256/x"},
                new String[] {"hard", "hardlink", "blobs/sha256/x"},
                new String[] {"dangling", "symlink", "nothing"},
                new String[] {"out", "symlink", "../../etc/passwd"},
                new String[] {"loop1", "symlink", "loop2"},
                new String[] {"loop2", "symlink", "loop1"})) {
            assertEquals("blobs/sha256/x", index.resolve("l1"));
            assertEquals("blobs/sha256/x", index.resolve("blobs/l2"));
            assertEquals("blobs/sha256/x", index.resolve("blobs/l3"), "an absolute target is taken within the archive");
            assertEquals("blobs/sha256/x", index.resolve("hard"));
            assertEquals("blobs/sha256/x", index.resolve("./blobs/sha256/x"));
            assertNull(index.resolve("dangling"));
            assertNull(index.resolve("absent"));
            CorruptImageException out = assertThrows(CorruptImageException.class, () -> index.resolve("out"));
            assertTrue(out.getMessage().contains("outside the archive"), out.getMessage());
            CorruptImageException loop = assertThrows(CorruptImageException.class, () -> index.resolve("loop1"));
            assertTrue(loop.getMessage().contains("loop"), loop.getMessage());
            assertEquals(-1, index.size("l1"), "size does not follow links");
            assertThrows(NoSuchFileException.class, () -> index.open("l1"), "open does not follow links");
        }
    }

    @Test
    void aTruncatedArchiveIsCorrupt() throws IOException {
        byte[] whole = tar(new String[] {"big", "file", "x".repeat(10_000)});
        Path file = dir.resolve("cut.tar");
        Files.write(file, Arrays.copyOf(whole, 5_000));
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> TarIndex.open(file));
        assertTrue(
                e.getMessage().contains("truncated") || e.getMessage().contains("not a readable tar"), e.getMessage());
    }

    @Test
    void notATarIsCorrupt() throws IOException {
        Path file = dir.resolve("text.tar");
        Files.writeString(file, "hello, this is not a tar archive at all; ".repeat(40));
        assertThrows(CorruptImageException.class, () -> TarIndex.open(file));
    }

    @Test
    void severalReadersAtOnceEachGetTheirOwnBytes() throws Exception {
        List<String[]> entries = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            entries.add(new String[] {"f" + i, "file", Integer.toString(i).repeat(5_000 + i)});
        }
        try (TarIndex index = index(entries.toArray(new String[0][]))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<String>> reads = new ArrayList<>();
                for (int round = 0; round < 4; round++) {
                    for (int i = 0; i < 16; i++) {
                        String name = "f" + i;
                        reads.add(pool.submit(() -> read(index, name)));
                    }
                }
                for (int k = 0; k < reads.size(); k++) {
                    int i = k % 16;
                    assertEquals(
                            Integer.toString(i).repeat(5_000 + i), reads.get(k).get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void splitWritesEachFileApartWithItsDigest() throws IOException {
        byte[] stream = tar(
                new String[] {"manifest.json", "file", "[]"},
                new String[] {"layer.tar", "file", "L"},
                new String[] {"again.tar", "symlink", "layer.tar"});
        Path parts = Files.createDirectory(dir.resolve("parts"));
        try (TarIndex index = TarIndex.split(new ByteArrayInputStream(stream), parts, "docker save")) {
            Path data = index.dataFile("layer.tar");
            assertTrue(data.startsWith(parts), data.toString());
            assertEquals("L", Files.readString(data));
            assertEquals(
                    Digest.fromHash(
                            DigestAlgorithm.SHA256,
                            DigestAlgorithm.SHA256.newMessageDigest().digest("L".getBytes(StandardCharsets.UTF_8))),
                    index.dataDigest("layer.tar"));
            assertEquals("layer.tar", index.resolve("again.tar"));
            assertNull(index.dataFile("again.tar"));
            assertEquals("[]", read(index, "manifest.json"));
        }
    }

    @Test
    void splitWithGzipCompressesEachFileOf64KiBOrMoreAsItPasses() throws IOException {
        String big = "layer bytes ".repeat(20_000); // 240 kB
        byte[] stream = tar(
                new String[] {"manifest.json", "file", "[]"},
                new String[] {"layer.tar", "file", big},
                new String[] {"again.tar", "symlink", "layer.tar"});
        Path parts = Files.createDirectory(dir.resolve("parts"));
        try (TarIndex index = TarIndex.split(new ByteArrayInputStream(stream), parts, "docker save", true)) {
            assertNull(index.dataFile("layer.tar"), "kept only gzipped");
            assertThrows(NoSuchFileException.class, () -> index.open("layer.tar"));
            assertEquals(big.length(), index.size("layer.tar"));
            assertEquals(Digest.sha256(big.getBytes(StandardCharsets.UTF_8)), index.dataDigest("layer.tar"));
            TarIndex.Gzipped gzipped = index.gzipped("layer.tar");
            assertTrue(gzipped.file().startsWith(parts), gzipped.file().toString());
            byte[] compressed = Files.readAllBytes(gzipped.file());
            assertEquals(compressed.length, gzipped.size());
            assertEquals(Digest.sha256(compressed), gzipped.digest());
            assertTrue(compressed.length < big.length() / 10, "compressed: " + compressed.length);
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                assertEquals(big, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertNull(index.gzipped("manifest.json"), "a small file is not compressed");
            assertNull(index.gzipped("again.tar"));
        }
        Path plain = Files.createDirectory(dir.resolve("plain"));
        try (TarIndex index = TarIndex.split(new ByteArrayInputStream(stream), plain, "docker save")) {
            assertNull(index.gzipped("layer.tar"), "only when asked");
            assertEquals(big, Files.readString(index.dataFile("layer.tar")));
        }
    }

    /** A layer of 4 MiB or more is gzipped around the page cache (DirectFileOutput): whole, and as digested. */
    @Test
    void splitWithGzipWritesALargeLayerWhole() throws IOException {
        byte[] layer = new byte[(6 << 20) + 4321];
        Random random = new Random(5);
        for (int i = 0; i < layer.length; i += 4096) {
            if (random.nextBoolean()) {
                byte[] block = new byte[Math.min(4096, layer.length - i)];
                random.nextBytes(block);
                System.arraycopy(block, 0, layer, i, block.length);
            }
        }
        Path parts = Files.createDirectory(dir.resolve("parts"));
        try (TarIndex index =
                TarIndex.split(new ByteArrayInputStream(tarBytes("layer.tar", layer)), parts, "docker save", true)) {
            assertEquals(Digest.sha256(layer), index.dataDigest("layer.tar"));
            TarIndex.Gzipped gzipped = index.gzipped("layer.tar");
            byte[] compressed = Files.readAllBytes(gzipped.file());
            assertEquals(compressed.length, gzipped.size());
            assertEquals(Digest.sha256(compressed), gzipped.digest());
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                assertArrayEquals(layer, in.readAllBytes());
            }
        }
    }

    @Test
    void splitWithGzipKeepsCompressedDataAsItIs() throws IOException {
        // a Docker 25 save's blob that is gzip already: served as it is, not gzipped again
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new Random(7)
                    .ints(100_000)
                    .mapToObj(Integer::toString)
                    .collect(Collectors.joining(","))
                    .getBytes(StandardCharsets.UTF_8));
        }
        byte[] blob = gz.toByteArray();
        assertTrue(blob.length >= 64 << 10, "big enough to be gzipped: " + blob.length);
        byte[] stream = tarBytes("blobs/sha256/x", blob);
        Path parts = Files.createDirectory(dir.resolve("parts"));
        try (TarIndex index = TarIndex.split(new ByteArrayInputStream(stream), parts, "docker save", true)) {
            assertNull(index.gzipped("blobs/sha256/x"));
            assertArrayEquals(blob, Files.readAllBytes(index.dataFile("blobs/sha256/x")));
            assertEquals(Digest.sha256(blob), index.dataDigest("blobs/sha256/x"));
        }
    }

    @Test
    void aTruncatedStreamIsCorruptWhenSplit() throws IOException {
        byte[] whole = tar(new String[] {"big", "file", "x".repeat(10_000)});
        Path parts = Files.createDirectory(dir.resolve("parts"));
        CorruptImageException e = assertThrows(
                CorruptImageException.class,
                () -> TarIndex.split(new ByteArrayInputStream(Arrays.copyOf(whole, 5_000)), parts, "docker save"));
        assertTrue(e.getMessage().startsWith("docker save"), e.getMessage());
    }
}
