package dev.ferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Descriptor;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.Platform;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.OperationNotSupportedException;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.testing.MemoryTransport;
import dev.ferry.testing.TestImages;
import java.util.List;
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
            assertTrue(java.util.Arrays.equals(src.blobs.get(blob.digest()), dest.blobs.get(blob.digest())));
        }
    }

    @Test
    void skipsBlobsTheDestinationHas() throws Exception {
        TestImages.image(src, "a", 3, 1000, 1);
        engine.copy(src.ref("a"), dest.ref("b"), CopyOptions.defaults(), CopyListener.NONE);
        dest.putBlobCalls = 0;
        CopyResult again = engine.copy(src.ref("a"), dest.ref("c"), CopyOptions.defaults(), CopyListener.NONE);
        assertEquals(0, again.blobsCopied());
        assertEquals(4, again.blobsSkipped());
        assertEquals(0, dest.putBlobCalls);
    }

    @Test
    void oneCorruptByteFailsTheCopyAndLeavesNoTrace() throws Exception {
        ManifestBytes manifest = TestImages.image(src, "a", 3, 10_000, 1);
        Descriptor layer = ((ImageManifest) manifest.parse()).layers().get(1);
        src.blobs.get(layer.digest())[5000] ^= 1;
        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> engine.copy(src.ref("a"), dest.ref("b"), CopyOptions.defaults(), CopyListener.NONE));
        assertEquals(layer.digest(), e.expected());
        assertTrue(dest.images.isEmpty());
        assertTrue(dest.blobs.isEmpty());
    }

    @Test
    void missingBlobFails() throws Exception {
        ManifestBytes manifest = TestImages.image(src, "a", 2, 100, 1);
        src.blobs.remove(((ImageManifest) manifest.parse()).layers().get(0).digest());
        assertThrows(BlobNotFoundException.class,
                () -> engine.copy(src.ref("a"), dest.ref("b"), CopyOptions.defaults(), CopyListener.NONE));
        assertTrue(dest.images.isEmpty());
    }

    @Test
    void picksThePlatformFromAnIndex() throws Exception {
        TestImages.index(src, "multi", List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64/v8"),
                Platform.parse("linux/arm/v7")));
        CopyResult result = engine.copy(src.ref("multi"), dest.ref("arm"),
                CopyOptions.defaults().withPlatform(Platform.parse("linux/arm/v7")), CopyListener.NONE);
        assertEquals(MediaTypes.OCI_MANIFEST, result.mediaType());
        assertTrue(new String(dest.blobs.values().stream().filter(b -> b.length < 1000).findFirst().orElseThrow())
                .contains("\"arm\""));
        FerryException none = assertThrows(FerryException.class, () -> engine.copy(src.ref("multi"),
                dest.ref("x"), CopyOptions.defaults().withPlatform(Platform.parse("windows/amd64")),
                CopyListener.NONE));
        assertTrue(none.getMessage().contains("linux/arm/v7"), none.getMessage());
    }

    @Test
    void copiesAWholeIndexWithAll() throws Exception {
        ManifestBytes index = TestImages.index(src, "multi",
                List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64/v8")));
        CopyResult result = engine.copy(src.ref("multi"), dest.ref("all"), CopyOptions.defaults().withAllPlatforms(),
                CopyListener.NONE);
        assertEquals(index.digest(), result.manifestDigest());
        assertEquals(index, dest.images.get("all"));
        assertEquals(3, dest.manifests.size());
    }

    @Test
    void allNeedsAMultiImageSink() throws Exception {
        MemoryTransport single = new MemoryTransport(List.of(MediaTypes.OCI_MANIFEST), false);
        TestImages.index(src, "multi", List.of(Platform.parse("linux/amd64")));
        assertThrows(OperationNotSupportedException.class, () -> engine.copy(src.ref("multi"), single.ref("x"),
                CopyOptions.defaults().withAllPlatforms(), CopyListener.NONE));
    }

    @Test
    void unsupportedManifestTypeFailsBeforeAnyBlob() throws Exception {
        MemoryTransport dockerOnly = new MemoryTransport(List.of(MediaTypes.DOCKER_MANIFEST), false);
        TestImages.image(src, "a", 2, 100, 1);
        assertThrows(UnsupportedManifestException.class, () -> engine.copy(src.ref("a"), dockerOnly.ref("x"),
                CopyOptions.defaults(), CopyListener.NONE));
        assertEquals(0, dockerOnly.putBlobCalls);
        assertFalse(dockerOnly.images.containsKey("x"));
    }

    @Test
    void listenerSeesEveryByte() throws Exception {
        TestImages.image(src, "a", 2, 5000, 1);
        long[] bytes = new long[1];
        engine.copy(src.ref("a"), dest.ref("b"), CopyOptions.defaults(), new CopyListener() {
            @Override
            public void blobProgress(Descriptor blob, long n) {
                bytes[0] += n;
            }
        });
        assertTrue(bytes[0] >= 10_000);
    }
}
