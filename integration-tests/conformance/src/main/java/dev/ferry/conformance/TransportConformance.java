package dev.ferry.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyOptions;
import dev.ferry.engine.CopyResult;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.OperationNotSupportedException;
import dev.ferry.spi.Transport;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit: what every transport must do, as JUnit 5 tests. A transport author extends this class with
 * test scope and gives the transport and its fixture:
 *
 * <pre>{@code
 * class DirTransportConformanceTest extends TransportConformance {
 *     protected Transport transport() { return discover("dir"); }
 *     protected ConformanceFixture fixture() { return new DirFixture(); }
 * }
 * }</pre>
 *
 * What the transport declares it lacks ({@link Capabilities}, {@link ConformanceFixture#unsupported()}) is
 * skipped with the reason shown, and the declaration itself is checked: an operation declared unsupported must
 * fail with {@link OperationNotSupportedException}.
 */
public abstract class TransportConformance {
    /** The transport under test. */
    protected abstract Transport transport();

    /** Where and how to write, and what the transport declares it lacks. */
    protected abstract ConformanceFixture fixture();

    /** The settings transports are opened with. */
    protected OpenContext context() {
        return fixture().context(OpenContext.defaults().withTmpDir(scratchDir()));
    }

    /** Where this check writes: a fresh temporary folder by default. */
    protected Path scratchDir() {
        return scratch;
    }

    /** The transport named {@code name}, found with {@link ServiceLoader}: proves its registration too. */
    public static Transport discover(String name) {
        for (Transport t : ServiceLoader.load(Transport.class)) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new AssertionError(
                "no transport named " + name + " is registered in META-INF/services/" + Transport.class.getName());
    }

    @TempDir
    protected Path scratch;

    private final List<String> written = new ArrayList<>();
    private final CopyEngine engine = new CopyEngine();

    @AfterEach
    void cleanUp() throws Exception {
        fixture().cleanUp(written);
    }

    private ImageReference fresh() throws Exception {
        String ref = fixture().freshReference(scratchDir());
        written.add(ref);
        return transport().parse(ref);
    }

    private boolean writable() {
        return transport().capabilities().write();
    }

    private void requireWritable() {
        assumeTrue(writable(), "declared read-only");
        assumeTrue(transport().capabilities().read(), "declared write-only");
    }

    private void require(Behavior behavior) {
        assumeFalse(fixture().unsupported().contains(behavior), "declared unsupported: " + behavior);
    }

    /** An image in the format the transport's sink takes. */
    private GeneratedImage image(ImageReference ref, long[] sizes, long seed) throws IOException {
        boolean docker;
        try (ImageSink sink = ref.openSink(context())) {
            docker = !sink.supportedManifestTypes().contains(MediaTypes.OCI_MANIFEST);
        }
        return new GeneratedImage(docker, sizes, seed);
    }

    private CopyResult write(GeneratedImage image, ImageReference ref) throws IOException {
        return engine.copy(image, ref, CopyOptions.defaults().withContext(context()), CopyListener.NONE);
    }

    @Test
    @DisplayName("references parse and format round trip")
    void referencesRoundTrip() throws Exception {
        String text = fixture().freshReference(scratchDir());
        ImageReference ref = transport().parse(text);
        assertEquals(transport().name(), ref.transport().name());
        ImageReference again = transport().parse(ref.stringWithinTransport());
        assertEquals(ref.stringWithinTransport(), again.stringWithinTransport());
        assertEquals(transport().name() + ":" + ref.stringWithinTransport(), ref.displayName());
    }

    @Test
    @DisplayName("bad syntax is rejected with InvalidReferenceException")
    void badSyntaxIsRejected() {
        for (String bad : fixture().invalidReferences()) {
            assertThrows(InvalidReferenceException.class, () -> transport().parse(bad), "\"" + bad + "\"");
        }
    }

    @Test
    @DisplayName("declared capabilities are truthful")
    void declarationsAreTruthful() throws Exception {
        ImageReference ref = fresh();
        if (!transport().capabilities().write()) {
            assertThrows(
                    OperationNotSupportedException.class,
                    () -> ref.openSink(context()).close());
        }
        if (!transport().capabilities().read()) {
            assertThrows(
                    OperationNotSupportedException.class,
                    () -> ref.openSource(context()).close());
        }
        if (writable()) {
            try (ImageSink sink = ref.openSink(context())) {
                assertFalse(sink.supportedManifestTypes().isEmpty(), "a sink stores some manifest type");
            }
        }
    }

    @Test
    @DisplayName("a multi-layer image reads back with identical bytes and digests")
    void writeThenReadIsIdentical() throws Exception {
        requireWritable();
        ImageReference ref = fresh();
        GeneratedImage image = image(ref, new long[] {100_000, 2_000, 300_000}, 1);
        write(image, ref);
        try (ImageSource source = ref.openSource(context())) {
            ManifestBytes read = source.manifest();
            ImageManifest expected = (ImageManifest) image.manifest().parse();
            ImageManifest actual = (ImageManifest) read.parse();
            if (!fixture().unsupported().contains(Behavior.KEEP_MANIFEST_BYTES)) {
                assertArrayEquals(image.manifest().bytes(), read.bytes(), "manifest bytes");
                assertEquals(image.manifest().digest(), read.digest());
            }
            assertEquals(expected.config().digest(), actual.config().digest(), "config digest");
            assertEquals(
                    expected.layers().stream().map(Descriptor::digest).toList(),
                    actual.layers().stream().map(Descriptor::digest).toList(),
                    "layer digests");
            for (Descriptor blob : actual.blobs()) {
                try (BlobStream stream = source.blob(blob);
                        InputStream original = image.open(blob.digest())) {
                    assertTrue(sameBytes(original, stream.stream()), "blob " + blob.digest());
                }
            }
        }
    }

    private static boolean sameBytes(InputStream a, InputStream b) throws IOException {
        byte[] x = new byte[1 << 16];
        byte[] y = new byte[1 << 16];
        while (true) {
            int n = a.readNBytes(x, 0, x.length);
            int m = b.readNBytes(y, 0, y.length);
            if (n != m || !Arrays.equals(x, 0, n, y, 0, m)) {
                return false;
            }
            if (n == 0) {
                return true;
            }
        }
    }

    @Test
    @DisplayName("blobs already present are reused, not rewritten")
    void blobsArePresentAfterAWrite() throws Exception {
        requireWritable();
        require(Behavior.REUSE_BLOBS);
        require(Behavior.REWRITE_SAME_REFERENCE);
        ImageReference ref = fresh();
        GeneratedImage image = image(ref, new long[] {50_000, 60_000}, 2);
        write(image, ref);
        CopyResult again = write(image, ref);
        assertEquals(0, again.blobsCopied(), "nothing rewritten");
        assertEquals(3, again.blobsSkipped());
    }

    @Test
    @DisplayName("a blob whose bytes do not match is refused, and nothing becomes visible")
    void wrongBytesAreRefused() throws Exception {
        requireWritable();
        ImageReference ref = fresh();
        byte[] bytes = "the real content".getBytes(StandardCharsets.UTF_8);
        Descriptor claimed = Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(bytes), bytes.length);
        try (ImageSink sink = ref.openSink(context())) {
            byte[] other = "the fake content".getBytes(StandardCharsets.UTF_8);
            assertThrows(DigestMismatchException.class, () -> sink.putBlob(claimed, new ByteArrayInputStream(other)));
        }
        assertNothingAt(ref);
    }

    private void assertNothingAt(ImageReference ref) {
        assertThrows(
                ImageNotFoundException.class,
                () -> ref.openSource(context()).close(),
                "nothing is visible at " + ref.displayName());
    }

    @Test
    @DisplayName("a blob read under a descriptor it does not match is detected")
    void mismatchDetectedOnRead() throws Exception {
        requireWritable();
        ImageReference ref = fresh();
        GeneratedImage image = image(ref, new long[] {10_000}, 3);
        write(image, ref);
        try (ImageSource source = ref.openSource(context())) {
            Descriptor layer =
                    ((ImageManifest) source.manifest().parse()).layers().get(0);
            Descriptor wrong = Descriptor.of(layer.mediaType(), Digest.sha256(new byte[] {1}), layer.size());
            try (BlobStream stream = source.blob(layer)) {
                assertThrows(
                        DigestMismatchException.class,
                        () -> VerifyingInputStream.verify(stream.stream(), wrong)
                                .drainAndVerify());
            }
        }
    }

    @Test
    @DisplayName("a missing blob gives BlobNotFoundException")
    void missingBlob() throws Exception {
        requireWritable();
        ImageReference ref = fresh();
        write(image(ref, new long[] {1_000}, 4), ref);
        try (ImageSource source = ref.openSource(context())) {
            Descriptor absent =
                    Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256("absent".getBytes(StandardCharsets.UTF_8)), 6);
            assertThrows(BlobNotFoundException.class, () -> source.blob(absent).close());
        }
    }

    @Test
    @DisplayName("a sink closed without commit leaves nothing visible")
    void closeWithoutCommit() throws Exception {
        requireWritable();
        ImageReference ref = fresh();
        GeneratedImage image = image(ref, new long[] {20_000}, 5);
        try (ImageSink sink = ref.openSink(context())) {
            for (Descriptor blob : ((ImageManifest) image.manifest().parse()).blobs()) {
                try (InputStream in = image.open(blob.digest())) {
                    sink.putBlob(blob, in);
                }
            }
        }
        assertNothingAt(ref);
    }

    @Test
    @DisplayName("concurrent readers of one image")
    void concurrentReaders() throws Exception {
        requireWritable();
        ImageReference ref = fresh();
        GeneratedImage image = image(ref, new long[] {200_000, 150_000, 100_000}, 6);
        write(image, ref);
        try (ImageSource source = ref.openSource(context())) {
            List<Callable<Boolean>> reads = new ArrayList<>();
            for (Descriptor blob : ((ImageManifest) source.manifest().parse()).blobs()) {
                for (int i = 0; i < 3; i++) {
                    reads.add(() -> {
                        try (BlobStream s = source.blob(blob)) {
                            VerifyingInputStream.verify(s.stream(), blob).drainAndVerify();
                            return true;
                        }
                    });
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (Future<Boolean> f : pool.invokeAll(reads)) {
                    assertTrue(f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    @DisplayName("a 1 GiB layer, made on the fly, streams through with a small heap")
    void largeLayer() throws Exception {
        requireWritable();
        require(Behavior.LARGE_LAYER);
        ImageReference ref = fresh();
        GeneratedImage image = image(ref, new long[] {1L << 30}, 7);
        write(image, ref);
        try (ImageSource source = ref.openSource(context())) {
            Descriptor layer =
                    ((ImageManifest) source.manifest().parse()).layers().get(0);
            try (BlobStream s = source.blob(layer)) {
                VerifyingInputStream.verify(s.stream(), layer).drainAndVerify();
            }
        }
        long heap = Runtime.getRuntime().maxMemory();
        assertTrue(heap < (1L << 30), "the heap (" + (heap >> 20) + " MiB) is smaller than the layer");
    }

    @Test
    @DisplayName("declared manifest formats are accepted, others refused with UnsupportedManifestException")
    void manifestFormats() throws Exception {
        requireWritable();
        List<String> supported;
        try (ImageSink sink = fresh().openSink(context())) {
            supported = sink.supportedManifestTypes();
        }
        for (String type : List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST)) {
            ImageReference ref = fresh();
            GeneratedImage image = new GeneratedImage(type.equals(MediaTypes.DOCKER_MANIFEST), new long[] {1_000}, 8);
            if (supported.contains(type)) {
                ImageSink sink = ref.openSink(context());
                try (sink) {
                    for (Descriptor blob : ((ImageManifest) image.manifest().parse()).blobs()) {
                        if (!sink.hasBlob(blob)) {
                            try (InputStream in = image.open(blob.digest())) {
                                sink.putBlob(blob, in);
                            }
                        }
                    }
                    sink.putManifest(image.manifest());
                    sink.commit();
                }
            } else {
                try (ImageSink sink = ref.openSink(context())) {
                    FerryException e = assertThrows(FerryException.class, () -> sink.putManifest(image.manifest()));
                    assertTrue(
                            e instanceof UnsupportedManifestException,
                            "expected UnsupportedManifestException," + " got " + e);
                }
            }
        }
    }
}
