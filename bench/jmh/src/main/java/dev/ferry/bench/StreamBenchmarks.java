package dev.ferry.bench;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.support.BlockPipe;
import dev.ferry.spi.support.ParallelGzipOutputStream;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The inner loops every copy, build and export runs: moving a blob while verifying it (one pass: hash, count and
 * copy), and gzip. Each operation handles {@link #SIZE} bytes; JMH reports seconds per operation, so MB/s is
 * 64 / score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgs = {"-Xmx256m", "-XX:+UseSerialGC"})
public class StreamBenchmarks {
    static final int SIZE = 64 << 20;

    /** Half random, half text-like: a layer's mix. */
    private byte[] data;

    private Descriptor descriptor;

    @Param({"65536"})
    public int bufferSize;

    @Setup(Level.Trial)
    public void setUp() {
        data = new byte[SIZE];
        Random random = new Random(7);
        byte[] text = "usr/lib/x86_64-linux-gnu/libc.so.6 ELF >\u0001 GLIBC_2.34 ".getBytes();
        for (int i = 0; i < SIZE; i += 4096) {
            if ((i / 4096) % 2 == 0) {
                byte[] block = new byte[4096];
                random.nextBytes(block);
                System.arraycopy(block, 0, data, i, 4096);
            } else {
                for (int j = 0; j < 4096; j++) {
                    data[i + j] = text[(j + i / 4096) % text.length];
                }
            }
        }
        descriptor = Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(data), SIZE);
    }

    private static final OutputStream SINK = OutputStream.nullOutputStream();

    private long pump(InputStream in) throws IOException {
        byte[] buf = new byte[bufferSize];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            SINK.write(buf, 0, n);
            total += n;
        }
        return total;
    }

    /** The floor: copying without any check. */
    @Benchmark
    public long copyOnly() throws IOException {
        return pump(new ByteArrayInputStream(data));
    }

    /** What the copy engine does to every blob: copy, count and SHA-256 in one pass. */
    @Benchmark
    public long copyVerified() throws IOException {
        VerifyingInputStream in = VerifyingInputStream.verify(new ByteArrayInputStream(data), descriptor);
        long n = pump(in);
        if (!in.verified()) {
            throw new IllegalStateException("not verified");
        }
        return n;
    }

    /** The JDK's gzip, one thread, its default level (6). */
    @Benchmark
    public void gzipJdk() throws IOException {
        try (GZIPOutputStream gzip = new GZIPOutputStream(OutputStream.nullOutputStream(), bufferSize)) {
            gzip.write(data);
        }
    }

    /** Ferry's layer gzip: every core, level 4. */
    @Benchmark
    public void gzipParallelLayerLevel() throws IOException {
        try (ParallelGzipOutputStream gzip =
                new ParallelGzipOutputStream(OutputStream.nullOutputStream(), ParallelGzipOutputStream.LAYER_LEVEL)) {
            gzip.write(data);
        }
    }

    /** Ferry's parallel gzip at the JDK's level, to separate the two gains. */
    @Benchmark
    public void gzipParallelLevel6() throws IOException {
        try (ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(OutputStream.nullOutputStream(), 6)) {
            gzip.write(data);
        }
    }

    /**
     * Hands the data from a writer thread (64 KiB writes, each hashed first, as the copy engine verifies a blob) to
     * this one (4 KiB reads, each hashed, standing for the work of the HTTP client that sends a load's body). With
     * both ends busy, a pipe that lets them overlap takes about half the time of one that makes them take turns.
     */
    private long throughPipe(OutputStream out, InputStream in) throws Exception {
        Thread writer = new Thread(() -> {
            MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
            try (out) {
                for (int off = 0; off < SIZE; off += 65536) {
                    int n = Math.min(65536, SIZE - off);
                    md.update(data, off, n);
                    out.write(data, off, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        writer.start();
        MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
        byte[] buf = new byte[4096];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            md.update(buf, 0, n);
            total += n;
        }
        writer.join();
        if (total != SIZE) {
            throw new IllegalStateException(total + " bytes through the pipe");
        }
        return total;
    }

    /** The JDK's pipe, 1 MiB, as the Engine API load used it. */
    @Benchmark
    public long pipeJdk() throws Exception {
        PipedInputStream in = new PipedInputStream(1 << 20);
        return throughPipe(new PipedOutputStream(in), in);
    }

    /** Ferry's pipe, four blocks of 1 MiB, as the Engine API load uses it. */
    @Benchmark
    public long pipeBlocks() throws Exception {
        BlockPipe pipe = new BlockPipe(1 << 20, 4);
        return throughPipe(pipe.output(), pipe.input());
    }
}
