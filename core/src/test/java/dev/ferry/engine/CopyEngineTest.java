package dev.ferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageConfig;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.ManifestFormat;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.Platform;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.OperationNotSupportedException;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.testing.MemoryTransport;
import dev.ferry.testing.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class CopyEngineTest {
    private final CopyEngine engine = new CopyEngine();
    private final MemoryTransport src = new MemoryTransport();
    private final MemoryTransport dest = new MemoryTransport();

    @Test
    void copiesEveryBlobAndTheManifestLast() throws Exception {
        ManifestBytes manifest = TestImages.image(src, "a", 3, 10_000, 1);
        CopyResult result = engine.copy(src.ref("a"), dest.ref("b"), CopyOptions.defaults(), CopyListener.NONE);
        assertEquals(manifest.digest(), result.manifestDigest());
        assertEquals(4, result.blobsCopied());
        assertEquals(manifest, dest.images.get("b"));
        for (Descriptor blob : ((ImageManifest) manifest.parse()).blobs()) {
            assertTrue(Arrays.equals(src.blobs.get(blob.digest()), dest.blobs.get(blob.digest())));
        }
    }

    @Test
    void theSourceIsToldWhenEveryLayerWillBeGzipped() throws Exception {
        TestImages.image(src, "a", 2, 1000, 1);
        for (MediaTypes.Compression compression :
                new MediaTypes.Compression[] {null, MediaTypes.Compression.GZIP, MediaTypes.Compression.NONE}) {
            List<OpenContext> seen = new ArrayList<>();
            CopyOptions options = compression == null
                    ? CopyOptions.defaults()
                    : CopyOptions.defaults().withCompression(compression);
            engine.copy(
                    context -> {
                        seen.add(context);
                        return src.ref("a").openSource(context);
                    },
                    dest.ref("b-" + compression),
                    options,
                    CopyListener.NONE);
            assertEquals(
                    compression == MediaTypes.Compression.GZIP ? Optional.of("gzip") : Optional.empty(),
                    seen.get(0).option(ImageSource.COMPRESS_HINT),
                    "compression " + compression);
        }
    }

    @Test
    void skipsBlobsTheDestinationHas() throws Exception {
        TestImages.image(src, "a", 3, 1000, 1);
        engine.copy(src.ref("a"), dest.ref("b"), CopyOptions.defaults(), CopyListener.NONE);
        dest.putBlobCalls.set(0);
        CopyResult again = engine.copy(src.ref("a"), dest.ref("c"), CopyOptions.defaults(), CopyListener.NONE);
        assertEquals(0, again.blobsCopied());
        assertEquals(4, again.blobsSkipped());
        assertEquals(0, dest.putBlobCalls.get());
    }

    @Test
    void oneCorruptByteFailsTheCopyAndLeavesNoTrace() throws Exception {
        ManifestBytes manifest = TestImages.image(src, "a", 3, 10_000, 1);
        Descriptor layer = ((ImageManifest) manifest.parse()).layers().get(1);
        src.blobs.get(layer.digest())[5000] ^= 1;
        DigestMismatchException e = assertThrows(
                DigestMismatchException.class,
                () -> engine.copy(src.ref("a"), dest.ref("b"), CopyOptions.defaults(), CopyListener.NONE));
        assertEquals(layer.digest(), e.expected());
        assertTrue(dest.images.isEmpty());
        assertTrue(dest.blobs.isEmpty());
    }

    @Test
    void parallelCopiesGiveTheSameImageWhateverTheJobs() throws Exception {
        ManifestBytes manifest = TestImages.image(src, "a", 12, 20_000, 3);
        for (int jobs : new int[] {1, 3, 16}) {
            MemoryTransport to = new MemoryTransport();
            CopyResult result = engine.copy(
                    src.ref("a"), to.ref("b"), CopyOptions.defaults().withJobs(jobs), CopyListener.NONE);
            assertEquals(13, result.blobsCopied());
            assertEquals(manifest, to.images.get("b"));
            for (Descriptor blob : ((ImageManifest) manifest.parse()).blobs()) {
                assertTrue(Arrays.equals(src.blobs.get(blob.digest()), to.blobs.get(blob.digest())));
            }
        }
    }

    @Test
    void blobsAreCopiedLargestFirst() throws Exception {
        // the copy lasts at least as long as its largest blob: that one starts first
        int[] sizes = {1000, 50_000, 7000, 20_000};
        List<Descriptor> layers = new ArrayList<>();
        Random random = new Random(7);
        StringBuilder diffIds = new StringBuilder();
        for (int size : sizes) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            Digest digest = Digest.sha256(bytes);
            src.blobs.put(digest, bytes);
            layers.add(Descriptor.of(MediaTypes.OCI_LAYER, digest, size));
            diffIds.append(diffIds.length() == 0 ? "" : ",")
                    .append('"')
                    .append(digest)
                    .append('"');
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                        + diffIds + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        Descriptor configDescriptor = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length);
        src.blobs.put(configDescriptor.digest(), config);
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":" + descriptorJson(configDescriptor) + ",\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            json.append(i == 0 ? "" : ",").append(descriptorJson(layers.get(i)));
        }
        byte[] manifest = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        src.images.put("a", ManifestBytes.of(manifest, MediaTypes.OCI_MANIFEST));
        List<Long> order = new ArrayList<>();
        dest.onPutBlob = blob -> order.add(blob.size());
        engine.copy(src.ref("a"), dest.ref("b"), CopyOptions.defaults().withJobs(1), CopyListener.NONE);
        assertEquals(List.of(50_000L, 20_000L, 7000L, 1000L, (long) config.length), order);
    }

    private static String descriptorJson(Descriptor d) {
        return "{\"mediaType\":\"" + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size() + "}";
    }

    @Test
    void aFailingParallelCopyStopsTheOthersAndCommitsNothing() throws Exception {
        ManifestBytes manifest = TestImages.image(src, "a", 8, 200_000, 2);
        Descriptor layer = ((ImageManifest) manifest.parse()).layers().get(6);
        src.blobs.get(layer.digest())[199_000] ^= 1;
        DigestMismatchException e = assertThrows(
                DigestMismatchException.class,
                () -> engine.copy(
                        src.ref("a"), dest.ref("b"), CopyOptions.defaults().withJobs(4), CopyListener.NONE));
        assertEquals(layer.digest(), e.expected());
        assertTrue(dest.images.isEmpty());
        assertTrue(dest.blobs.isEmpty());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("ferry-copy")) {
                t.join(5_000); // the pool has terminated; its threads are only finishing their exit
                assertFalse(t.isAlive(), "no copy thread outlives the copy");
            }
        }
    }

    /**
     * A sink broken by one blob fails the blobs that come after it with an error caused by that one, which may
     * complete first, and a blob submitted earlier may be one of them: the engine reports what broke the sink, as
     * it was thrown, not the first failed task in submission order (which reported "an earlier blob failed").
     */
    @Test
    void aParallelCopyReportsTheFailureThatCausedTheOthers() throws Exception {
        ManifestBytes manifest = TestImages.image(src, "a", 4, 1000, 3);
        List<Descriptor> layers = ((ImageManifest) manifest.parse()).layers();
        CountDownLatch broken = new CountDownLatch(1);
        DigestMismatchException cause =
                new DigestMismatchException(layers.get(3).digest(), null, 1, 2);
        dest.onPutBlob = blob -> {
            if (blob.equals(layers.get(3))) {
                broken.countDown();
                throw cause;
            }
            if (!blob.equals(layers.get(0))) {
                try {
                    broken.await();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
                throw new FerryException("an earlier blob failed", "run the copy again", cause);
            }
        };
        IOException e = assertThrows(
                IOException.class,
                () -> engine.copy(
                        src.ref("a"), dest.ref("b"), CopyOptions.defaults().withJobs(8), CopyListener.NONE));
        assertSame(cause, e);
        assertTrue(dest.images.isEmpty());
    }

    @Test
    void missingBlobFails() throws Exception {
        ManifestBytes manifest = TestImages.image(src, "a", 2, 100, 1);
        src.blobs.remove(((ImageManifest) manifest.parse()).layers().get(0).digest());
        assertThrows(
                BlobNotFoundException.class,
                () -> engine.copy(src.ref("a"), dest.ref("b"), CopyOptions.defaults(), CopyListener.NONE));
        assertTrue(dest.images.isEmpty());
    }

    @Test
    void picksThePlatformFromAnIndex() throws Exception {
        TestImages.index(
                src,
                "multi",
                List.of(
                        Platform.parse("linux/amd64"),
                        Platform.parse("linux/arm64/v8"),
                        Platform.parse("linux/arm/v7")));
        CopyResult result = engine.copy(
                src.ref("multi"),
                dest.ref("arm"),
                CopyOptions.defaults().withPlatform(Platform.parse("linux/arm/v7")),
                CopyListener.NONE);
        assertEquals(MediaTypes.OCI_MANIFEST, result.mediaType());
        assertTrue(new String(dest.blobs.values().stream()
                        .filter(b -> b.length < 1000)
                        .findFirst()
                        .orElseThrow())
                .contains("\"arm\""));
        FerryException none = assertThrows(
                FerryException.class,
                () -> engine.copy(
                        src.ref("multi"),
                        dest.ref("x"),
                        CopyOptions.defaults().withPlatform(Platform.parse("windows/amd64")),
                        CopyListener.NONE));
        assertTrue(none.getMessage().contains("linux/arm/v7"), none.getMessage());
    }

    @Test
    void copiesAWholeIndexWithAll() throws Exception {
        ManifestBytes index = TestImages.index(
                src, "multi", List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64/v8")));
        CopyResult result = engine.copy(
                src.ref("multi"), dest.ref("all"), CopyOptions.defaults().withAllPlatforms(), CopyListener.NONE);
        assertEquals(index.digest(), result.manifestDigest());
        assertEquals(index, dest.images.get("all"));
        assertEquals(3, dest.manifests.size());
    }

    @Test
    void allNeedsAMultiImageSink() throws Exception {
        MemoryTransport single = new MemoryTransport(List.of(MediaTypes.OCI_MANIFEST), false);
        TestImages.index(src, "multi", List.of(Platform.parse("linux/amd64")));
        assertThrows(
                OperationNotSupportedException.class,
                () -> engine.copy(
                        src.ref("multi"),
                        single.ref("x"),
                        CopyOptions.defaults().withAllPlatforms(),
                        CopyListener.NONE));
    }

    @Test
    void unsupportedManifestTypeFailsBeforeAnyBlob() throws Exception {
        MemoryTransport odd = new MemoryTransport(List.of("application/x-something-else"), false);
        TestImages.image(src, "a", 2, 100, 1);
        assertThrows(
                UnsupportedManifestException.class,
                () -> engine.copy(src.ref("a"), odd.ref("x"), CopyOptions.defaults(), CopyListener.NONE));
        assertEquals(0, odd.putBlobCalls.get());
        assertFalse(odd.images.containsKey("x"));
    }

    @Test
    void aSinkThatTakesOnlyDockerGetsAConversion() throws Exception {
        MemoryTransport dockerOnly = new MemoryTransport(List.of(MediaTypes.DOCKER_MANIFEST), false);
        ManifestBytes oci = TestImages.image(src, "a", 2, 1000, 1);
        List<String> notes = new ArrayList<>();
        CopyResult result = engine.copy(src.ref("a"), dockerOnly.ref("x"), CopyOptions.defaults(), new CopyListener() {
            @Override
            public void note(String message) {
                notes.add(message);
            }
        });
        assertEquals(MediaTypes.DOCKER_MANIFEST, result.mediaType());
        ImageManifest docker = (ImageManifest) dockerOnly.images.get("x").parse();
        assertEquals(MediaTypes.DOCKER_CONFIG, docker.config().mediaType());
        ImageManifest original = (ImageManifest) oci.parse();
        for (int i = 0; i < 2; i++) {
            assertEquals(MediaTypes.DOCKER_LAYER, docker.layers().get(i).mediaType());
            assertEquals(
                    original.layers().get(i).digest(), docker.layers().get(i).digest());
        }
        ImageConfig config =
                ImageConfig.parse(dockerOnly.blobs.get(docker.config().digest()));
        ImageConfig before = ImageConfig.parse(src.blobs.get(original.config().digest()));
        assertEquals(before.diffIds(), config.diffIds());
        assertEquals(before.cmd(), config.cmd());
        assertEquals(before.env(), config.env());
        assertTrue(notes.get(0).contains("v2s2"), notes.toString());
        // And back to OCI: the same config fields, the same layers.
        MemoryTransport back = new MemoryTransport(List.of(MediaTypes.OCI_MANIFEST), false);
        engine.copy(dockerOnly.ref("x"), back.ref("y"), CopyOptions.defaults(), CopyListener.NONE);
        ImageManifest again = (ImageManifest) back.images.get("y").parse();
        assertEquals(original.layers(), again.layers());
        assertEquals(
                before.cmd(),
                ImageConfig.parse(back.blobs.get(again.config().digest())).cmd());
    }

    @Test
    void recompressionKeepsDiffIdsAndRoundTrips() throws Exception {
        ManifestBytes original = TestImages.image(src, "a", 2, 100_000, 3);
        for (MediaTypes.Compression c : List.of(MediaTypes.Compression.GZIP, MediaTypes.Compression.ZSTD)) {
            MemoryTransport compressed = new MemoryTransport();
            engine.copy(
                    src.ref("a"), compressed.ref("c"), CopyOptions.defaults().withCompression(c), CopyListener.NONE);
            ImageManifest m = (ImageManifest) compressed.images.get("c").parse();
            assertEquals(c, MediaTypes.layerCompression(m.layers().get(0).mediaType()));
            assertTrue(m.layers().get(0).size() > 0);
            MemoryTransport plain = new MemoryTransport();
            engine.copy(
                    compressed.ref("c"),
                    plain.ref("p"),
                    CopyOptions.defaults().withCompression(MediaTypes.Compression.NONE),
                    CopyListener.NONE);
            assertEquals(original.digest(), plain.images.get("p").digest(), "back to the same bytes");
        }
    }

    @Test
    void aLayerThatDoesNotMatchItsDiffIdIsCaughtWhileConverting() throws Exception {
        ManifestBytes original = TestImages.image(src, "a", 1, 1000, 3);
        MemoryTransport compressed = new MemoryTransport();
        engine.copy(
                src.ref("a"),
                compressed.ref("c"),
                CopyOptions.defaults().withCompression(MediaTypes.Compression.GZIP),
                CopyListener.NONE);
        // Swap the config for one whose diffID is wrong, keeping the manifest consistent with it.
        ImageManifest m = (ImageManifest) compressed.images.get("c").parse();
        String config = new String(compressed.blobs.get(m.config().digest()), StandardCharsets.UTF_8)
                .replace(
                        ((ImageManifest) original.parse())
                                .layers()
                                .get(0)
                                .digest()
                                .hex(),
                        "0".repeat(64));
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(configBytes);
        compressed.blobs.put(configDigest, configBytes);
        String manifest = new String(compressed.images.get("c").bytes(), StandardCharsets.UTF_8)
                .replace(m.config().digest().toString(), configDigest.toString());
        compressed.images.put("bad", ManifestBytes.of(manifest.getBytes(StandardCharsets.UTF_8), null));
        CorruptImageException e = assertThrows(
                CorruptImageException.class,
                () -> engine.copy(
                        compressed.ref("bad"),
                        dest.ref("x"),
                        CopyOptions.defaults().withCompression(MediaTypes.Compression.NONE),
                        CopyListener.NONE));
        assertTrue(e.getMessage().contains("diffID"), e.getMessage());
        assertTrue(dest.images.isEmpty());
    }

    @Test
    void aMalformedConfigIsOneErrorWhetherInspectedOrConverted() throws Exception {
        ManifestBytes original = TestImages.image(src, "a", 1, 1000, 3);
        ImageManifest m = (ImageManifest) original.parse();
        // a config of the same size (padded with JSON's white space), so only its digest changes in the manifest
        String malformed = "[\"not an object\"]";
        byte[] configBytes =
                (malformed + " ".repeat((int) m.config().size() - malformed.length())).getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(configBytes);
        src.blobs.put(configDigest, configBytes);
        String manifest = new String(original.bytes(), StandardCharsets.UTF_8)
                .replace(m.config().digest().toString(), configDigest.toString());
        src.images.put("bad", ManifestBytes.of(manifest.getBytes(StandardCharsets.UTF_8), null));
        String expected = "config " + configDigest + " of " + src.ref("bad").displayName() + " is malformed: ";
        try (ImageSource source = src.ref("bad").openSource(OpenContext.defaults())) {
            CorruptImageException inspected = assertThrows(
                    CorruptImageException.class, () -> new ImageInspector().inspect(source, Platform.current()));
            assertTrue(inspected.getMessage().startsWith(expected), inspected.getMessage());
        }
        CorruptImageException converted = assertThrows(
                CorruptImageException.class,
                () -> engine.copy(
                        src.ref("bad"),
                        dest.ref("x"),
                        CopyOptions.defaults().withCompression(MediaTypes.Compression.GZIP),
                        CopyListener.NONE));
        assertTrue(converted.getMessage().startsWith(expected), converted.getMessage());
        assertTrue(dest.images.isEmpty());
    }

    /**
     * Layers converted for the sink are stored as each is ready, not converted one after the other: a sink that
     * streams (a daemon's load) takes one while the next converts. Here the first layer cannot be read until the
     * second is stored, which only a copy converting them at once gets past.
     */
    @Test
    void convertedLayersAreStoredAsEachIsReadyNotOneAfterTheOther() throws Exception {
        ManifestBytes original = TestImages.image(src, "a", 2, 100_000, 3);
        MemoryTransport compressed = new MemoryTransport();
        engine.copy(
                src.ref("a"),
                compressed.ref("c"),
                CopyOptions.defaults().withCompression(MediaTypes.Compression.GZIP),
                CopyListener.NONE);
        Descriptor firstGzip =
                ((ImageManifest) compressed.images.get("c").parse()).layers().get(0);
        Digest secondPlain = ((ImageManifest) original.parse()).layers().get(1).digest();
        CountDownLatch secondStored = new CountDownLatch(1);
        compressed.onBlob = blob -> {
            try {
                if (blob.digest().equals(firstGzip.digest()) && !secondStored.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("layer 1 waited for layer 2, which was never converted meanwhile");
                }
            } catch (InterruptedException e) {
                throw new InterruptedIOException();
            }
        };
        dest.onPutBlob = blob -> {
            if (blob.digest().equals(secondPlain)) {
                secondStored.countDown();
            }
        };
        engine.copy(
                compressed.ref("c"),
                dest.ref("x"),
                CopyOptions.defaults()
                        .withCompression(MediaTypes.Compression.NONE)
                        .withJobs(2),
                CopyListener.NONE);
        assertEquals(original.digest(), dest.images.get("x").digest(), "the same image, converted back");
    }

    @Test
    void anOciConfigIsKeptAsItIsInV2s2AndADockerOneLosesWhatOnlyDockerHas() throws Exception {
        TestImages.image(src, "a", 2, 100, 4);
        ImageManifest oci = (ImageManifest) src.images.get("a").parse();
        engine.copy(
                src.ref("a"),
                dest.ref("v2"),
                CopyOptions.defaults().withFormat(ManifestFormat.V2S2),
                CopyListener.NONE);
        ImageManifest v2 = (ImageManifest) dest.images.get("v2").parse();
        assertEquals(MediaTypes.DOCKER_MANIFEST, v2.mediaType());
        assertEquals(MediaTypes.DOCKER_CONFIG, v2.config().mediaType());
        // the same bytes: the image ID (the config's digest) is the source's, as skopeo keeps it
        assertEquals(oci.config().digest(), v2.config().digest());
        assertEquals(oci.config().size(), v2.config().size());
        // Docker to OCI: what only Docker has is dropped, what both have is kept
        byte[] docker = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"container_config\":{\"Cmd\":[\"x\"]},"
                        + "\"docker_version\":\"20.10\",\"config\":{\"Cmd\":[\"/bin/app\"],\"Hostname\":\"h\"},"
                        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                        + oci.layers().get(0).digest() + "\",\""
                        + oci.layers().get(1).digest() + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        Digest dockerConfig = Digest.sha256(docker);
        dest.blobs.put(dockerConfig, docker);
        String manifest = new String(dest.images.get("v2").bytes(), StandardCharsets.UTF_8)
                .replace(v2.config().digest().toString(), dockerConfig.toString())
                .replaceFirst("\"size\":" + v2.config().size() + "(?!\\d)", "\"size\":" + docker.length);
        dest.images.put("d", ManifestBytes.of(manifest.getBytes(StandardCharsets.UTF_8), MediaTypes.DOCKER_MANIFEST));
        MemoryTransport layout = new MemoryTransport(List.of(MediaTypes.OCI_MANIFEST), false);
        engine.copy(dest.ref("d"), layout.ref("o"), CopyOptions.defaults(), CopyListener.NONE);
        ImageManifest back = (ImageManifest) layout.images.get("o").parse();
        assertEquals(MediaTypes.OCI_CONFIG, back.config().mediaType());
        String config = new String(layout.blobs.get(back.config().digest()), StandardCharsets.UTF_8);
        assertFalse(
                config.contains("container_config") || config.contains("docker_version") || config.contains("Hostname"),
                config);
        assertTrue(config.contains("\"Cmd\":[\"/bin/app\"]"), config);
    }

    @Test
    void zstdCannotBeDescribedInV2s2() throws Exception {
        TestImages.image(src, "a", 1, 100, 3);
        assertThrows(
                FerryException.class,
                () -> engine.copy(
                        src.ref("a"),
                        dest.ref("x"),
                        CopyOptions.defaults()
                                .withFormat(ManifestFormat.V2S2)
                                .withCompression(MediaTypes.Compression.ZSTD),
                        CopyListener.NONE));
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void dockerSchema1IsReadWithHistoryReversedAndDiffIdsComputed() throws Exception {
        byte[] base = new byte[50_000];
        new Random(1).nextBytes(base);
        byte[] top = "top layer content".getBytes(StandardCharsets.UTF_8);
        byte[] baseGz = gzip(base);
        byte[] emptyGz = gzip(new byte[1024]);
        byte[] topGz = gzip(top);
        Digest b = Digest.sha256(baseGz);
        Digest e = Digest.sha256(emptyGz);
        Digest t = Digest.sha256(topGz);
        src.blobs.put(b, baseGz);
        src.blobs.put(e, emptyGz);
        src.blobs.put(t, topGz);
        String v1Top = "{\\\"id\\\":\\\"3\\\",\\\"parent\\\":\\\"2\\\",\\\"created\\\":\\\"2020-01-03T00:00:00Z\\\","
                + "\\\"architecture\\\":\\\"amd64\\\",\\\"os\\\":\\\"linux\\\",\\\"config\\\":{\\\"Cmd\\\":[\\\"/bin/app\\\"],"
                + "\\\"Env\\\":[\\\"X=1\\\"]},\\\"container_config\\\":{\\\"Cmd\\\":[\\\"/bin/sh\\\",\\\"-c\\\",\\\"add top\\\"]}}";
        String v1Empty = "{\\\"id\\\":\\\"2\\\",\\\"parent\\\":\\\"1\\\",\\\"created\\\":\\\"2020-01-02T00:00:00Z\\\","
                + "\\\"throwaway\\\":true,\\\"container_config\\\":{\\\"Cmd\\\":[\\\"ENV X=1\\\"]}}";
        String v1Base = "{\\\"id\\\":\\\"1\\\",\\\"created\\\":\\\"2020-01-01T00:00:00Z\\\","
                + "\\\"container_config\\\":{\\\"Cmd\\\":[\\\"ADD base\\\"]}}";
        String manifest = "{\"schemaVersion\":1,\"name\":\"x/app\",\"tag\":\"1\",\"architecture\":\"amd64\","
                + "\"fsLayers\":[{\"blobSum\":\"" + t + "\"},{\"blobSum\":\"" + e + "\"},{\"blobSum\":\"" + b
                + "\"}],\"history\":[{\"v1Compatibility\":\"" + v1Top + "\"},{\"v1Compatibility\":\"" + v1Empty
                + "\"},{\"v1Compatibility\":\"" + v1Base + "\"}],\"signatures\":[]}";
        src.images.put(
                "v1",
                ManifestBytes.of(manifest.getBytes(StandardCharsets.UTF_8), MediaTypes.DOCKER_MANIFEST_V1_SIGNED));
        MemoryTransport oci = new MemoryTransport(List.of(MediaTypes.OCI_MANIFEST), false);
        engine.copy(src.ref("v1"), oci.ref("x"), CopyOptions.defaults(), CopyListener.NONE);
        ImageManifest converted = (ImageManifest) oci.images.get("x").parse();
        assertEquals(MediaTypes.OCI_MANIFEST, converted.mediaType());
        assertEquals(
                List.of(b, t),
                converted.layers().stream().map(Descriptor::digest).toList());
        assertEquals(MediaTypes.OCI_LAYER_GZIP, converted.layers().get(0).mediaType());
        ImageConfig config = ImageConfig.parse(oci.blobs.get(converted.config().digest()));
        assertEquals(List.of(Digest.sha256(base), Digest.sha256(top)), config.diffIds());
        assertEquals(List.of("/bin/app"), config.cmd());
        assertEquals("2020-01-03T00:00:00Z", config.created());
        assertEquals(3, config.history().size());
        assertEquals("ADD base", config.history().get(0).createdBy());
        assertTrue(config.history().get(1).emptyLayer());
        assertEquals("/bin/sh -c add top", config.history().get(2).createdBy());
        assertFalse(oci.blobs.containsKey(e), "the throwaway layer is skipped");
        // Uncompressed on request: the layer digests become the diffIDs.
        MemoryTransport plain = new MemoryTransport(List.of(MediaTypes.DOCKER_MANIFEST), false);
        engine.copy(
                src.ref("v1"),
                plain.ref("y"),
                CopyOptions.defaults().withCompression(MediaTypes.Compression.NONE),
                CopyListener.NONE);
        ImageManifest v2s2 = (ImageManifest) plain.images.get("y").parse();
        assertEquals(
                config.diffIds(), v2s2.layers().stream().map(Descriptor::digest).toList());
        assertEquals(MediaTypes.DOCKER_LAYER, v2s2.layers().get(1).mediaType());
    }

    @Test
    void listenerSeesEveryByte() throws Exception {
        TestImages.image(src, "a", 2, 5000, 1);
        AtomicLong bytes = new AtomicLong();
        engine.copy(src.ref("a"), dest.ref("b"), CopyOptions.defaults(), new CopyListener() {
            @Override
            public void blobProgress(Descriptor blob, long n) {
                bytes.addAndGet(n); // blobs stream on several threads at once
            }
        });
        assertTrue(bytes.get() >= 10_000, bytes + " bytes seen");
    }
}
