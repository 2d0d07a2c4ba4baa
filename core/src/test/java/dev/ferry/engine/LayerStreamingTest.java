package dev.ferry.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.OpenContext;
import dev.ferry.testing.MemoryTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gzip layers in files, copied to a sink that takes them uncompressed as one stream (as a docker archive): inflated
 * straight into it with the size their trailer gives, copied again with the size measured when it lied, failing
 * with nothing stored when corrupt.
 */
class LayerStreamingTest {
    private final CopyEngine engine = new CopyEngine();
    private final MemoryTransport src = new MemoryTransport();
    private final MemoryTransport dest = new MemoryTransport(List.of(MediaTypes.DOCKER_MANIFEST), false);
    private final List<String> notes = new CopyOnWriteArrayList<>();
    private final CopyListener listener = new CopyListener() {
        @Override
        public void note(String message) {
            notes.add(message);
        }
    };

    @TempDir
    Path blobs;

    @TempDir
    Path tmp;

    @BeforeEach
    void files() {
        src.blobFiles = blobs;
        dest.oneStream = true;
        dest.layerCompressions = EnumSet.of(MediaTypes.Compression.NONE);
    }

    /** Stores an OCI image whose layer i is {@code gzipped[i]}, with the diffID of {@code plain[i]}. */
    private ManifestBytes image(String name, List<byte[]> plain, List<byte[]> gzipped) {
        StringBuilder diffIds = new StringBuilder();
        StringBuilder layers = new StringBuilder();
        for (int i = 0; i < plain.size(); i++) {
            Digest digest = Digest.sha256(gzipped.get(i));
            src.blobs.put(digest, gzipped.get(i));
            diffIds.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(Digest.sha256(plain.get(i)))
                    .append('"');
            layers.append(i == 0 ? "" : ",")
                    .append("{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + digest
                            + "\",\"size\":" + gzipped.get(i).length + "}");
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                        + diffIds + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        src.blobs.put(configDigest, config);
        ManifestBytes manifest = ManifestBytes.of(
                ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":"
                                + config.length + "},\"layers\":[" + layers + "]}")
                        .getBytes(StandardCharsets.UTF_8),
                null);
        src.images.put(name, manifest);
        return manifest;
    }

    private CopyResult copy(String name) throws IOException {
        return copy(name, 2);
    }

    private CopyResult copy(String name, int jobs) throws IOException {
        return engine.copy(
                src.ref(name),
                dest.ref("x"),
                CopyOptions.defaults()
                        .withJobs(jobs)
                        .withDestinationContext(OpenContext.defaults().withTmpDir(tmp)),
                listener);
    }

    private List<Descriptor> copiedLayers() {
        return ((ImageManifest) dest.images.get("x").parse()).layers();
    }

    private void assertLayers(List<byte[]> plain) {
        List<Descriptor> layers = copiedLayers();
        assertEquals(plain.size(), layers.size());
        for (int i = 0; i < plain.size(); i++) {
            assertEquals(MediaTypes.DOCKER_LAYER, layers.get(i).mediaType());
            assertEquals(Digest.sha256(plain.get(i)), layers.get(i).digest());
            assertEquals(plain.get(i).length, layers.get(i).size());
            assertArrayEquals(plain.get(i), dest.blobs.get(layers.get(i).digest()));
        }
    }

    private long filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void singleMemberLayersStreamWithoutASpoolAndWithoutASecondAttempt() throws Exception {
        List<byte[]> plain = List.of(InflatedLayerTest.plain(300_000, 1), InflatedLayerTest.plain(100_000, 2));
        image("a", plain, List.of(InflatedLayerTest.gzip(plain.get(0)), InflatedLayerTest.gzip(plain.get(1))));
        List<Long> spooledMeanwhile = new ArrayList<>();
        dest.onPutBlob = blob -> spooledMeanwhile.add(filesIn(tmp));
        copy("a");
        assertLayers(plain);
        assertEquals(List.of(0L, 0L, 0L), spooledMeanwhile, "no layer spooled while the blobs were stored");
        assertEquals(1, dest.sinksOpened.get());
        assertTrue(notes.stream().noneMatch(n -> n.contains("again")), notes.toString());
    }

    @Test
    void aMultiMemberLayerIsCopiedAgainWithItsMeasuredSize() throws Exception {
        byte[] first = InflatedLayerTest.plain(50_000, 3);
        byte[] last = InflatedLayerTest.plain(200_000, 4);
        List<byte[]> plain = List.of(InflatedLayerTest.concat(first, last), InflatedLayerTest.plain(80_000, 5));
        image("m", plain, List.of(InflatedLayerTest.gzip(first, last), InflatedLayerTest.gzip(plain.get(1))));
        List<Descriptor> put = new CopyOnWriteArrayList<>();
        List<Long> spooledAsTheMeasuredOneWasStored = new CopyOnWriteArrayList<>();
        dest.onPutBlob = blob -> {
            put.add(blob);
            if (blob.size() == plain.get(0).length) {
                spooledAsTheMeasuredOneWasStored.add(filesIn(tmp));
            }
        };
        // one job: with two, the other layer, not reached by the first attempt, may be spooled by the second while
        // the measured one streams (a file in tmp that is not the measured layer's)
        copy("m", 1);
        assertLayers(plain);
        assertEquals(2, dest.sinksOpened.get(), "the first sink, broken in the middle of the layer, discarded");
        assertTrue(
                put.stream().anyMatch(d -> d.size() == last.length), "announced first with the trailer's size: " + put);
        assertEquals(List.of(0L), spooledAsTheMeasuredOneWasStored, "then streamed again with its size, not spooled");
        assertTrue(notes.stream().anyMatch(n -> n.contains("again")), notes.toString());
        assertEquals(0, filesIn(tmp));
    }

    @Test
    void whatTheDiscardedAttemptReportedIsTakenBackSoThatTheCountsAreThoseOfTheCopyThatSucceeded() throws Exception {
        byte[] first = InflatedLayerTest.plain(50_000, 3);
        byte[] last = InflatedLayerTest.plain(200_000, 4);
        List<byte[]> plain = List.of(InflatedLayerTest.concat(first, last), InflatedLayerTest.plain(80_000, 5));
        List<byte[]> gzipped = List.of(InflatedLayerTest.gzip(first, last), InflatedLayerTest.gzip(plain.get(1)));
        image("m", plain, gzipped);
        // counts as the progress display and --json keep them
        AtomicLong bytes = new AtomicLong();
        AtomicLong reported = new AtomicLong();
        Map<Digest, Integer> finished = new ConcurrentHashMap<>();
        List<Long> discarded = new CopyOnWriteArrayList<>();
        CopyListener counting = new CopyListener() {
            @Override
            public void blobProgress(Descriptor blob, long n) {
                bytes.addAndGet(n);
                reported.addAndGet(n);
            }

            @Override
            public void blobDone(Descriptor blob, boolean skipped) {
                finished.merge(blob.digest(), 1, Integer::sum);
            }

            @Override
            public void attemptDiscarded(long n) {
                discarded.add(n);
                bytes.addAndGet(-n);
                finished.clear();
            }
        };
        engine.copy(
                src.ref("m"),
                dest.ref("x"),
                CopyOptions.defaults()
                        .withJobs(2)
                        .withDestinationContext(OpenContext.defaults().withTmpDir(tmp)),
                counting);
        assertLayers(plain);
        assertEquals(2, dest.sinksOpened.get());
        assertEquals(1, discarded.size(), "one attempt discarded");
        assertTrue(discarded.get(0) > 0, "it had read some of the layer: " + discarded);
        // the copy that succeeded read each gzip layer once, whole
        long read = gzipped.get(0).length + gzipped.get(1).length;
        assertEquals(read, bytes.get(), "progress of both attempts: " + reported.get());
        assertEquals(read + discarded.get(0), reported.get());
        assertEquals(Map.of(Digest.sha256(gzipped.get(0)), 1, Digest.sha256(gzipped.get(1)), 1), finished);
    }

    @Test
    void aTrailerThatLiesLargerIsCopiedAgainWithTheSizeMeasured() throws Exception {
        byte[] plain = InflatedLayerTest.plain(120_000, 6);
        int claimed = plain.length + 10;
        byte[] garbage = {'g', 'g', 'g', 'g', (byte) claimed, (byte) (claimed >>> 8), (byte) (claimed >>> 16), 0};
        image("l", List.of(plain), List.of(InflatedLayerTest.concat(InflatedLayerTest.gzip(plain), garbage)));
        copy("l");
        assertLayers(List.of(plain));
        assertEquals(2, dest.sinksOpened.get());
    }

    @Test
    void anEStargzLikeLayerIsSpooledAtOnce() throws Exception {
        byte[] plain = InflatedLayerTest.plain(120_000, 7);
        image("e", List.of(plain), List.of(InflatedLayerTest.gzip(plain, new byte[0])));
        copy("e");
        assertLayers(List.of(plain));
        assertEquals(1, dest.sinksOpened.get(), "its trailer's 0 bytes were not believed: no second attempt");
    }

    @Test
    void aCorruptLayerFailsWithTheSpoolsErrorAndStoresNothing() throws Exception {
        byte[] plain = InflatedLayerTest.plain(300_000, 8);
        byte[] gzip = InflatedLayerTest.gzip(plain);
        gzip[gzip.length / 2] ^= 0x55;
        image("c", List.of(plain), List.of(gzip));
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> copy("c"));
        assertTrue(e.getMessage().contains("does not decompress"), e.getMessage());
        assertEquals(Map.of(), dest.images);
        assertTrue(dest.blobs.isEmpty());
        assertEquals(1, dest.sinksOpened.get(), "a corrupt layer is not a size to measure: no second attempt");
        assertEquals(0, filesIn(tmp));
    }

    @Test
    void aLayerThatIsNotItsDiffIdFailsWithTheSpoolsErrorAndStoresNothing() throws Exception {
        byte[] plain = InflatedLayerTest.plain(300_000, 9);
        byte[] other = plain.clone();
        other[7] ^= 1;
        image("d", List.of(plain), List.of(InflatedLayerTest.gzip(other)));
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> copy("d"));
        assertTrue(e.getMessage().contains("but the config's diffID is " + Digest.sha256(plain)), e.getMessage());
        assertTrue(dest.images.isEmpty());
        assertEquals(1, dest.sinksOpened.get());
    }

    @Test
    void aLayerNotInAFileIsStillSpooled() throws Exception {
        src.blobFiles = null;
        List<byte[]> plain = List.of(InflatedLayerTest.plain(100_000, 10));
        image("s", plain, List.of(InflatedLayerTest.gzip(plain.get(0))));
        List<Long> spooledMeanwhile = new ArrayList<>();
        dest.onPutBlob = blob -> spooledMeanwhile.add(filesIn(tmp));
        copy("s");
        assertLayers(plain);
        assertTrue(spooledMeanwhile.contains(1L), "the layer's spool was there as it was stored: " + spooledMeanwhile);
    }
}
