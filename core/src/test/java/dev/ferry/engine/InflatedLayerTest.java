package dev.ferry.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream that inflates a gzip layer into a sink with the size its trailer gives (with ISA-L or zlib). */
class InflatedLayerTest {
    @TempDir
    Path dir;

    static byte[] plain(int size, long seed) {
        byte[] bytes = new byte[size];
        Random random = new Random(seed);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (random.nextInt(16) + 'a'); // compressible, as a layer's files
        }
        return bytes;
    }

    static byte[] gzip(byte[]... members) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] member : members) {
            try (GZIPOutputStream gz = new GZIPOutputStream(out) {
                @Override
                public void close() throws IOException {
                    finish(); // one member each, the stream left open
                }
            }) {
                gz.write(member);
            }
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private Path file(byte[] bytes) throws IOException {
        return Files.write(Files.createTempFile(dir, "blob", ""), bytes);
    }

    private static Descriptor layer(byte[] gzip) {
        return Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(gzip), gzip.length);
    }

    private static byte[] readAll(InflatedLayer in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    @Test
    void aSingleMemberStreamsWithItsTrailersSizeAndEndsChecked() throws Exception {
        byte[] plain = plain(300_000, 1);
        byte[] gzip = gzip(plain);
        assertEquals(plain.length, InflatedLayer.trailerSize(file(gzip), gzip.length));
        try (InflatedLayer in =
                new InflatedLayer(new ByteArrayInputStream(gzip), layer(gzip), Digest.sha256(plain), plain.length)) {
            assertArrayEquals(plain, readAll(in));
            assertEquals(-1, in.measured());
        }
    }

    @Test
    void aMultiMemberGzipIsMeasuredAndFailsWithoutPassingMoreThanAnnounced() throws Exception {
        byte[] first = plain(50_000, 2);
        byte[] last = plain(200_000, 3);
        byte[] gzip = gzip(first, last);
        byte[] plain = concat(first, last);
        long announced = InflatedLayer.trailerSize(file(gzip), gzip.length);
        assertEquals(last.length, announced, "the trailer gives the last member's size only");
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        try (InflatedLayer in =
                new InflatedLayer(new ByteArrayInputStream(gzip), layer(gzip), Digest.sha256(plain), announced)) {
            FerryException e = assertThrows(FerryException.class, () -> {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    passed.write(buf, 0, n);
                }
            });
            assertTrue(e.getMessage().contains("inflates to " + plain.length + " bytes"), e.getMessage());
            assertEquals(plain.length, in.measured(), "measured whole");
            assertTrue(passed.size() <= announced + 8192, "at most one read beyond: " + passed.size());
            assertThrows(FerryException.class, in::read, "and it stays failed");
        }
    }

    @Test
    void aTrailerThatSaysMoreThanTheLayerFailsAtTheEnd() throws Exception {
        byte[] plain = plain(100_000, 4);
        // bytes after the last member that do not start another one are ignored by gzip readers: here they make
        // the last four bytes of the blob claim a size larger than the layer's
        byte[] lie = {'x', 'x', 'x', 'x', 0, 0, 0, 0};
        int claimed = plain.length + 1000;
        for (int i = 0; i < 4; i++) {
            lie[4 + i] = (byte) (claimed >>> (8 * i));
        }
        byte[] gzip = concat(gzip(plain), lie);
        long announced = InflatedLayer.trailerSize(file(gzip), gzip.length);
        assertEquals(claimed, announced);
        try (InflatedLayer in =
                new InflatedLayer(new ByteArrayInputStream(gzip), layer(gzip), Digest.sha256(plain), announced)) {
            assertThrows(FerryException.class, () -> readAll(in));
            assertEquals(plain.length, in.measured());
        }
    }

    @Test
    void aCorruptLayerFailsAsCorruptNotAsASizeToMeasure() throws Exception {
        byte[] plain = plain(300_000, 5);
        byte[] good = gzip(plain);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x55;
        // the manifest names the corrupt blob (so the blob's digest passes): inflating it fails
        try (InflatedLayer in =
                new InflatedLayer(new ByteArrayInputStream(bad), layer(bad), Digest.sha256(plain), plain.length)) {
            CorruptImageException e = assertThrows(CorruptImageException.class, () -> readAll(in));
            assertTrue(e.getMessage().contains("does not decompress"), e.getMessage());
            assertEquals(-1, in.measured(), "not a size to measure");
        }
        // the manifest names the good blob, the file holds the corrupt one: the blob, read ahead, may fail its
        // digest before the inflater is made
        IOException e = assertThrows(IOException.class, () -> {
            try (InflatedLayer in =
                    new InflatedLayer(new ByteArrayInputStream(bad), layer(good), Digest.sha256(plain), plain.length)) {
                try {
                    readAll(in);
                } finally {
                    assertEquals(-1, in.measured(), "not a size to measure");
                }
            }
        });
        assertTrue(e instanceof CorruptImageException || e instanceof DigestMismatchException, e.toString());
    }

    @Test
    void anInterruptedCopyClosesOnlyOnceTheLayersThreadsEnded() throws Exception {
        // another blob failed: the scheduler interrupts this copy mid-layer, and it closes the layer; the inflater's
        // native memory is freed then, so its thread must have ended, as the reading thread must before the blob
        // is closed
        byte[] plain = plain(3_000_000, 11);
        byte[] gzip = gzip(plain);
        AtomicReference<Thread> reader = new AtomicReference<>();
        InputStream slow = new FilterInputStream(new ByteArrayInputStream(gzip)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                reader.set(Thread.currentThread());
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.read(b, off, Math.min(len, 4096));
            }
        };
        InflatedLayer in = new InflatedLayer(slow, layer(gzip), Digest.sha256(plain), plain.length);
        try {
            assertEquals(100, in.readNBytes(100).length);
            Thread.currentThread().interrupt();
            in.close();
            assertFalse(reader.get().isAlive(), "the blob's reading thread outlived close");
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt is kept");
        }
    }

    @Test
    void aBlobThatInflatesWellButIsNotTheOneNamedFailsWithItsDigest() throws Exception {
        byte[] plain = plain(100_000, 6);
        byte[] gzip = gzip(plain);
        byte[] padded = concat(gzip, new byte[] {'p'}); // still inflates to the same bytes
        assertThrows(DigestMismatchException.class, () -> {
            try (InflatedLayer in = new InflatedLayer(
                    new ByteArrayInputStream(padded), layer(gzip), Digest.sha256(plain), plain.length)) {
                readAll(in);
            }
        });
    }

    @Test
    void aLayerThatIsNotItsDiffIdFailsWithTheSpoolsError() throws Exception {
        byte[] plain = plain(100_000, 7);
        byte[] gzip = gzip(plain);
        Digest wrong = Digest.sha256(new byte[] {1});
        try (InflatedLayer in = new InflatedLayer(new ByteArrayInputStream(gzip), layer(gzip), wrong, plain.length)) {
            CorruptImageException e = assertThrows(CorruptImageException.class, () -> readAll(in));
            assertTrue(e.getMessage().contains("but the config's diffID is " + wrong), e.getMessage());
        }
    }

    @Test
    void drainingChecksAndMeasuresWithoutTheSizeAnnounced() throws Exception {
        byte[] first = plain(20_000, 8);
        byte[] last = plain(5_000, 9);
        byte[] gzip = gzip(first, last);
        try (InflatedLayer in = new InflatedLayer(
                new ByteArrayInputStream(gzip), layer(gzip), Digest.sha256(concat(first, last)), last.length)) {
            assertEquals(first.length + last.length, in.drain());
        }
    }

    @Test
    void trailersThatCannotBeTheSizeAreNotTaken() throws Exception {
        byte[] plain = plain(100_000, 10);
        // an eStargz-like layer: its last member (the footer) inflates to nothing
        byte[] footerLast = gzip(plain, new byte[0]);
        assertEquals(-1, InflatedLayer.trailerSize(file(footerLast), footerLast.length));
        // more than deflate can make of the blob's bytes (a wrapped size over 4 GiB could say so)
        byte[] gzip = gzip(plain);
        byte[] huge = gzip.clone();
        long tooMuch = gzip.length * (InflatedLayer.MAX_RATIO + 1);
        for (int i = 0; i < 4; i++) {
            huge[huge.length - 4 + i] = (byte) (tooMuch >>> (8 * i));
        }
        assertEquals(-1, InflatedLayer.trailerSize(file(huge), huge.length));
        // not gzip at all
        assertEquals(-1, InflatedLayer.trailerSize(file(plain), plain.length));
        // a file that is not the size the source said
        assertEquals(-1, InflatedLayer.trailerSize(file(gzip), gzip.length + 1));
        byte[] empty = gzip(new byte[0]);
        assertEquals(0, InflatedLayer.trailerSize(file(empty), empty.length), "an empty layer: 0 bytes");
    }
}
