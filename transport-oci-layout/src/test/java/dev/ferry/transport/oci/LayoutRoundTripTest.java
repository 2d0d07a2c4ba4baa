package dev.ferry.transport.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyOptions;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.Platform;
import dev.ferry.spi.AmbiguousImageException;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.testing.MemoryTransport;
import dev.ferry.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayoutRoundTripTest {
    @TempDir
    Path tmp;

    private final CopyEngine engine = new CopyEngine();
    private final MemoryTransport memory = new MemoryTransport();

    private Transport transport(String name) {
        return name.equals("oci") ? new OciTransport() : new OciArchiveTransport();
    }

    private ImageReference ref(String transport, String rest) throws Exception {
        return transport(transport).parse(rest);
    }

    private String target(String transport) {
        return tmp.resolve(transport.equals("oci") ? "layout" : "image.tar").toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "oci-archive"})
    void writeThenReadGivesIdenticalBytes(String t) throws Exception {
        ManifestBytes manifest = TestImages.image(memory, "a", 4, 50_000, 7);
        engine.copy(memory.ref("a"), ref(t, target(t) + ":v1"), CopyOptions.defaults(), CopyListener.NONE);
        try (ImageSource source = ref(t, target(t) + ":v1").openSource(OpenContext.defaults())) {
            assertArrayEquals(manifest.bytes(), source.manifest().bytes());
            assertEquals(manifest.digest(), source.manifest().digest());
            for (Descriptor blob : ((ImageManifest) manifest.parse()).blobs()) {
                try (BlobStream stream = source.blob(blob)) {
                    assertEquals(blob.size(), stream.size());
                    assertArrayEquals(
                            memory.blobs.get(blob.digest()), stream.stream().readAllBytes());
                }
            }
        }
        // And back into memory, unchanged.
        MemoryTransport back = new MemoryTransport();
        engine.copy(ref(t, target(t) + ":v1"), back.ref("b"), CopyOptions.defaults(), CopyListener.NONE);
        assertEquals(manifest, back.images.get("b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "oci-archive"})
    void severalRefsLiveInOneLayoutAndReplacingOneKeepsTheOthers(String t) throws Exception {
        ManifestBytes a = TestImages.image(memory, "a", 2, 1000, 1);
        ManifestBytes b = TestImages.image(memory, "b", 2, 1000, 2);
        ManifestBytes c = TestImages.image(memory, "c", 2, 1000, 3);
        engine.copy(memory.ref("a"), ref(t, target(t) + ":one"), CopyOptions.defaults(), CopyListener.NONE);
        engine.copy(memory.ref("b"), ref(t, target(t) + ":two"), CopyOptions.defaults(), CopyListener.NONE);
        engine.copy(memory.ref("c"), ref(t, target(t) + ":one"), CopyOptions.defaults(), CopyListener.NONE);
        assertEquals(c.digest(), read(t, ":one").digest());
        assertEquals(b.digest(), read(t, ":two").digest());
        assertThrows(AmbiguousImageException.class, () -> ref(t, target(t)).openSource(OpenContext.defaults()));
        ImageNotFoundException missing = assertThrows(
                ImageNotFoundException.class, () -> ref(t, target(t) + ":three").openSource(OpenContext.defaults()));
        assertTrue(missing.hint().contains("one") && missing.hint().contains("two"), missing.hint());
        assertFalse(a.digest().equals(read(t, ":one").digest()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "oci-archive"})
    void readingWithoutRefTakesTheOnlyImage(String t) throws Exception {
        ManifestBytes a = TestImages.image(memory, "a", 1, 100, 1);
        engine.copy(memory.ref("a"), ref(t, target(t)), CopyOptions.defaults(), CopyListener.NONE);
        assertEquals(a.digest(), read(t, "").digest());
    }

    private ManifestBytes read(String t, String suffix) throws Exception {
        try (ImageSource source = ref(t, target(t) + suffix).openSource(OpenContext.defaults())) {
            return source.manifest();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "oci-archive"})
    void aCorruptBlobLeavesTheDestinationAsItWas(String t) throws Exception {
        TestImages.image(memory, "good", 2, 1000, 1);
        engine.copy(memory.ref("good"), ref(t, target(t) + ":good"), CopyOptions.defaults(), CopyListener.NONE);
        TreeMap<String, String> before = snapshot(tmp);
        ManifestBytes bad = TestImages.image(memory, "bad", 3, 20_000, 9);
        memory.blobs.get(((ImageManifest) bad.parse()).layers().get(2).digest())[100] ^= 1;
        assertThrows(
                DigestMismatchException.class,
                () -> engine.copy(
                        memory.ref("bad"), ref(t, target(t) + ":bad"), CopyOptions.defaults(), CopyListener.NONE));
        assertEquals(before, snapshot(tmp));
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "oci-archive"})
    void sinkClosedWithoutCommitLeavesNothing(String t) throws Exception {
        ManifestBytes a = TestImages.image(memory, "a", 1, 100, 1);
        Descriptor layer = ((ImageManifest) a.parse()).layers().get(0);
        try (ImageSink sink = ref(t, target(t) + ":x").openSink(OpenContext.defaults())) {
            sink.putBlob(layer, new ByteArrayInputStream(memory.blobs.get(layer.digest())));
        }
        assertEquals(new TreeMap<>(), snapshot(tmp));
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "oci-archive"})
    void sinkRefusesWrongBytes(String t) throws Exception {
        Descriptor claimed = Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(new byte[10]), 10);
        try (ImageSink sink = ref(t, target(t) + ":x").openSink(OpenContext.defaults())) {
            assertThrows(
                    DigestMismatchException.class,
                    () -> sink.putBlob(claimed, new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})));
            assertFalse(sink.hasBlob(claimed));
        }
        assertEquals(new TreeMap<>(), snapshot(tmp));
    }

    /** Blobs of several MiB, which cross the background forces of a copy: the same bytes must arrive. */
    @Test
    void largeBlobsArriveWhole() throws Exception {
        ManifestBytes manifest = TestImages.image(memory, "big", 2, 5_000_000 + 123, 3);
        engine.copy(memory.ref("big"), ref("oci", target("oci") + ":big"), CopyOptions.defaults(), CopyListener.NONE);
        for (Descriptor layer : ((ImageManifest) manifest.parse()).layers()) {
            assertTrue(layer.size() >= 4 << 20, "layer of " + layer.size() + " bytes");
            Path blob = tmp.resolve("layout/blobs/sha256/" + layer.digest().hex());
            assertArrayEquals(memory.blobs.get(layer.digest()), Files.readAllBytes(blob));
        }
    }

    @Test
    void aLargeBlobWithWrongBytesLeavesNothing() throws Exception {
        byte[] data = new byte[5 << 20];
        Descriptor claimed = Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(data), data.length);
        data[data.length - 1] = 1;
        try (ImageSink sink = ref("oci", target("oci") + ":x").openSink(OpenContext.defaults())) {
            assertThrows(DigestMismatchException.class, () -> sink.putBlob(claimed, new ByteArrayInputStream(data)));
            assertFalse(sink.hasBlob(claimed));
        }
        assertEquals(new TreeMap<>(), snapshot(tmp));
    }

    /** Blobs are copied on several threads: whichever one calls next learns what broke the archive. */
    @Test
    void anArchiveBrokenByABlobNamesThatBlobToLaterCalls() throws Exception {
        Descriptor claimed = Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(new byte[10]), 10);
        ManifestBytes a = TestImages.image(memory, "a", 1, 100, 1);
        Descriptor good = ((ImageManifest) a.parse()).layers().get(0);
        try (ImageSink sink = ref("oci-archive", target("oci-archive") + ":x").openSink(OpenContext.defaults())) {
            assertThrows(
                    DigestMismatchException.class,
                    () -> sink.putBlob(claimed, new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})));
            FerryException later = assertThrows(
                    FerryException.class,
                    () -> sink.putBlob(good, new ByteArrayInputStream(memory.blobs.get(good.digest()))));
            assertTrue(later.getMessage().contains(claimed.digest().toString()), later.getMessage());
            assertInstanceOf(DigestMismatchException.class, later.getCause());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "oci-archive"})
    void dockerManifestsAreRefusedUntilConverted(String t) throws Exception {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"" + MediaTypes.DOCKER_CONFIG + "\",\"size\":2,\"digest\":\""
                + Digest.sha256("{}".getBytes(StandardCharsets.UTF_8)) + "\"},\"layers\":[]}";
        try (ImageSink sink = ref(t, target(t) + ":x").openSink(OpenContext.defaults())) {
            assertThrows(
                    UnsupportedManifestException.class,
                    () -> sink.putManifest(ManifestBytes.of(json.getBytes(StandardCharsets.UTF_8), null)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "oci-archive"})
    void wholeIndexRoundTrips(String t) throws Exception {
        ManifestBytes index = TestImages.index(
                memory, "multi", List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64/v8")));
        engine.copy(
                memory.ref("multi"),
                ref(t, target(t) + ":all"),
                CopyOptions.defaults().withAllPlatforms(),
                CopyListener.NONE);
        assertArrayEquals(index.bytes(), read(t, ":all").bytes());
        MemoryTransport back = new MemoryTransport();
        engine.copy(
                ref(t, target(t) + ":all"),
                back.ref("arm"),
                CopyOptions.defaults().withPlatform(Platform.parse("linux/arm64")),
                CopyListener.NONE);
        assertTrue(new String(back.images.get("arm").bytes(), StandardCharsets.UTF_8).contains("layers"));
    }

    @Test
    void concurrentWritersIntoOneLayoutBothLand() throws Exception {
        int writers = 8;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            TestImages.image(memory, "img" + i, 2, 5000, i);
            String name = "img" + i;
            tasks.add(() -> {
                engine.copy(
                        memory.ref(name),
                        ref("oci", target("oci") + ":" + name),
                        CopyOptions.defaults(),
                        CopyListener.NONE);
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        for (int i = 0; i < writers; i++) {
            assertEquals(
                    memory.images.get("img" + i).digest(),
                    read("oci", ":img" + i).digest());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "oci-archive"})
    void concurrentReadersOfOneImage(String t) throws Exception {
        ManifestBytes a = TestImages.image(memory, "a", 3, 200_000, 3);
        engine.copy(memory.ref("a"), ref(t, target(t) + ":a"), CopyOptions.defaults(), CopyListener.NONE);
        try (ImageSource source = ref(t, target(t) + ":a").openSource(OpenContext.defaults())) {
            List<Callable<Boolean>> reads = new ArrayList<>();
            for (Descriptor blob : ((ImageManifest) a.parse()).blobs()) {
                for (int i = 0; i < 3; i++) {
                    reads.add(() -> {
                        try (BlobStream s = source.blob(blob)) {
                            return Arrays.equals(
                                    memory.blobs.get(blob.digest()), s.stream().readAllBytes());
                        }
                    });
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                for (Future<Boolean> f : pool.invokeAll(reads)) {
                    assertTrue(f.get());
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void missingBlobIsReported() throws Exception {
        ManifestBytes a = TestImages.image(memory, "a", 1, 100, 1);
        engine.copy(memory.ref("a"), ref("oci", target("oci") + ":a"), CopyOptions.defaults(), CopyListener.NONE);
        Descriptor layer = ((ImageManifest) a.parse()).layers().get(0);
        Files.delete(Path.of(target("oci")).resolve(LayoutFiles.blobPath(layer.digest())));
        try (ImageSource source = new OciTransport().parse(target("oci") + ":a").openSource(OpenContext.defaults())) {
            BlobNotFoundException e = assertThrows(BlobNotFoundException.class, () -> source.blob(layer));
            assertEquals(layer.digest(), e.digest());
        }
    }

    @Test
    void malformedIndexIsCorrupt() throws Exception {
        TestImages.image(memory, "a", 1, 100, 1);
        engine.copy(memory.ref("a"), ref("oci", target("oci") + ":a"), CopyOptions.defaults(), CopyListener.NONE);
        Files.writeString(Path.of(target("oci")).resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{");
        CorruptImageException e = assertThrows(
                CorruptImageException.class,
                () -> ref("oci", target("oci") + ":a").openSource(OpenContext.defaults()));
        assertTrue(e.getMessage().contains("index.json"), e.getMessage());
    }

    @Test
    void truncatedArchiveIsCorrupt() throws Exception {
        TestImages.image(memory, "a", 2, 100_000, 1);
        engine.copy(
                memory.ref("a"),
                ref("oci-archive", target("oci-archive") + ":a"),
                CopyOptions.defaults(),
                CopyListener.NONE);
        Path file = Path.of(target("oci-archive"));
        byte[] all = Files.readAllBytes(file);
        for (int cut : new int[] {all.length / 2, 700, 100}) {
            Files.write(file, Arrays.copyOf(all, cut));
            FerryException e = assertThrows(FerryException.class, () -> {
                try (ImageSource s =
                        ref("oci-archive", target("oci-archive") + ":a").openSource(OpenContext.defaults())) {
                    ImageManifest m = (ImageManifest) s.manifest().parse();
                    for (Descriptor d : m.blobs()) {
                        try (BlobStream b = s.blob(d)) {
                            b.stream().readAllBytes();
                        }
                    }
                }
            });
            assertTrue(
                    e instanceof CorruptImageException
                            || e instanceof ImageNotFoundException
                            || e instanceof BlobNotFoundException,
                    e.toString());
        }
    }

    @Test
    void refusesToOverwriteAFileThatIsNotAnArchive() throws Exception {
        Path file = Path.of(target("oci-archive"));
        Files.writeString(file, "precious");
        TestImages.image(memory, "a", 1, 100, 1);
        FerryException e = assertThrows(
                FerryException.class,
                () -> engine.copy(
                        memory.ref("a"), ref("oci-archive", file + ":a"), CopyOptions.defaults(), CopyListener.NONE));
        assertTrue(e.getMessage().contains("refusing"), e.getMessage());
        assertEquals("precious", Files.readString(file));
        assertEquals(1, snapshot(tmp).size());
    }

    @Test
    void refusesToWriteIntoANonEmptyDirectoryThatIsNotALayout() throws Exception {
        Path dir = Files.createDirectories(Path.of(target("oci")));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        TestImages.image(memory, "a", 1, 100, 1);
        assertThrows(
                FerryException.class,
                () -> engine.copy(memory.ref("a"), ref("oci", dir + ":a"), CopyOptions.defaults(), CopyListener.NONE));
        assertEquals(
                List.of("layout/", "layout/notes.txt"),
                List.copyOf(snapshot(tmp).keySet()));
    }

    @Test
    void blobsAlreadyPresentAreNotRewritten() throws Exception {
        TestImages.image(memory, "a", 2, 1000, 1);
        engine.copy(memory.ref("a"), ref("oci", target("oci") + ":one"), CopyOptions.defaults(), CopyListener.NONE);
        var result = engine.copy(
                memory.ref("a"), ref("oci", target("oci") + ":two"), CopyOptions.defaults(), CopyListener.NONE);
        assertEquals(0, result.blobsCopied());
        assertEquals(3, result.blobsSkipped());
    }

    private static Object inode(Path file) throws IOException {
        return Files.getAttribute(file, "unix:ino");
    }

    @Test
    void layoutToLayoutHardlinksVerifiedBlobsUnlessToldNotTo() throws Exception {
        ManifestBytes manifest = TestImages.image(memory, "a", 3, 30_000, 4);
        Path src = tmp.resolve("src");
        engine.copy(memory.ref("a"), ref("oci", src + ":a"), CopyOptions.defaults(), CopyListener.NONE);
        engine.copy(
                ref("oci", src + ":a"),
                ref("oci", tmp.resolve("linked") + ":a"),
                CopyOptions.defaults(),
                CopyListener.NONE);
        engine.copy(
                ref("oci", src + ":a"),
                ref("oci", tmp.resolve("copied") + ":a"),
                CopyOptions.defaults().withLink(false),
                CopyListener.NONE);
        for (Descriptor blob : ((ImageManifest) manifest.parse()).blobs()) {
            String path = LayoutFiles.blobPath(blob.digest());
            assertEquals(inode(src.resolve(path)), inode(tmp.resolve("linked").resolve(path)), path);
            assertFalse(
                    inode(src.resolve(path)).equals(inode(tmp.resolve("copied").resolve(path))), path);
            assertArrayEquals(
                    Files.readAllBytes(src.resolve(path)),
                    Files.readAllBytes(tmp.resolve("copied").resolve(path)));
        }
        try (ImageSource linked = ref("oci", tmp.resolve("linked") + ":a").openSource(OpenContext.defaults())) {
            assertArrayEquals(manifest.bytes(), linked.manifest().bytes());
        }
    }

    @Test
    void aCorruptSourceFileIsNeverLinked() throws Exception {
        ManifestBytes manifest = TestImages.image(memory, "a", 2, 30_000, 5);
        Path src = tmp.resolve("src");
        engine.copy(memory.ref("a"), ref("oci", src + ":a"), CopyOptions.defaults(), CopyListener.NONE);
        Descriptor layer = ((ImageManifest) manifest.parse()).layers().get(1);
        Path file = src.resolve(LayoutFiles.blobPath(layer.digest()));
        byte[] bytes = Files.readAllBytes(file);
        bytes[123] ^= 1; // same size, other content
        Files.write(file, bytes);
        Path dest = tmp.resolve("dest");
        assertThrows(
                DigestMismatchException.class,
                () -> engine.copy(
                        ref("oci", src + ":a"), ref("oci", dest + ":a"), CopyOptions.defaults(), CopyListener.NONE));
        assertFalse(Files.exists(dest.resolve(LayoutFiles.blobPath(layer.digest()))));
        assertFalse(Files.exists(dest.resolve(LayoutFiles.INDEX)));
    }

    /** Every file under {@code root} with its content's hash: what a user would see. */
    static TreeMap<String, String> snapshot(Path root) throws IOException {
        TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.equals(root)).toList()) {
                String key = root.relativize(p).toString();
                if (Files.isRegularFile(p)) {
                    try (InputStream in = Files.newInputStream(p)) {
                        files.put(key, Digest.sha256(in.readAllBytes()).toString());
                    }
                } else {
                    files.put(key + "/", "dir");
                }
            }
        }
        return files;
    }

    @Test
    void snapshotSeesFiles() throws Exception {
        Files.writeString(tmp.resolve("f"), "x");
        assertInstanceOf(String.class, snapshot(tmp).get("f"));
    }
}
