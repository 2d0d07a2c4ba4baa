package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsTest {
    @TempDir
    Path dir;

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** A source that hands out at most 1,000 bytes per read, as a socket does. */
    private static InputStream trickle(byte[] b) {
        return new FilterInputStream(new ByteArrayInputStream(b)) {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return super.read(buf, off, Math.min(len, 1000));
            }
        };
    }

    @Test
    void copiesEverySizeIntoAFileWholeWithChunkSizedWrites() throws IOException {
        for (int n : new int[] {0, 1, Streams.CHUNK - 1, Streams.CHUNK, Streams.CHUNK + 1, 3 * Streams.CHUNK + 7}) {
            byte[] data = bytes(n);
            Path file = dir.resolve("f" + n);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                assertEquals(n, Streams.copy(trickle(data), ch));
            }
            assertArrayEquals(data, Files.readAllBytes(file), "size " + n);
        }
    }

    @Test
    void writesWholeChunksNotWhatEachReadGave() throws IOException {
        int n = 4 * Streams.CHUNK + 5;
        byte[] data = bytes(n);
        int[] writes = {0};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                writes[0]++;
                super.write(b, off, len);
            }
        };
        assertEquals(n, Streams.copy(trickle(data), out));
        assertArrayEquals(data, out.toByteArray());
        assertTrue(writes[0] <= 5, "one write per chunk, not per read: " + writes[0]);
    }
}
