package dev.ferry.spi.support;

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The gzip codecs alone, ISA-L against the JDK's zlib, on real layers: deflate through ParallelGzipOutputStream
 * (the path layers take) at each ISA-L level and at zlib's LAYER_LEVEL, and inflate through Gzip.input. Prints
 * output size, wall time, the process's CPU time (user+sys, steadier than wall time on a loaded machine) and MB/s
 * of uncompressed data per CPU second. In the package of the code it measures, for its package-private
 * constructors: compile it next to core's classes and run it from there.
 *
 * <pre>
 * cp=core/target/classes:$(ls cli/target/lib/jna-*.jar)
 * mkdir -p /tmp/gzbench && javac -d /tmp/gzbench -cp $cp bench/GzipCodecBench.java
 * java -cp /tmp/gzbench:$cp dev.ferry.spi.support.GzipCodecBench deflate THREADS RUNS FILE.tar...
 * java -cp /tmp/gzbench:$cp dev.ferry.spi.support.GzipCodecBench inflate RUNS FILE.tar.gz...
 * </pre>
 */
public final class GzipCodecBench {
    private record Result(long bytesIn, long bytesOut, double wallSeconds, double cpuSeconds) {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        List<Path> files = new ArrayList<>();
        if (mode.equals("deflate")) {
            int threads = Integer.parseInt(args[1]);
            int runs = Integer.parseInt(args[2]);
            for (int i = 3; i < args.length; i++) {
                files.add(Path.of(args[i]));
            }
            // alternating: every variant once per round, rounds repeated
            String[] variants = {"zlib-4", "isal-1", "isal-2", "isal-3"};
            List<List<Result>> results = new ArrayList<>();
            for (int v = 0; v < variants.length; v++) {
                results.add(new ArrayList<>());
            }
            for (int run = 0; run < runs; run++) {
                for (int v = 0; v < variants.length; v++) {
                    results.get(v).add(deflate(files, threads, variants[v]));
                }
            }
            for (int v = 0; v < variants.length; v++) {
                print(variants[v] + " threads=" + threads, results.get(v));
            }
        } else {
            int runs = Integer.parseInt(args[1]);
            for (int i = 2; i < args.length; i++) {
                files.add(Path.of(args[i]));
            }
            List<Result> zlib = new ArrayList<>();
            List<Result> isal = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                zlib.add(inflate(files, Gzip.Codec.JDK));
                isal.add(inflate(files, Gzip.Codec.ISAL));
            }
            print("inflate zlib", zlib);
            print("inflate isal", isal);
        }
    }

    private static Result deflate(List<Path> files, int threads, String variant) throws IOException {
        boolean isal = variant.startsWith("isal");
        int isalLevel = isal ? Integer.parseInt(variant.substring(5)) : 1;
        long in = 0;
        long out = 0;
        long cpu0 = cpu();
        long t0 = System.nanoTime();
        byte[] buf = new byte[1 << 16];
        for (Path file : files) {
            Counting counting = new Counting();
            try (InputStream input = Files.newInputStream(file);
                    ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(
                            counting,
                            ParallelGzipOutputStream.LAYER_LEVEL,
                            threads,
                            isal ? Gzip.Codec.ISAL : Gzip.Codec.JDK,
                            isalLevel)) {
                int n;
                while ((n = input.read(buf)) > 0) {
                    gzip.write(buf, 0, n);
                    in += n;
                }
            }
            out += counting.count;
        }
        return new Result(in, out, (System.nanoTime() - t0) / 1e9, (cpu() - cpu0) / 1e9);
    }

    private static Result inflate(List<Path> files, Gzip.Codec codec) throws IOException {
        long in = 0;
        long out = 0;
        long cpu0 = cpu();
        long t0 = System.nanoTime();
        byte[] buf = new byte[1 << 16];
        for (Path file : files) {
            in += Files.size(file);
            try (InputStream gz = Gzip.input(new BufferedInputStream(Files.newInputStream(file), 1 << 16), codec)) {
                int n;
                while ((n = gz.read(buf)) >= 0) {
                    out += n;
                }
            }
        }
        // bytesIn is the uncompressed size for the MB/s column, as for deflate
        return new Result(out, in, (System.nanoTime() - t0) / 1e9, (cpu() - cpu0) / 1e9);
    }

    private static long cpu() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void print(String name, List<Result> results) {
        double wall = median(results.stream().map(Result::wallSeconds).toList());
        double cpu = median(results.stream().map(Result::cpuSeconds).toList());
        Result first = results.get(0);
        System.out.printf(
                Locale.ROOT,
                "%-22s uncompressed %,d  compressed %,d (ratio %.4f)  wall %.2f s  cpu %.2f s  %.0f MB/s per cpu-s"
                        + "  %.0f MB/s wall  (runs: %d)%n",
                name,
                first.bytesIn(),
                first.bytesOut(),
                (double) first.bytesOut() / first.bytesIn(),
                wall,
                cpu,
                first.bytesIn() / 1e6 / cpu,
                first.bytesIn() / 1e6 / wall,
                results.size());
    }

    private static final class Counting extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
