package dev.ferry.transport.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyOptions;
import dev.ferry.model.Descriptor;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.GarbageCollectable;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.OpenContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** delete and gc of layouts, and what a writer running meanwhile relies on. */
class LayoutMaintenanceTest {
    private static final Path HELLO =
            Path.of("..", "examples", "hello").toAbsolutePath().normalize();
    private final OciTransport oci = new OciTransport();

    @TempDir
    Path tmp;

    private LayoutReference ref(Path dir, String name) throws Exception {
        return (LayoutReference) oci.parse(dir + ":" + name);
    }

    /** A layout holding the example image as {@code a}, then deleted: its blobs are unreachable. */
    private ManifestBytes unreachableImage(Path dir) throws Exception {
        new CopyEngine().copy(oci.parse(HELLO + ":latest"), ref(dir, "a"), CopyOptions.defaults(), CopyListener.NONE);
        ManifestBytes manifest;
        try (ImageSource source = ref(dir, "a").openSource(OpenContext.defaults())) {
            manifest = source.manifest();
        }
        assertEquals(manifest.digest(), ref(dir, "a").delete(OpenContext.defaults()));
        assertEquals(List.of(), ((ImageStore) ref(dir, "x")).list(OpenContext.defaults()));
        return manifest;
    }

    @Test
    void gcRemovesWhatNoRefReaches() throws Exception {
        Path dir = tmp.resolve("layout");
        unreachableImage(dir);
        GarbageCollectable.Result r = ref(dir, "x").collectGarbage(OpenContext.defaults());
        assertEquals(4, r.blobsRemoved()); // manifest, config, two layers
        assertEquals(0, r.blobsKept());
    }

    @Test
    void gcKeepsTheBlobsALiveWriterFoundAndItsCommitLands() throws Exception {
        Path dir = tmp.resolve("layout");
        ManifestBytes manifest = unreachableImage(dir);
        ImageManifest image = (ImageManifest) manifest.parse();
        try (ImageSink sink = ref(dir, "b").openSink(OpenContext.defaults())) {
            for (Descriptor blob : image.blobs()) {
                assertTrue(sink.hasBlob(blob)); // found in the layout: noted before it looked
            }
            GarbageCollectable.Result r = ref(dir, "x").collectGarbage(OpenContext.defaults());
            assertEquals(1, r.blobsRemoved(), "only the manifest, which the writer writes again");
            for (Descriptor blob : image.blobs()) {
                assertTrue(Files.exists(dir.resolve(LayoutFiles.blobPath(blob.digest()))));
            }
            sink.putManifest(manifest);
            sink.commit();
        }
        try (ImageSource source = ref(dir, "b").openSource(OpenContext.defaults())) {
            assertEquals(manifest.digest(), source.manifest().digest());
        }
        assertEquals(0, ref(dir, "x").collectGarbage(OpenContext.defaults()).blobsRemoved());
    }

    @Test
    void aWriterWhoseBlobWentMissingCommitsNothing() throws Exception {
        Path dir = tmp.resolve("layout");
        ManifestBytes manifest = unreachableImage(dir);
        ImageManifest image = (ImageManifest) manifest.parse();
        try (ImageSink sink = ref(dir, "b").openSink(OpenContext.defaults())) {
            for (Descriptor blob : image.blobs()) {
                assertTrue(sink.hasBlob(blob));
            }
            Files.delete(dir.resolve(LayoutFiles.blobPath(image.layers().get(0).digest()))); // another tool
            sink.putManifest(manifest);
            FerryException e = assertThrows(FerryException.class, sink::commit);
            assertTrue(e.getMessage().contains("was removed while"), e.getMessage());
        }
        assertFalse(Files.readString(dir.resolve("index.json")).contains("\"b\""));
    }

    @Test
    void archiveDeleteRewritesWithoutWhatNothingReaches() throws Exception {
        Path file = tmp.resolve("a.tar");
        OciArchiveTransport archive = new OciArchiveTransport();
        CopyEngine engine = new CopyEngine();
        engine.copy(
                oci.parse(HELLO + ":latest"), archive.parse(file + ":one"), CopyOptions.defaults(), CopyListener.NONE);
        engine.copy(
                oci.parse(HELLO + ":latest"), archive.parse(file + ":two"), CopyOptions.defaults(), CopyListener.NONE);
        ((LayoutReference) archive.parse(file + ":one")).delete(OpenContext.defaults());
        List<ImageStore> left = ((ImageStore) archive.parse(file.toString())).list(OpenContext.defaults());
        assertEquals(1, left.size());
        assertEquals("two", left.get(0).refName());
        ((LayoutReference) archive.parse(file + ":two")).delete(OpenContext.defaults());
        try (TarStore store = TarStore.open(file)) {
            assertTrue(
                    store.names().stream().noneMatch(n -> n.startsWith("blobs/sha256/")),
                    store.names().toString());
        }
    }
}
