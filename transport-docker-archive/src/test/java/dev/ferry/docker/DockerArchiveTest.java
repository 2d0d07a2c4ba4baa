package dev.ferry.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.ferry.spi.AmbiguousImageException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.testing.MemoryTransport;
import dev.ferry.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerArchiveTest {
    @TempDir
    Path tmp;

    private final DockerArchiveTransport transport = new DockerArchiveTransport();

    /** A tar written entry by entry, the way docker save and Docker 25 write theirs. */
    static final class Tar {
        private final List<Object[]> entries = new ArrayList<>();

        Tar file(String name, byte[] content) {
            entries.add(new Object[] {name, content, null});
            return this;
        }

        Tar file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8));
        }

        Tar symlink(String name, String target) {
            entries.add(new Object[] {name, null, target});
            return this;
        }

        Path write(Path file, boolean gzip) throws IOException {
            try (OutputStream raw = Files.newOutputStream(file);
                    OutputStream out = gzip ? new GZIPOutputStream(raw) : raw;
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
                for (Object[] e : entries) {
                    TarArchiveEntry entry;
                    if (e[2] != null) {
                        entry = new TarArchiveEntry((String) e[0], TarArchiveEntry.LF_SYMLINK);
                        entry.setLinkName((String) e[2]);
                        tar.putArchiveEntry(entry);
                    } else {
                        entry = new TarArchiveEntry((String) e[0]);
                        entry.setSize(((byte[]) e[1]).length);
                        tar.putArchiveEntry(entry);
                        tar.write((byte[]) e[1]);
                    }
                    tar.closeArchiveEntry();
                }
            }
            return file;
        }
    }

    static byte[] layer(int seed) {
        byte[] bytes = new byte[10_000 + seed];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String config(Digest... diffIds) {
        List<String> ids = new ArrayList<>();
        for (Digest d : diffIds) {
            ids.add("\"" + d + "\"");
        }
        return "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/true\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", ids) + "]}}";
    }

    private ImageSource open(Path file, String rest) throws IOException {
        return transport.parse(file + (rest == null ? "" : ":" + rest)).openSource(OpenContext.defaults());
    }

    /** The legacy form: a repeated layer written as a symlink, manifest.json last, with ./ prefixes. */
    private Path legacy(boolean gzip) throws IOException {
        byte[] a = layer(1);
        byte[] b = layer(2);
        String cfg = config(Digest.sha256(a), Digest.sha256(b), Digest.sha256(a));
        String cfgName = Digest.sha256(cfg.getBytes(StandardCharsets.UTF_8)).hex() + ".json";
        return new Tar()
                .file("./" + "aaa/layer.tar", a)
                .file("./bbb/layer.tar", b)
                .symlink("./ccc/layer.tar", "../aaa/layer.tar")
                .file("./" + cfgName, cfg)
                .file(
                        "./manifest.json",
                        "[{\"Config\":\"" + cfgName + "\",\"RepoTags\":[\"busybox:1\"],"
                                + "\"Layers\":[\"aaa/layer.tar\",\"bbb/layer.tar\",\"ccc/layer.tar\"]}]")
                .file("./repositories", "{\"busybox\":{\"1\":\"ccc\"}}")
                .write(tmp.resolve(gzip ? "legacy.tar.gz" : "legacy.tar"), gzip);
    }

    @Test
    void readsTheLegacyFormWithARepeatedLayer() throws Exception {
        for (boolean gzip : new boolean[] {false, true}) {
            try (ImageSource source = open(legacy(gzip), null)) {
                ManifestBytes manifest = source.manifest();
                assertEquals(MediaTypes.DOCKER_MANIFEST, manifest.mediaType());
                ImageManifest image = (ImageManifest) manifest.parse();
                assertEquals(3, image.layers().size());
                assertEquals(Digest.sha256(layer(1)), image.layers().get(0).digest());
                assertEquals(image.layers().get(0), image.layers().get(2));
                assertEquals(MediaTypes.DOCKER_LAYER, image.layers().get(1).mediaType());
                try (BlobStream blob = source.blob(image.layers().get(2))) {
                    assertArrayEquals(layer(1), blob.stream().readAllBytes());
                }
            }
        }
        // The whole image copies, every digest verified on the way.
        MemoryTransport memory = new MemoryTransport();
        new CopyEngine()
                .copy(
                        transport.parse(legacy(false) + ":busybox:1"),
                        memory.ref("x"),
                        CopyOptions.defaults(),
                        CopyListener.NONE);
        assertEquals(3, memory.blobs.size());
    }

    /** Like a daemon transport: the save stream read once, split into files under {@code spool}. */
    private static DockerArchiveSource split(Path save, Path spool) throws IOException {
        return DockerArchiveSource.openSpooled(new DockerArchiveTransport().parse("/daemon.tar"), spool, reader -> {
            try (InputStream in = Files.newInputStream(save)) {
                reader.read(in);
            }
        });
    }

    private static long filesUnder(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir)).count();
        }
    }

    @Test
    void aSaveStreamIsSplitOnceIntoDigestedFilesAndRemovedOnClose() throws Exception {
        Path spool = Files.createDirectory(tmp.resolve("spool"));
        try (DockerArchiveSource source = split(legacy(false), spool)) {
            ImageManifest image = (ImageManifest) source.manifest().parse();
            assertEquals(3, image.layers().size());
            for (Descriptor layer : image.layers()) {
                try (BlobStream blob = source.blob(layer)) {
                    assertTrue(blob.file() != null && blob.file().startsWith(spool), "served from its own file");
                    assertEquals(layer.digest(), blob.fileDigest(), "digested as it was written");
                    assertEquals(layer.size(), Files.size(blob.file()));
                    assertArrayEquals(
                            Files.readAllBytes(blob.file()), blob.stream().readAllBytes());
                }
            }
            MemoryTransport memory = new MemoryTransport();
            new CopyEngine().copy(source, memory.ref("x"), CopyOptions.defaults(), CopyListener.NONE);
            assertEquals(3, memory.blobs.size());
        }
        assertEquals(0, filesUnder(spool), "nothing is left once the source is closed");
    }

    /** Counts the blobs a copy reads from {@code source}, and passes everything else through. */
    private static final class Counting implements ImageSource {
        final ImageSource source;
        final List<Digest> read = new ArrayList<>();

        Counting(ImageSource source) {
            this.source = source;
        }

        @Override
        public ImageReference reference() {
            return source.reference();
        }

        @Override
        public ManifestBytes manifest() throws IOException {
            return source.manifest();
        }

        @Override
        public ManifestBytes manifest(Digest digest) throws IOException {
            return source.manifest(digest);
        }

        @Override
        public synchronized BlobStream blob(Descriptor descriptor) throws IOException {
            read.add(descriptor.digest());
            return source.blob(descriptor);
        }

        @Override
        public BlobStream compressedBlob(Descriptor descriptor, MediaTypes.Compression compression) throws IOException {
            return source.compressedBlob(descriptor, compression);
        }

        @Override
        public void close() throws IOException {
            source.close();
        }
    }

    @Test
    void withTheCompressHintEachLayerIsGzippedAsTheSaveStreamsAndACopyWritesThatOne() throws Exception {
        byte[] big = "a layer's bytes, ".repeat(10_000).getBytes(StandardCharsets.UTF_8); // 170 kB
        String cfg = config(Digest.sha256(big));
        String cfgName = Digest.sha256(cfg.getBytes(StandardCharsets.UTF_8)).hex() + ".json";
        Path save = new Tar()
                .file("aaa/layer.tar", big)
                .file(cfgName, cfg)
                .file("manifest.json", "[{\"Config\":\"" + cfgName + "\",\"Layers\":[\"aaa/layer.tar\"]}]")
                .write(tmp.resolve("big.tar"), false);
        ImageReference reference = transport.parse("/daemon.tar");
        DockerArchive.SaveStream stream = reader -> {
            try (InputStream in = Files.newInputStream(save)) {
                reader.read(in);
            }
        };
        Path spool = Files.createDirectory(tmp.resolve("spool"));
        OpenContext hinted = OpenContext.defaults().withTmpDir(spool).withOption(ImageSource.COMPRESS_HINT, "gzip");
        try (Counting source = new Counting(DockerArchiveSource.openSpooled(reference, hinted, stream))) {
            Descriptor layer =
                    ((ImageManifest) source.manifest().parse()).layers().get(0);
            Digest gzipped;
            try (BlobStream gz = source.compressedBlob(layer, MediaTypes.Compression.GZIP)) {
                byte[] compressed = gz.stream().readAllBytes();
                gzipped = Digest.sha256(compressed);
                assertEquals(gzipped, gz.fileDigest());
                assertEquals(compressed.length, gz.size());
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                    assertArrayEquals(big, in.readAllBytes());
                }
            }
            MemoryTransport memory = new MemoryTransport();
            new CopyEngine()
                    .copy(
                            source,
                            memory.ref("x"),
                            CopyOptions.defaults().withCompression(MediaTypes.Compression.GZIP),
                            CopyListener.NONE);
            assertTrue(memory.blobs.containsKey(gzipped), "the layer gzipped as the save streamed was written");
            assertFalse(source.read.contains(layer.digest()), "and the uncompressed layer never read again");
        }
        assertEquals(0, filesUnder(spool));
        try (DockerArchiveSource plain = DockerArchiveSource.openSpooled(reference, spool, stream)) {
            Descriptor layer =
                    ((ImageManifest) plain.manifest().parse()).layers().get(0);
            assertEquals(null, plain.compressedBlob(layer, MediaTypes.Compression.GZIP), "only when hinted");
        }
    }

    @Test
    void aBrokenSaveStreamLeavesNoSpool() throws Exception {
        Path spool = Files.createDirectory(tmp.resolve("spool"));
        byte[] whole = Files.readAllBytes(legacy(false));
        Path truncated = Files.write(tmp.resolve("truncated.tar"), Arrays.copyOf(whole, 12_000));
        assertThrows(CorruptImageException.class, () -> split(truncated, spool));
        assertEquals(0, filesUnder(spool));
        Path noManifest = new Tar().file("aaa/layer.tar", layer(1)).write(tmp.resolve("nomanifest.tar"), false);
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> split(noManifest, spool));
        assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
        assertEquals(0, filesUnder(spool));
        Path empty = Files.write(tmp.resolve("empty.tar"), new byte[0]);
        assertThrows(CorruptImageException.class, () -> split(empty, spool));
        assertEquals(0, filesUnder(spool));
    }

    @Test
    void aSpooledLayerWhoseBytesDoNotMatchItsDiffIdIsRefused() throws Exception {
        byte[] a = layer(5);
        String cfg = config(Digest.sha256(layer(6)));
        String cfgName = Digest.sha256(cfg.getBytes(StandardCharsets.UTF_8)).hex() + ".json";
        Path save = new Tar()
                .file("aaa/layer.tar", a)
                .file(cfgName, cfg)
                .file(
                        "manifest.json",
                        "[{\"Config\":\"" + cfgName + "\",\"RepoTags\":null," + "\"Layers\":[\"aaa/layer.tar\"]}]")
                .write(tmp.resolve("lying.tar"), false);
        Path spool = Files.createDirectory(tmp.resolve("spool"));
        try (DockerArchiveSource source = split(save, spool)) {
            assertThrows(
                    DigestMismatchException.class,
                    () -> new CopyEngine()
                            .copy(source, new MemoryTransport().ref("x"), CopyOptions.defaults(), CopyListener.NONE));
        }
    }

    @Test
    void readsTheDocker25Form() throws Exception {
        byte[] a = layer(3);
        Digest da = Digest.sha256(a);
        String cfg = config(da);
        Digest dc = Digest.sha256(cfg.getBytes(StandardCharsets.UTF_8));
        Path file = new Tar()
                .file("blobs/sha256/" + da.hex(), a)
                .file("blobs/sha256/" + dc.hex(), cfg)
                .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", "{\"schemaVersion\":2," + "\"manifests\":[]}")
                .file(
                        "manifest.json",
                        "[{\"Config\":\"blobs/sha256/" + dc.hex() + "\",\"RepoTags\":null,"
                                + "\"Layers\":[\"blobs/sha256/" + da.hex() + "\"]}]")
                .write(tmp.resolve("d25.tar"), false);
        try (ImageSource source = open(file, "@0")) {
            ImageManifest image = (ImageManifest) source.manifest().parse();
            assertEquals(dc, image.config().digest());
            assertEquals(da, image.layers().get(0).digest());
        }
    }

    @Test
    void picksOneOfSeveralImages() throws Exception {
        byte[] a = layer(4);
        byte[] b = layer(5);
        String ca = config(Digest.sha256(a));
        String cb = config(Digest.sha256(b)).replace("/bin/true", "/bin/false");
        Path file = new Tar()
                .file("a/layer.tar", a)
                .file("b/layer.tar", b)
                .file("ca.json", ca)
                .file("cb.json", cb)
                .file(
                        "manifest.json",
                        "[{\"Config\":\"ca.json\",\"RepoTags\":[\"first:1\",\"docker.io/library/alias:2\"],"
                                + "\"Layers\":[\"a/layer.tar\"]},{\"Config\":\"cb.json\",\"RepoTags\":null,"
                                + "\"Layers\":[\"b/layer.tar\"]}]")
                .write(tmp.resolve("multi.tar"), false);
        try (ImageSource s = open(file, "first:1")) {
            assertEquals(
                    Digest.sha256(a),
                    ((ImageManifest) s.manifest().parse()).layers().get(0).digest());
        }
        try (ImageSource s = open(file, "alias:2")) {
            assertEquals(
                    Digest.sha256(a),
                    ((ImageManifest) s.manifest().parse()).layers().get(0).digest());
        }
        try (ImageSource s = open(file, "@1")) {
            assertEquals(
                    Digest.sha256(b),
                    ((ImageManifest) s.manifest().parse()).layers().get(0).digest());
        }
        AmbiguousImageException e = assertThrows(AmbiguousImageException.class, () -> open(file, null));
        assertEquals(List.of("first:1", "@1"), e.candidates());
        assertThrows(ImageNotFoundException.class, () -> open(file, "@2"));
        ImageNotFoundException missing = assertThrows(ImageNotFoundException.class, () -> open(file, "other:1"));
        assertTrue(missing.hint().contains("first:1") && missing.hint().contains("@1 (untagged)"), missing.hint());
    }

    @Test
    void rejectsMalformedArchives() throws Exception {
        byte[] a = layer(6);
        byte[] b = layer(7);
        String one = config(Digest.sha256(a));
        String two = config(Digest.sha256(a), Digest.sha256(b));
        String m1 = "[{\"Config\":\"c.json\",\"RepoTags\":null,\"Layers\":[\"a/layer.tar\"]}]";
        String m2 = "[{\"Config\":\"c.json\",\"RepoTags\":null,\"Layers\":[\"a/layer.tar\",\"b/layer.tar\"]}]";
        List<Object[]> cases = List.of(
                new Object[] {
                    "no manifest.json", new Tar().file("a/layer.tar", a).file("c.json", one), "no manifest.json"
                },
                new Object[] {
                    "count",
                    new Tar().file("a/layer.tar", a).file("c.json", two).file("manifest.json", m1),
                    "2 diff_ids"
                },
                new Object[] {"missing layer", new Tar().file("c.json", one).file("manifest.json", m1), "missing"},
                new Object[] {
                    "loop",
                    new Tar()
                            .symlink("a/layer.tar", "../b/layer.tar")
                            .symlink("b/layer.tar", "../a/layer.tar")
                            .file("c.json", one)
                            .file("manifest.json", m1),
                    "loop"
                },
                new Object[] {
                    "outside",
                    new Tar()
                            .symlink("a/layer.tar", "../../../etc/passwd")
                            .file("c.json", one)
                            .file("manifest.json", m1),
                    "outside"
                },
                new Object[] {
                    "absolute outside",
                    new Tar()
                            .symlink("a/layer.tar", "/../etc/passwd")
                            .file("c.json", one)
                            .file("manifest.json", m1),
                    "outside"
                },
                new Object[] {
                    "one file two diffIDs",
                    new Tar()
                            .file("a/layer.tar", a)
                            .symlink("b/layer.tar", "../a/layer.tar")
                            .file("c.json", two)
                            .file("manifest.json", m2),
                    "two diffIDs"
                },
                new Object[] {"bad json", new Tar().file("manifest.json", "{oops"), "not valid JSON"});
        for (Object[] c : cases) {
            Path file = ((Tar) c[1]).write(tmp.resolve(c[0] + ".tar"), false);
            CorruptImageException e = assertThrows(CorruptImageException.class, () -> open(file, null), (String) c[0]);
            assertTrue(e.getMessage().contains((String) c[2]), c[0] + ": " + e.getMessage());
        }
        Files.write(tmp.resolve("truncated.tar"), Arrays.copyOf(Files.readAllBytes(legacy(false)), 3000));
        assertThrows(CorruptImageException.class, () -> open(tmp.resolve("truncated.tar"), null));
    }

    @Test
    void writesTheLegacyFormAsAStreamAndReadsItBack() throws Exception {
        MemoryTransport memory = new MemoryTransport();
        ManifestBytes original = TestImages.image(memory, "img", 3, 20_000, 11);
        Path file = tmp.resolve("out.tar");
        ImageReference dest = transport.parse(file + ":example.com/team/app:v1");
        new CopyEngine().copy(memory.ref("img"), dest, CopyOptions.defaults(), CopyListener.NONE);
        List<String> names = new ArrayList<>();
        try (var in = new TarArchiveInputStream(Files.newInputStream(file), "UTF-8")) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        assertEquals("repositories", names.get(names.size() - 1));
        assertEquals("manifest.json", names.get(names.size() - 2));
        try (ImageSource source = open(file, "example.com/team/app:v1")) {
            ImageManifest image = (ImageManifest) source.manifest().parse();
            ImageManifest before = (ImageManifest) original.parse();
            for (int i = 0; i < 3; i++) {
                assertEquals(
                        before.layers().get(i).digest(), image.layers().get(i).digest());
            }
        }
        // An existing archive is not modified.
        byte[] bytes = Files.readAllBytes(file);
        FerryException e = assertThrows(
                FerryException.class,
                () -> new CopyEngine()
                        .copy(
                                memory.ref("img"),
                                transport.parse(file.toString()),
                                CopyOptions.defaults(),
                                CopyListener.NONE));
        assertTrue(e.getMessage().contains("does not modify"), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(file));
    }

    @Test
    void aFailedWriteLeavesNothing() throws Exception {
        MemoryTransport memory = new MemoryTransport();
        ManifestBytes original = TestImages.image(memory, "img", 2, 20_000, 12);
        memory.blobs.get(((ImageManifest) original.parse()).layers().get(1).digest())[7] ^= 1;
        assertThrows(
                FerryException.class,
                () -> new CopyEngine()
                        .copy(
                                memory.ref("img"),
                                transport.parse(tmp.resolve("out.tar").toString()),
                                CopyOptions.defaults(),
                                CopyListener.NONE));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void referenceSyntax() throws Exception {
        for (String ok : new String[] {"/a.tar", "/a.tar:busybox:1", "/a.tar:@0", "/a.tar:localhost:5000/x/y:tag"}) {
            assertEquals(ok, transport.parse(ok).stringWithinTransport());
        }
        for (String bad : new String[] {"", ":x", "/a.tar:UPPER:1", "/a.tar:x:bad tag", "/a.tar:@sha256:abc"}) {
            assertThrows(InvalidReferenceException.class, () -> transport.parse(bad), bad);
        }
        assertFalse(DockerReference.parse("busybox").matchesRepoTag("busybox:2"));
        assertTrue(DockerReference.parse("busybox").matchesRepoTag("docker.io/library/busybox:latest"));
        assertEquals(
                "sha256:" + "a".repeat(64),
                DockerReference.parse("@sha256:" + "a".repeat(64)).forDocker());
    }

    /** Blobs are copied on several threads: whichever one calls next learns what broke the archive. */
    @Test
    void anArchiveBrokenByABlobNamesThatBlobToLaterCalls() throws Exception {
        Descriptor claimed = Descriptor.of(MediaTypes.DOCKER_LAYER, Digest.sha256(new byte[10]), 10);
        byte[] good = "{}".getBytes(StandardCharsets.UTF_8);
        Descriptor config = Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.sha256(good), good.length);
        try (ImageSink sink = transport.parse(tmp.resolve("out.tar") + ":a/b:1").openSink(OpenContext.defaults())) {
            assertThrows(
                    DigestMismatchException.class,
                    () -> sink.putBlob(claimed, new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})));
            FerryException later =
                    assertThrows(FerryException.class, () -> sink.putBlob(config, new ByteArrayInputStream(good)));
            assertTrue(later.getMessage().contains(claimed.digest().toString()), later.getMessage());
            assertTrue(later.getCause() instanceof DigestMismatchException, later.toString());
        }
        assertFalse(Files.exists(tmp.resolve("out.tar")));
    }
}
