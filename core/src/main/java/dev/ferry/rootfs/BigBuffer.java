package dev.ferry.rootfs;

import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Random-access memory that grows as it is written, zero where never written, kept off the Java heap: in a
 * memory-mapped file (which the caller places in a temporary folder of its own), or, without a folder, in heap
 * chunks (for library calls and tests that name no temporary folder). The heap holds a few objects per 16 MiB
 * whatever the size; the kernel pages the file in and out.
 *
 * <p>An int is read and written at a position that is a multiple of 4, a long at a multiple of 8: the storage is
 * split in chunks of a power of two, so such a value never straddles two chunks. Byte ranges may.
 *
 * <p>Not thread-safe: one thread at a time.
 */
final class BigBuffer implements AutoCloseable {
    private static final int SHIFT = 24;
    private static final int CHUNK = 1 << SHIFT;
    private static final long MASK = CHUNK - 1;
    /** The first chunk starts this small and doubles up to {@link #CHUNK}: small trees stay small. */
    private static final int FIRST = 1 << 12;

    private final Path file;
    private FileChannel channel;
    private ByteBuffer[] chunks = new ByteBuffer[0];
    private long capacity;

    private BigBuffer(Path file) {
        this.file = file;
    }

    /**
     * A buffer in a new file {@code dir/name} (made at the first {@link #ensure}, so an unused buffer costs
     * nothing), or on the heap when {@code dir} is null.
     */
    static BigBuffer create(Path dir, String name) {
        return new BigBuffer(dir == null ? null : dir.resolve(name));
    }

    /**
     * Makes positions below {@code size} usable.
     *
     * @throws UncheckedIOException if the file cannot grow (its cause says why: a {@link
     *     dev.ferry.spi.FerryException} when its file system is full)
     */
    void ensure(long size) {
        if (size <= capacity) {
            return;
        }
        try {
            if (capacity < CHUNK) {
                long first = Math.max(FIRST, capacity);
                while (first < Math.min(size, CHUNK)) {
                    first <<= 1;
                }
                ByteBuffer grown = allocate(0, (int) first);
                if (chunks.length > 0) {
                    if (file == null) {
                        grown.put(0, chunks[0], 0, (int) capacity);
                    } else {
                        unmap(chunks[0]);
                    }
                    chunks[0] = grown;
                } else {
                    chunks = new ByteBuffer[] {grown};
                }
                capacity = first;
            }
            while (capacity < size) {
                chunks = Arrays.copyOf(chunks, chunks.length + 1);
                chunks[chunks.length - 1] = allocate(capacity, CHUNK);
                capacity += CHUNK;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ByteBuffer allocate(long position, int size) throws IOException {
        if (file != null && channel == null) {
            channel = FileChannel.open(
                    file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        if (file != null && size > FIRST && Files.getFileStore(file).getUsableSpace() < 2L * size) {
            // a write to a mapped page the file system cannot hold is a fault, not an exception: refuse first
            throw new FerryException(
                    "no space left in " + file.getParent().getParent() + " for the index of the image's paths",
                    "free some space, or use --tmpdir elsewhere");
        }
        ByteBuffer b =
                file == null ? ByteBuffer.allocate(size) : channel.map(FileChannel.MapMode.READ_WRITE, position, size);
        return b.order(ByteOrder.nativeOrder());
    }

    long capacity() {
        return capacity;
    }

    int getInt(long pos) {
        return chunks[(int) (pos >>> SHIFT)].getInt((int) (pos & MASK));
    }

    void putInt(long pos, int value) {
        chunks[(int) (pos >>> SHIFT)].putInt((int) (pos & MASK), value);
    }

    long getLong(long pos) {
        return chunks[(int) (pos >>> SHIFT)].getLong((int) (pos & MASK));
    }

    void putLong(long pos, long value) {
        chunks[(int) (pos >>> SHIFT)].putLong((int) (pos & MASK), value);
    }

    /** Copies {@code len} bytes at {@code pos} into {@code dst}. */
    void get(long pos, byte[] dst, int off, int len) {
        while (len > 0) {
            int at = (int) (pos & MASK);
            int n = Math.min(len, chunks[(int) (pos >>> SHIFT)].capacity() - at);
            chunks[(int) (pos >>> SHIFT)].get(at, dst, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /** Copies {@code len} bytes of {@code src} to {@code pos}, which must be usable. */
    void put(long pos, byte[] src, int off, int len) {
        while (len > 0) {
            int at = (int) (pos & MASK);
            int n = Math.min(len, chunks[(int) (pos >>> SHIFT)].capacity() - at);
            chunks[(int) (pos >>> SHIFT)].put(at, src, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    private byte[] scratch = new byte[256];

    /** Whether the {@code len} bytes at {@code pos} equal those of {@code other} from {@code off}. */
    boolean equals(long pos, byte[] other, int off, int len) {
        if (scratch.length < len) {
            scratch = new byte[Math.max(len, scratch.length * 2)];
        }
        get(pos, scratch, 0, len);
        return Arrays.equals(scratch, 0, len, other, off, off + len);
    }

    /** Unmaps and deletes the file, if any. The buffer must not be used afterwards. */
    @Override
    public void close() throws IOException {
        ByteBuffer[] all = chunks;
        chunks = new ByteBuffer[0];
        capacity = 0;
        if (channel != null) {
            for (ByteBuffer b : all) {
                unmap(b);
            }
            try {
                channel.close();
            } finally {
                channel = null;
                Files.deleteIfExists(file);
            }
        }
    }

    /** The JDK's way to release a mapping now rather than at some garbage collection; skipped if unavailable. */
    private static final Method INVOKE_CLEANER;

    private static final Object UNSAFE;

    static {
        Method m = null;
        Object unsafe = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            m = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            m = null;
        }
        INVOKE_CLEANER = m;
        UNSAFE = unsafe;
    }

    private static void unmap(ByteBuffer b) {
        if (INVOKE_CLEANER != null && b instanceof MappedByteBuffer) {
            try {
                INVOKE_CLEANER.invoke(UNSAFE, b);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the garbage collector
            }
        }
    }
}
