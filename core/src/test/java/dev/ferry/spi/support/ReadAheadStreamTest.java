package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

class ReadAheadStreamTest {
    @Test
    void everyByteArrivesInOrderAndTheSourceIsTheCallersAfterTheEnd() throws Exception {
        byte[] data = new byte[2 * 1024 * 1024 + 11];
        new Random(3).nextBytes(data);
        ByteArrayInputStream source = new ByteArrayInputStream(concat(data, new byte[] {1, 2, 3}));
        InputStream firstPart = new InputStream() {
            private int left = data.length;

            @Override
            public int read() throws IOException {
                return left-- > 0 ? source.read() : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int n = source.read(b, off, Math.min(len, left));
                left -= n;
                return n;
            }
        };
        try (ReadAheadStream ahead = new ReadAheadStream(() -> firstPart, "test-read-ahead", 64 * 1024, 3)) {
            assertArrayEquals(data, ahead.readAllBytes());
            ahead.join();
            // what follows is read on this thread, where the reading-ahead thread stopped
            assertArrayEquals(new byte[] {1, 2, 3}, source.readAllBytes());
        }
    }

    @Test
    void aFailureOfTheSourceReachesTheReaderAsItselfNeverAsAnEnd() throws Exception {
        ZipException failure = new ZipException("invalid block");
        InputStream failing = new InputStream() {
            private int left = 300_000;

            @Override
            public int read() throws IOException {
                if (left-- > 0) {
                    return 7;
                }
                throw failure;
            }
        };
        try (ReadAheadStream ahead = new ReadAheadStream(() -> failing, "test-read-ahead", 1 << 16, 2)) {
            IOException e = assertThrows(IOException.class, () -> ahead.transferTo(OutputStream.nullOutputStream()));
            assertSame(failure, e);
        }
        // a failure to open is the reader's too
        IOException opening = new IOException("no such blob");
        try (ReadAheadStream ahead = new ReadAheadStream(
                () -> {
                    throw opening;
                },
                "test-read-ahead",
                1 << 16,
                2)) {
            assertSame(opening, assertThrows(IOException.class, ahead::read));
        }
    }

    @Test
    void closingEarlyStopsTheThreadWithoutReadingTheRest() throws Exception {
        AtomicLong read = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                read.incrementAndGet();
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                read.addAndGet(len);
                return len;
            }
        };
        ReadAheadStream ahead = new ReadAheadStream(() -> endless, "test-read-ahead", 1 << 16, 2);
        assertEquals(100, ahead.readNBytes(100).length);
        ahead.close(); // returns: the thread's next write fails and it ends
        long after = read.get();
        assertTrue(after < 1 << 20, "read ahead at most the pipe's blocks and one chunk: " + after);
        Thread.sleep(50);
        assertEquals(after, read.get(), "nothing read after close");
    }

    @Test
    void closingWhileInterruptedStillWaitsForTheThreadAndKeepsTheInterrupt() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        AtomicBoolean inRead = new AtomicBoolean();
        InputStream slow = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                inRead.set(true);
                reading.countDown();
                try {
                    Thread.sleep(300); // a read under way, not interrupted: the thread is not the reader's
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inRead.set(false);
                return len;
            }
        };
        ReadAheadStream ahead = new ReadAheadStream(() -> slow, "test-read-ahead", 1 << 16, 2);
        assertTrue(reading.await(10, TimeUnit.SECONDS));
        // a copy stopped because another blob failed: its thread is interrupted, then closes what it read
        Thread.currentThread().interrupt();
        try {
            assertDoesNotThrow(ahead::close);
            assertFalse(inRead.get(), "close returned while the thread still read the source");
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
