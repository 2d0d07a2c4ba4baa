package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

class BlockPipeTest {
    private static byte[] sha(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    @Test
    void everyByteArrivesInOrderWhateverTheWriteAndReadSizes() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        BlockPipe pipe = new BlockPipe(64 * 1024, 3);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            Random sizes = new Random(1);
            try (OutputStream out = pipe.output()) {
                int off = 0;
                while (off < data.length) {
                    int n = Math.min(data.length - off, 1 + sizes.nextInt(200_000));
                    if (n == 1) {
                        out.write(data[off]);
                    } else {
                        out.write(data, off, n);
                    }
                    off += n;
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (InputStream in = pipe.input()) {
            Random sizes = new Random(2);
            byte[] buf = new byte[100_000];
            int n;
            while ((n = in.read(buf, 0, 1 + sizes.nextInt(buf.length))) >= 0) {
                got.write(buf, 0, n);
            }
            assertEquals(-1, in.read());
        }
        writer.get(10, TimeUnit.SECONDS);
        assertArrayEquals(sha(data), sha(got.toByteArray()));
    }

    @Test
    void flushHandsOverAPartBlock() throws Exception {
        BlockPipe pipe = new BlockPipe(1024, 2);
        pipe.output().write(new byte[] {1, 2, 3});
        pipe.output().flush();
        byte[] buf = new byte[10];
        assertEquals(3, pipe.input().read(buf));
        assertEquals(2, buf[1]);
    }

    @Test
    void aFailedWriterIsAnErrorForTheReaderNotAnEnd() throws Exception {
        BlockPipe pipe = new BlockPipe(4, 2);
        pipe.output().write(new byte[] {1, 2, 3, 4, 5});
        IOException cause = new ZipException("the layer was corrupt");
        pipe.fail(cause);
        InputStream in = pipe.input();
        byte[] buf = new byte[10];
        assertEquals(4, in.read(buf)); // the whole block handed over before the failure
        assertEquals(cause, assertThrows(IOException.class, () -> in.read(buf)));
        assertEquals(cause, assertThrows(IOException.class, () -> in.read(buf)), "and again: never a clean end");
    }

    @Test
    void aWriterBlockedOnAFullPipeFailsWhenTheReaderCloses() throws Exception {
        BlockPipe pipe = new BlockPipe(16, 2);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                pipe.output().write(new byte[1000]); // more than the pipe holds: blocks
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        assertTrue(!writer.isDone(), "the writer waits for room");
        pipe.input().close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> writer.get(10, TimeUnit.SECONDS));
        assertTrue(
                e.getCause().getMessage().contains("reader is gone"),
                e.getCause().getMessage());
    }

    @Test
    void memoryIsBoundedByTheBlocks() throws Exception {
        BlockPipe pipe = new BlockPipe(8, 2);
        OutputStream out = pipe.output();
        out.write(new byte[16]); // two full blocks handed over: the pipe is full
        CompletableFuture<Void> third = CompletableFuture.runAsync(() -> {
            try {
                out.write(new byte[1]);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        assertTrue(!third.isDone(), "no third block while two are in flight");
        assertEquals(8, pipe.input().read(new byte[8]));
        assertEquals(8, pipe.input().read(new byte[8])); // the first block goes back, the writer goes on
        third.get(10, TimeUnit.SECONDS);
    }
}
