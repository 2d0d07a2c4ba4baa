package dev.ferry.spi.support;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Gzip on every core, as pigz does: the input is cut into 512 KiB blocks, each deflated on its own thread with the
 * previous block's last 32 KiB as its dictionary and ended with a sync flush, and the pieces are written in order
 * as one standard gzip member (any gunzip reads it). The output depends only on the input and the level, not on the
 * number of threads, so builds stay reproducible. Memory is bounded: at most four blocks per thread in flight.
 * Not thread-safe; {@link #close()} writes the trailer and closes the underlying stream.
 *
 * <p>The blocks are deflated by ISA-L when {@link Gzip#codec()} says so (at {@link #ISAL_LAYER_LEVEL} for levels
 * 1-9), else by the JDK's zlib: the bytes depend on the codec, never on the thread count.
 * Each thread keeps one ISA-L stream (about 1.2 MiB of native memory), freed by {@link #finish()}.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    /**
     * The level Ferry gzips layers at. zlib's 4 gives what the Go tools' default gives (containers/image, umoci,
     * docker: Go's level 6, a faster and slightly weaker deflate than zlib's): measured on a Debian minbase rootfs,
     * 94.6 MB at zlib 4 against 95.1 MB from umoci, where zlib 6 takes 60% more CPU for 2% less.
     */
    public static final int LAYER_LEVEL = 4;

    /**
     * The ISA-L level that stands for zlib's 4 to 9 (ISA-L has 0-3). Chosen by measurement (docs/benchmarks.md,
     * `bench/GzipCodecBench.java`): level 1, with {@link Isal#levelBufferSize its small token buffer}, gives the
     * Debian layer 98.9 MB (level 2: 98.8; the Go tools: 95.1, so 1.04 x) and the synthetic layers 1% less than
     * level 2 for 18% less CPU; level 2 cost more on every input and saved nothing but 0.1% on Debian.
     */
    static final int ISAL_LAYER_LEVEL = 1;

    /**
     * The block each thread deflates at a time. pigz's 128 KiB made the writer and the deflating threads hand
     * over every 2 ms, and on a loaded machine (where each hand-over waits for a core) they spent more time
     * waiting for each other than working: 512 KiB and {@link #IN_FLIGHT_PER_THREAD} blocks a thread let the
     * writer run ahead while it reads files and the threads work on while it does (measured with JFR on a build
     * of a Debian rootfs: each deflating thread parked 3.2 s of 12 s). The output is 0.01% larger.
     */
    static final int BLOCK = 512 << 10;

    /** Blocks in flight (queued, being deflated, or deflated and waiting for their turn) per thread. */
    private static final int IN_FLIGHT_PER_THREAD = 4;

    private static final int DICTIONARY = 32 << 10;
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final OutputStream out;
    private final int level;
    private final ExecutorService pool;
    private final int maxInFlight;
    private final ArrayDeque<Future<Deflated>> inFlight = new ArrayDeque<>();
    /**
     * Input and output buffers written out, for the next blocks: recycled rather than left to the collector, since
     * blocks queued for a few milliseconds outlive young collections and would fill the old generation.
     */
    private final ArrayDeque<byte[]> freeInputs = new ArrayDeque<>();

    private final ArrayDeque<byte[]> freeOutputs = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private final ThreadLocal<Deflater> deflaters;
    /** ISA-L's streams when it deflates (else null): one a thread, free ones in the queue, all of them in the list. */
    private final ConcurrentLinkedQueue<IsalDeflater> isalFree;

    private final List<IsalDeflater> isalAll;
    private final int isalLevel;
    private byte[] block = new byte[BLOCK];
    private int fill;
    private byte[] dictionary;
    private long total;
    private boolean closed;

    /** Gzip at {@code level} (0-9) on as many threads as there are processors. */
    public ParallelGzipOutputStream(OutputStream out, int level) throws IOException {
        this(out, level, Runtime.getRuntime().availableProcessors());
    }

    public ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        this(out, level, threads, Gzip.codec());
    }

    /** With the given codec ({@link Gzip.Codec#ISAL} only when it is available): for the tests and benchmarks. */
    ParallelGzipOutputStream(OutputStream out, int level, int threads, Gzip.Codec codec) throws IOException {
        this(out, level, threads, codec, ISAL_LAYER_LEVEL);
    }

    /** With the given codec, and ISA-L's level given (0-3): for the benchmark that chose {@link #ISAL_LAYER_LEVEL}. */
    ParallelGzipOutputStream(OutputStream out, int level, int threads, Gzip.Codec codec, int isalLevel)
            throws IOException {
        if (isalLevel < 0 || isalLevel > 3) {
            throw new IllegalArgumentException("ISA-L level " + isalLevel + " (0-3)");
        }
        if (level < -1 || level > 9) {
            throw new IllegalArgumentException("gzip level " + level + " (0-9)");
        }
        if (codec == Gzip.Codec.ISAL && !Isal.available()) {
            throw new IllegalStateException("ISA-L is not available: " + Isal.unavailableReason());
        }
        boolean isal = codec == Gzip.Codec.ISAL && level != 0;
        this.isalLevel = isalLevel;
        this.isalFree = isal ? new ConcurrentLinkedQueue<>() : null;
        this.isalAll = isal ? new ArrayList<>() : null;
        this.out = out;
        this.level = level;
        int n = Math.max(1, threads);
        this.maxInFlight = IN_FLIGHT_PER_THREAD * n;
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "ferry-gzip");
            t.setDaemon(true);
            return t;
        });
        this.deflaters = ThreadLocal.withInitial(() -> new Deflater(level, true));
        out.write(HEADER);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (len > 0) {
            int n = Math.min(len, BLOCK - fill);
            System.arraycopy(buf, off, block, fill, n);
            fill += n;
            off += n;
            len -= n;
            if (fill == BLOCK) {
                submit(false);
            }
        }
    }

    private void submit(boolean last) throws IOException {
        byte[] input = block;
        int length = fill;
        byte[] dict = dictionary;
        crc.update(input, 0, length);
        total += length;
        dictionary = length >= DICTIONARY ? Arrays.copyOfRange(input, length - DICTIONARY, length) : null;
        byte[] recycled = freeInputs.poll();
        block = recycled != null ? recycled : new byte[BLOCK];
        fill = 0;
        byte[] free = freeOutputs.poll();
        byte[] output = free != null ? free : new byte[BLOCK + (BLOCK >> 4) + 1024];
        inFlight.add(pool.submit(() -> deflate(input, length, dict, last, output)));
        while (inFlight.size() >= maxInFlight) {
            writeNext();
        }
    }

    /** A deflated block: {@code length} bytes of {@code output}, and its input, both to recycle once written. */
    private record Deflated(byte[] input, byte[] output, int length) {}

    private Deflated deflate(byte[] input, int length, byte[] dict, boolean last, byte[] output) throws IOException {
        if (isalFree != null) {
            IsalDeflater isal = isalFree.poll();
            if (isal == null) {
                isal = new IsalDeflater(isalLevel);
                synchronized (isalAll) {
                    isalAll.add(isal);
                }
            }
            try {
                IsalDeflater.Output deflated = isal.deflate(input, 0, length, dict, last, output);
                return new Deflated(input, deflated.buffer(), deflated.length());
            } finally {
                isalFree.add(isal);
            }
        }
        Deflater deflater = deflaters.get();
        deflater.reset();
        if (dict != null) {
            deflater.setDictionary(dict);
        }
        deflater.setInput(input, 0, length);
        byte[] buf = output;
        int n = 0;
        if (last) {
            deflater.finish();
            while (!deflater.finished()) {
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                n += deflater.deflate(buf, n, buf.length - n);
            }
        } else {
            do {
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                n += deflater.deflate(buf, n, buf.length - n, Deflater.SYNC_FLUSH);
            } while (n == buf.length || !deflater.needsInput());
        }
        return new Deflated(input, buf, n);
    }

    private void writeNext() throws IOException {
        Future<Deflated> next = inFlight.remove();
        try {
            Deflated deflated = next.get();
            out.write(deflated.output(), 0, deflated.length());
            if (deflated.input().length == BLOCK) {
                freeInputs.add(deflated.input());
            }
            freeOutputs.add(deflated.output());
        } catch (ExecutionException e) {
            throw new IOException("gzip failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        }
    }

    /** Writes what is compressed so far; blocks still being filled are not flushed (gzip would lose ratio). */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Compresses what is left and writes the trailer, without closing the underlying stream. Idempotent. */
    public void finish() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            submit(true);
            while (!inFlight.isEmpty()) {
                writeNext();
            }
            byte[] trailer = new byte[8];
            int crcValue = (int) crc.getValue();
            int size = (int) total;
            for (int i = 0; i < 4; i++) {
                trailer[i] = (byte) (crcValue >>> (8 * i));
                trailer[4 + i] = (byte) (size >>> (8 * i));
            }
            out.write(trailer);
        } finally {
            pool.shutdownNow();
            freeNative();
        }
    }

    /** Frees ISA-L's streams once no thread can use them (after a failure, once the threads have stopped). */
    private void freeNative() {
        if (isalAll == null) {
            return;
        }
        try {
            if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                return; // a thread still deflates: JNA's cleaner frees the memory once it is unreachable
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (isalAll) {
            for (IsalDeflater isal : isalAll) {
                isal.close();
            }
            isalAll.clear();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            finish();
        } finally {
            out.close();
        }
    }
}
