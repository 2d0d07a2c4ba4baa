package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.build.ImageBuilder;
import dev.ferry.build.LayerBuilder;
import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyOptions;
import dev.ferry.model.Digest;
import dev.ferry.model.Platform;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.ImageSource;
import dev.ferry.testing.MemoryTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry build --from BASE}: the base's layers are checked against their diffIDs as they are copied. */
class BaseLayerCheckTest {
    @TempDir
    Path tmp;

    private static final ImageBuilder.Options OPTIONS = new ImageBuilder.Options(
            List.of(), List.of("/bin/sh"), Map.of(), Map.of(), null, null, Platform.current(), Instant.EPOCH);

    private LayerBuilder.Layer newLayer() throws Exception {
        Path context = tmp.resolve("context");
        Files.createDirectories(context);
        Files.writeString(context.resolve("hello"), "hello\n");
        return LayerBuilder.build(context, 0, 0, Instant.EPOCH, tmp, w -> {});
    }

    private static byte[] base() throws Exception {
        return new TestImage.Tar()
                .dir("etc", 0755)
                .file("etc/hostname", 0644, "ferry")
                .bytes();
    }

    private void copy(TestImage base, long limit, MemoryTransport dest) throws Exception {
        LayerBuilder.Layer layer = newLayer();
        try (ImageSource built = ImageBuilder.build("context", base, base.inspect(), layer, OPTIONS, limit)) {
            new CopyEngine().copy(built, dest.ref("built"), CopyOptions.defaults(), CopyListener.NONE);
        } finally {
            Files.deleteIfExists(layer.file());
        }
    }

    @Test
    void aBaseLayerThatIsItsDiffIdLands() throws Exception {
        MemoryTransport dest = new MemoryTransport();
        copy(new TestImage(tmp.resolve("good"), List.of(base()), true, null, false), LayerLimit.DEFAULT, dest);
        assertEquals(1, dest.images.size());
    }

    @Test
    void aBaseLayerThatIsNotItsDiffIdNeverLands() throws Exception {
        Digest wrong = Digest.sha256("not this".getBytes(StandardCharsets.UTF_8));
        for (boolean gzip : new boolean[] {true, false}) {
            for (boolean asFiles : new boolean[] {true, false}) {
                MemoryTransport dest = new MemoryTransport();
                TestImage base = new TestImage(
                        tmp.resolve("bad" + gzip + asFiles), List.of(base()), gzip, List.of(wrong), asFiles);
                CorruptImageException e =
                        assertThrows(CorruptImageException.class, () -> copy(base, LayerLimit.DEFAULT, dest));
                assertTrue(e.getMessage().contains("diffid mismatch: layer 1"), e.getMessage());
                assertTrue(e.getMessage().contains(wrong.toString()), e.getMessage());
                assertEquals(0, dest.images.size());
                Digest layer = base.inspect().image().layers().get(0).digest();
                assertTrue(!dest.blobs.containsKey(layer), "the base layer was not stored");
            }
        }
    }

    @Test
    void aBaseWhoseConfigListsAnotherNumberOfDiffIdsIsRefused() throws Exception {
        TestImage base = new TestImage(
                tmp.resolve("count"), List.of(base(), base()), true, List.of(Digest.sha256(base())), false);
        LayerBuilder.Layer layer = newLayer();
        try {
            CorruptImageException e = assertThrows(
                    CorruptImageException.class,
                    () -> ImageBuilder.build("context", base, base.inspect(), layer, OPTIONS, LayerLimit.DEFAULT));
            assertTrue(e.getMessage().contains("has 2 layers but its config lists 1 diffIDs"), e.getMessage());
        } finally {
            Files.deleteIfExists(layer.file());
        }
    }

    @Test
    void aBaseLayerPastTheLimitNeverLands() throws Exception {
        MemoryTransport dest = new MemoryTransport();
        TestImage base = new TestImage(tmp.resolve("big"), List.of(base()), true, null, false);
        assertThrows(LayerTooLargeException.class, () -> copy(base, 1024, dest));
        assertEquals(0, dest.images.size());
    }
}
