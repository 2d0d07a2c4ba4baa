package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** A layer passed through while its diffID is checked on the side. */
class DiffIdVerifierTest {
    private static byte[] tar() throws IOException {
        return new TestImage.Tar()
                .dir("etc", 0755)
                .file("etc/hostname", 0644, "ferry")
                .bytes();
    }

    private static Descriptor gzipLayer(byte[] gz) {
        return Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(gz), gz.length);
    }

    @Test
    void aGoodLayerPassesThroughUnchanged() throws Exception {
        byte[] tar = tar();
        byte[] gz = TestImage.gzip(tar);
        try (InputStream in = new DiffIdVerifier(
                new ByteArrayInputStream(gz), gzipLayer(gz), 0, Digest.sha256(tar), LayerLimit.DEFAULT)) {
            assertArrayEquals(gz, in.readAllBytes());
        }
        Descriptor plain = Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(tar), tar.length);
        try (InputStream in =
                new DiffIdVerifier(new ByteArrayInputStream(tar), plain, 0, Digest.sha256(tar), LayerLimit.DEFAULT)) {
            assertArrayEquals(tar, in.readAllBytes());
        }
    }

    @Test
    void aCheckThatBreaksWithARuntimeExceptionFailsTheEndNeverPassesIt() throws Exception {
        byte[] tar = tar();
        byte[] gz = TestImage.gzip(tar);
        // a bug or an Error on the checking thread (a native library's UnsatisfiedLinkError, say): the diffID
        // was never checked, so the layer's end must not be reported
        try (InputStream in = new DiffIdVerifier(
                new ByteArrayInputStream(gz), gzipLayer(gz), 0, Digest.sha256(tar), LayerLimit.DEFAULT, (piped, l) -> {
                    throw new IllegalStateException("broken decompressor");
                })) {
            FerryException e = assertThrows(FerryException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("broken decompressor"), e.getMessage());
        }
    }

    @Test
    void theEndOfALayerThatIsNotItsDiffIdIsAnError() throws Exception {
        byte[] tar = tar();
        byte[] gz = TestImage.gzip(tar);
        Digest wrong = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        try (InputStream in =
                new DiffIdVerifier(new ByteArrayInputStream(gz), gzipLayer(gz), 2, wrong, LayerLimit.DEFAULT)) {
            in.readNBytes(gz.length - 1); // all but the last byte: no verdict yet
            CorruptImageException e = assertThrows(CorruptImageException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("diffid mismatch: layer 3"), e.getMessage());
            assertTrue(e.getMessage().contains(wrong.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(Digest.sha256(tar).toString()), e.getMessage());
        }
    }

    @Test
    void aBlobThatIsNotItsDigestIsReportedAsSuch() throws Exception {
        byte[] tar = tar();
        byte[] gz = TestImage.gzip(tar);
        Descriptor layer = gzipLayer(gz);
        gz[gz.length / 2] ^= 0x55;
        try (InputStream in =
                new DiffIdVerifier(new ByteArrayInputStream(gz), layer, 0, Digest.sha256(tar), LayerLimit.DEFAULT)) {
            assertThrows(DigestMismatchException.class, in::readAllBytes);
        }
    }

    @Test
    void aBombFailsOnTheLimit() throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(raw)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                gz.write(zeros);
            }
        }
        byte[] bomb = raw.toByteArray(); // 256 MiB of zeros in about 250 KiB
        Digest someDiffId = Digest.sha256(new byte[0]);
        try (InputStream in =
                new DiffIdVerifier(new ByteArrayInputStream(bomb), gzipLayer(bomb), 0, someDiffId, 1 << 20)) {
            LayerTooLargeException e = assertThrows(LayerTooLargeException.class, () -> {
                byte[] buf = new byte[1024];
                while (in.read(buf) >= 0) {
                    Thread.onSpinWait();
                }
            });
            assertTrue(e.getMessage().contains("--max-layer-size 1M"), e.getMessage());
        }
    }
}
