package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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

    @Test
    void copyFlushingForcesTheFileInTheBackgroundAndReturnsWhenNoForceRuns() throws IOException {
        int n = (int) (3 * Streams.FLUSH_EVERY + 5);
        byte[] data = bytes(n);
        Path file = dir.resolve("big");
        try (WatchedChannel ch = new WatchedChannel(
                FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), null)) {
            assertEquals(n, Streams.copyFlushing(trickle(data), ch));
            assertEquals(0, ch.running.get(), "a background force still ran after the copy returned");
            assertTrue(!ch.forcedOn.isEmpty(), "no background force during the copy");
            assertTrue(ch.forcedOn.stream().allMatch("ferry-writeback"::equals), ch.forcedOn.toString());
        }
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    @Test
    void copyFlushingLeavesASmallFileToTheCallersForce() throws IOException {
        byte[] data = bytes(3 * Streams.CHUNK);
        try (WatchedChannel ch = new WatchedChannel(
                FileChannel.open(dir.resolve("small"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                null)) {
            assertEquals(data.length, Streams.copyFlushing(trickle(data), ch));
            assertEquals(List.of(), ch.forcedOn);
        }
    }

    @Test
    void aBackgroundForceThatFailedFailsTheCopy() throws IOException {
        // the kernel reports a write error to one fsync of the file only: the caller's own force would not see it
        IOException failure = new IOException("Input/output error");
        byte[] data = bytes((int) (2 * Streams.FLUSH_EVERY + 1));
        try (WatchedChannel ch = new WatchedChannel(
                FileChannel.open(dir.resolve("failing"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                failure)) {
            IOException thrown =
                    assertThrows(IOException.class, () -> Streams.copyFlushing(new ByteArrayInputStream(data), ch));
            assertSame(failure, thrown);
        }
    }

    /** A file channel that records on which thread each force ran, how many run now, and may fail them. */
    private static final class WatchedChannel extends FileChannel {
        final FileChannel file;
        final IOException failure;
        final List<String> forcedOn = new CopyOnWriteArrayList<>();
        final AtomicInteger running = new AtomicInteger();

        WatchedChannel(FileChannel file, IOException failure) {
            this.file = file;
            this.failure = failure;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            running.incrementAndGet();
            try {
                forcedOn.add(Thread.currentThread().getName());
                if (failure != null) {
                    throw failure;
                }
                file.force(metaData);
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return file.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return file.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return file.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return file.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return file.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return file.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return file.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return file.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
