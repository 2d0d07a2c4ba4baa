package dev.ferry.transport.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.build.ImageBuilder;
import dev.ferry.build.LayerBuilder;
import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyOptions;
import dev.ferry.engine.ImageInspector;
import dev.ferry.model.Descriptor;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.model.Platform;
import dev.ferry.rootfs.Flattener;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flattening layers kept in a layout: an uncompressed layer's header pass is not hashed (the second pass verifies
 * every byte), and a compressed base layer is inflated once, through a temporary tar that never outlives the call.
 */
class FlattenFromLayoutTest {
    @TempDir
    Path tmp;

    private final OciTransport oci = new OciTransport();

    /** A one-layer image of a small tree, gzip (as built) or uncompressed, in a layout; returns its reference. */
    private ImageReference image(String name, Compression compression) throws Exception {
        Path context = tmp.resolve("context");
        if (!Files.exists(context)) {
            Files.createDirectories(context.resolve("etc/conf.d"));
            Files.writeString(context.resolve("etc/hostname"), "ferry\n");
            Files.writeString(context.resolve("etc/conf.d/big"), "x".repeat(300_000));
            Files.createSymbolicLink(context.resolve("etc/link"), Path.of("hostname"));
        }
        LayerBuilder.Layer layer = LayerBuilder.build(context, 0, 0, Instant.EPOCH, tmp, w -> {});
        ImageReference to = oci.parse(tmp.resolve(name) + ":t");
        try (ImageSource built = ImageBuilder.build(
                "context",
                null,
                null,
                layer,
                new ImageBuilder.Options(
                        List.of(),
                        List.of("/bin/sh"),
                        Map.of(),
                        Map.of(),
                        null,
                        null,
                        Platform.current(),
                        Instant.EPOCH))) {
            new CopyEngine().copy(built, to, CopyOptions.defaults().withCompression(compression), CopyListener.NONE);
        } finally {
            Files.deleteIfExists(layer.file());
        }
        return to;
    }

    private Map<String, String> flatten(ImageReference ref, Path tmpDir) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (ImageSource source = ref.openSource(OpenContext.defaults())) {
            InspectedImage image = new ImageInspector().inspect(source, Platform.current());
            Flattener.flatten(
                    source,
                    image,
                    (entry, content) -> entries.put(
                            entry.getName(),
                            content == null ? entry.getLinkName() : Integer.toString(content.readAllBytes().length)),
                    tmpDir);
        }
        return entries;
    }

    private Path layerFile(ImageReference ref) throws IOException {
        try (ImageSource source = ref.openSource(OpenContext.defaults())) {
            Descriptor layer = new ImageInspector()
                    .inspect(source, Platform.current())
                    .image()
                    .layers()
                    .get(0);
            return tmp.resolve(ref.displayName().replaceFirst("^oci:", "").replaceFirst(":t$", ""))
                    .resolve(LayoutFiles.blobPath(layer.digest()));
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        }
    }

    @Test
    void gzipAndUncompressedLayersFlattenAlikeAndTheTemporaryTarIsGone() throws Exception {
        Path scratch = Files.createDirectory(tmp.resolve("scratch"));
        Map<String, String> fromGzip = flatten(image("gz", Compression.GZIP), scratch);
        Map<String, String> fromTar = flatten(image("plain", Compression.NONE), scratch);
        assertEquals(fromGzip, fromTar);
        assertEquals("300000", fromTar.get("etc/conf.d/big"));
        assertEquals("hostname", fromTar.get("etc/link"));
        assertEquals(List.of(), files(scratch));
    }

    @Test
    void aCorruptUncompressedLayerFailsThoughItsHeaderPassIsNotHashed() throws Exception {
        ImageReference ref = image("plain", Compression.NONE);
        Path layer = layerFile(ref);
        byte[] bytes = Files.readAllBytes(layer);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("xxxxxxxx") + 1000;
        bytes[at] = 'y'; // same size, one byte of content changed
        Files.write(layer, bytes);
        assertThrows(DigestMismatchException.class, () -> flatten(ref, null));
    }

    @Test
    void aCorruptGzipBaseFailsAndLeavesNoTemporaryTar() throws Exception {
        ImageReference ref = image("gz", Compression.GZIP);
        Path layer = layerFile(ref);
        byte[] bytes = Files.readAllBytes(layer);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(layer, bytes);
        Path scratch = Files.createDirectory(tmp.resolve("scratch"));
        IOException e = assertThrows(IOException.class, () -> flatten(ref, scratch));
        assertTrue(e instanceof DigestMismatchException || e.getMessage() != null, String.valueOf(e));
        assertEquals(List.of(), files(scratch));
    }
}
