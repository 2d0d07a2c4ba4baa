package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ISA-L's gzip against the JDK's: round trips, thread counts, multi-member and trailing garbage, corrupt input. On
 * CI (CI=true) a missing libisal2 fails these tests (scripts/install-peers.sh installs it); elsewhere they skip.
 */
class GzipTest {
    private static final int BLOCK = ParallelGzipOutputStream.BLOCK;

    @BeforeAll
    static void requireIsal() {
        if (!Isal.available()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("ISA-L is not available on CI (apt-get install libisal2): " + Isal.unavailableReason());
            }
            assumeTrue(false, "ISA-L is not available: " + Isal.unavailableReason());
        }
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /** Text-like, with repeats further apart than a block: the dictionary matters. */
    private static byte[] compressible(int size) {
        byte[] bytes = new byte[size];
        Random random = new Random(size + 1);
        String[] words = {"ferry ", "layer ", "gzip ", "isa-l ", "zlib ", "/usr/lib/", "\n", "0123 "};
        int i = 0;
        while (i < size) {
            byte[] w = words[random.nextInt(words.length)].getBytes(StandardCharsets.US_ASCII);
            int n = Math.min(w.length, size - i);
            System.arraycopy(w, 0, bytes, i, n);
            i += n;
        }
        return bytes;
    }

    private static byte[] parallel(byte[] input, int threads, int chunk, Gzip.Codec codec) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gzip =
                new ParallelGzipOutputStream(out, ParallelGzipOutputStream.LAYER_LEVEL, threads, codec)) {
            for (int off = 0; off < input.length; off += chunk) {
                gzip.write(input, off, Math.min(chunk, input.length - off));
            }
        }
        return out.toByteArray();
    }

    private static byte[] gunzipJdk(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static byte[] gunzipIsal(byte[] gz, int readSize) throws IOException {
        try (InputStream in = Gzip.input(new ByteArrayInputStream(gz), Gzip.Codec.ISAL)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[readSize];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static byte[] zlibGzip(byte[] input) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(input);
        }
        return out.toByteArray();
    }

    @Test
    void isalIsTheDefaultCodecWhenInstalled() {
        assertEquals(Gzip.Codec.ISAL, Gzip.codec());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, 32 << 10, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 3 * BLOCK + 12345, 6 << 20})
    void isalDeflateRoundTripsWhateverTheThreads(int size) throws IOException {
        for (byte[] input : List.of(random(size), compressible(size))) {
            byte[] one = parallel(input, 1, 7919, Gzip.Codec.ISAL);
            byte[] three = parallel(input, 3, 65536, Gzip.Codec.ISAL);
            byte[] eight = parallel(input, 8, 1 << 20, Gzip.Codec.ISAL);
            assertArrayEquals(one, three, "same bytes whatever the threads and write sizes");
            assertArrayEquals(one, eight, "same bytes whatever the threads and write sizes");
            assertArrayEquals(input, gunzipJdk(one), "zlib reads ISA-L's gzip");
            assertArrayEquals(input, gunzipIsal(one, 4096), "ISA-L reads ISA-L's gzip");
            if (size >= BLOCK) {
                byte[] jdk = parallel(input, 2, 65536, Gzip.Codec.JDK);
                assertFalse(Arrays.equals(jdk, one), "ISA-L, not zlib, deflated");
                assertArrayEquals(input, gunzipJdk(jdk));
            }
        }
    }

    @Test
    void isalCompressesAboutAsWellAsZlib() throws IOException {
        byte[] input = compressible(4 << 20);
        byte[] isal = parallel(input, 2, 65536, Gzip.Codec.ISAL);
        byte[] jdk = parallel(input, 2, 65536, Gzip.Codec.JDK);
        assertTrue(isal.length < input.length / 3, "it compresses: " + isal.length);
        assertTrue(isal.length < jdk.length * 1.3, "ISA-L " + isal.length + " against zlib " + jdk.length);
    }

    @Test
    void gzipCommandAcceptsIsalOutput(@TempDir Path dir) throws Exception {
        byte[] input = compressible(3 * BLOCK + 17);
        Path file = dir.resolve("layer.gz");
        Files.write(file, parallel(input, 2, 65536, Gzip.Codec.ISAL));
        Process gzip = new ProcessBuilder("gzip", "-t", file.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(gzip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(gzip.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, gzip.exitValue(), "gzip -t: " + output);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4095, BLOCK + 1, 5 << 20})
    void isalInflateEqualsZlibInflate(int size) throws IOException {
        for (byte[] input : List.of(random(size), compressible(size))) {
            byte[] gz = zlibGzip(input);
            assertArrayEquals(gunzipJdk(gz), gunzipIsal(gz, 1 << 16));
            assertArrayEquals(input, gunzipIsal(gz, 1));
        }
    }

    /** A source that gives a few bytes at a time (a pipe, a network stream): headers and data cut anywhere. */
    @Test
    void inputArrivingInSmallPiecesIsReadWhole() throws IOException {
        byte[] a = compressible(BLOCK + 999);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.write(zlibGzip(a));
        gz.write(parallel(a, 2, 4096, Gzip.Codec.ISAL));
        byte[] bytes = gz.toByteArray();
        for (int piece : new int[] {1, 3, 7, 4093}) {
            InputStream trickle = new ByteArrayInputStream(bytes) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, piece));
                }
            };
            byte[] back;
            try (InputStream in = Gzip.input(trickle, Gzip.Codec.ISAL)) {
                back = in.readAllBytes();
            }
            assertEquals(2 * a.length, back.length, "pieces of " + piece);
            assertArrayEquals(a, Arrays.copyOfRange(back, 0, a.length));
            assertArrayEquals(a, Arrays.copyOfRange(back, a.length, back.length));
        }
    }

    @Test
    void membersAreReadOneAfterTheOther() throws IOException {
        byte[] a = compressible(300_000);
        byte[] b = random(70_000);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(zlibGzip(a));
        both.write(zlibGzip(new byte[0]));
        both.write(parallel(b, 2, 4096, Gzip.Codec.ISAL));
        byte[] expected = new byte[a.length + b.length];
        System.arraycopy(a, 0, expected, 0, a.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        assertArrayEquals(expected, gunzipJdk(both.toByteArray()));
        assertArrayEquals(expected, gunzipIsal(both.toByteArray(), 8192));
    }

    @Test
    void trailingGarbageIsIgnoredAsGzipInputStreamDoes() throws IOException {
        byte[] a = compressible(100_000);
        for (byte[] garbage : List.of(
                new byte[] {0},
                new byte[] {0x1f},
                new byte[] {0x1f, (byte) 0x8b},
                new byte[1000],
                "PK".getBytes(StandardCharsets.US_ASCII))) {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            gz.write(zlibGzip(a));
            gz.write(garbage);
            assertArrayEquals(gunzipJdk(gz.toByteArray()), gunzipIsal(gz.toByteArray(), 8192));
        }
    }

    @Test
    void headerFieldsAreSkippedAndTheirCrcChecked() throws IOException {
        byte[] a = compressible(50_000);
        byte[] plain = zlibGzip(a);
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3});
        header.write(new byte[] {3, 0, 'x', 'y', 'z'});
        header.write("name.tar\0a comment\0".getBytes(StandardCharsets.US_ASCII));
        CRC32 crc = new CRC32();
        crc.update(header.toByteArray());
        int hcrc = (int) crc.getValue();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.write(header.toByteArray());
        gz.write(hcrc & 0xff);
        gz.write((hcrc >>> 8) & 0xff);
        gz.write(plain, 10, plain.length - 10);
        byte[] good = gz.toByteArray();
        assertArrayEquals(a, gunzipJdk(good));
        assertArrayEquals(a, gunzipIsal(good, 8192));
        byte[] bad = good.clone();
        bad[header.size()] ^= 1;
        assertThrows(IOException.class, () -> gunzipJdk(bad));
        assertThrows(IOException.class, () -> gunzipIsal(bad, 8192));
    }

    /** Corrupt input in every way GZIPInputStream rejects it: ISA-L rejects it too, never returning short data. */
    @ParameterizedTest
    @ValueSource(strings = {"flip", "truncate", "crc", "isize", "notgzip", "empty"})
    void corruptInputIsAnError(String how) throws IOException {
        byte[] input = compressible(3 * BLOCK);
        for (byte[] gz : List.of(zlibGzip(input), parallel(input, 2, 65536, Gzip.Codec.ISAL))) {
            int trailer = gz.length - 8;
            List<byte[]> corrupt = switch (how) {
                case "flip" -> List.of(flip(gz, 10), flip(gz, gz.length / 3), flip(gz, gz.length / 2 + 1));
                case "truncate" ->
                    List.of(
                            Arrays.copyOf(gz, 5),
                            Arrays.copyOf(gz, 10),
                            Arrays.copyOf(gz, gz.length / 2),
                            Arrays.copyOf(gz, trailer),
                            Arrays.copyOf(gz, gz.length - 1));
                case "crc" -> List.of(flip(gz, trailer), flip(gz, trailer + 3));
                case "isize" -> List.of(flip(gz, trailer + 4), flip(gz, trailer + 7));
                case "notgzip" -> List.of("not gzip at all".getBytes(StandardCharsets.US_ASCII));
                default -> List.of(new byte[0]);
            };
            for (byte[] bytes : corrupt) {
                assertThrows(IOException.class, () -> gunzipJdk(bytes), "zlib rejects it (" + how + ")");
                assertThrows(IOException.class, () -> gunzipIsal(bytes, 8192), "ISA-L rejects it (" + how + ")");
            }
        }
    }

    private static byte[] flip(byte[] bytes, int at) {
        byte[] copy = bytes.clone();
        copy[at] ^= 0x10;
        return copy;
    }

    @Test
    void theJdkCodecIsZlibAsBefore() throws IOException {
        InputStream in = Gzip.input(new ByteArrayInputStream(zlibGzip(new byte[10])), Gzip.Codec.JDK);
        assertInstanceOf(GZIPInputStream.class, in);
        byte[] input = compressible(2 * BLOCK + 5);
        byte[] jdk = parallel(input, 3, 65536, Gzip.Codec.JDK);
        assertArrayEquals(jdk, parallel(input, 1, 777, Gzip.Codec.JDK));
        assertArrayEquals(input, gunzipJdk(jdk));
        assertArrayEquals(input, gunzipIsal(jdk, 8192));
    }

    /** FERRY_GZIP=jdk in the environment: everything is zlib (a child JVM, since the choice is made once). */
    @Test
    void ferryGzipJdkForcesZlib() throws Exception {
        for (String value : List.of("jdk", "isal")) {
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    PrintCodec.class.getName());
            builder.environment().put(Isal.ENV, value);
            builder.redirectErrorStream(true);
            Process java = builder.start();
            String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(java.waitFor(60, TimeUnit.SECONDS));
            assertEquals(value.equals("jdk") ? "JDK FERRY_GZIP=jdk" : "ISAL null", output);
        }
    }

    /** Prints the codec in use and why (the child JVM of {@link #ferryGzipJdkForcesZlib}). */
    static final class PrintCodec {
        public static void main(String[] args) {
            System.out.println(Gzip.codec() + " " + Gzip.whyNotIsal());
        }
    }
}
