package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelGzipOutputStreamTest {
    /** Half random, half repetitive: both the dictionary and incompressible blocks are exercised. */
    private static byte[] data(int size) {
        byte[] bytes = new byte[size];
        Random random = new Random(size);
        for (int i = 0; i < size; i++) {
            bytes[i] = (i / 4096) % 2 == 0 ? (byte) random.nextInt() : (byte) ("ferry " + (i % 97)).charAt(i % 5);
        }
        return bytes;
    }

    private static byte[] gzip(byte[] input, int threads, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(out, Deflater.DEFAULT_COMPRESSION, threads)) {
            for (int off = 0; off < input.length; off += chunk) {
                gzip.write(input, off, Math.min(chunk, input.length - off));
            }
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(
            ints = {
                0,
                1,
                32 << 10,
                ParallelGzipOutputStream.BLOCK - 1,
                ParallelGzipOutputStream.BLOCK,
                ParallelGzipOutputStream.BLOCK + 1,
                5_000_000
            })
    void anyGunzipReadsItAndTheThreadsDoNotChangeTheBytes(int size) throws IOException {
        byte[] input = data(size);
        byte[] one = gzip(input, 1, 7919);
        byte[] four = gzip(input, 4, 65536);
        assertArrayEquals(one, four, "same bytes whatever the threads and write sizes");
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(four))) {
            assertArrayEquals(input, in.readAllBytes());
        }
        if (size == 5_000_000) {
            assertTrue(four.length < size * 0.6, "it compresses: " + four.length);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void finishWritesTheTrailerAndLeavesTheStreamOpen(int threads) throws IOException {
        byte[] input = data(300_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(out, 6, threads);
        gzip.write(input);
        gzip.finish();
        gzip.finish();
        out.write(new byte[0]);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            assertEquals(input.length, in.readAllBytes().length);
        }
    }
}
