package dev.ferry.spi.support;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Intel's ISA-L (Debian's {@code libisal2}), bound through JNA's direct mapping: its streaming deflate and
 * inflate, 5-8 times zlib's deflate speed at the levels Ferry uses and twice its inflate speed. Loaded once, on
 * first use; {@link #available()} is false, and every caller uses the JDK's zlib, when the library is absent, when
 * {@code FERRY_GZIP=jdk} is set, on anything but a 64-bit little-endian Linux, or when the self-test that runs at
 * load time (a round trip through ISA-L and zlib both ways) does not give back its input.
 *
 * <p>The struct offsets and sizes below are those of ISA-L 2.30's {@code igzip_lib.h} on LP64 (x86-64 and aarch64
 * have the same layout); {@code scripts/isal-offsets.c} prints them from the real headers. The structs are
 * allocated in native memory, with room to spare, and every length is checked before a native call.
 */
final class Isal {
    /** The environment variable that picks the codec: {@code jdk} forces zlib, anything else lets ISA-L in. */
    static final String ENV = "FERRY_GZIP";

    // struct isal_zstream (sizeof 82384 in 2.30)
    static final long ZSTREAM_SIZE = 82384;
    static final long Z_NEXT_IN = 0;
    static final long Z_AVAIL_IN = 8;
    static final long Z_NEXT_OUT = 16;
    static final long Z_AVAIL_OUT = 24;
    static final long Z_LEVEL = 40;
    static final long Z_LEVEL_BUF_SIZE = 44;
    static final long Z_LEVEL_BUF = 48;
    static final long Z_END_OF_STREAM = 56;
    static final long Z_FLUSH = 58;
    static final long Z_GZIP_FLAG = 60;
    static final long Z_HIST_BITS = 62;
    static final long Z_STATE = 84;
    // struct inflate_state (sizeof 87368 in 2.30)
    static final long INFLATE_STATE_SIZE = 87368;
    static final long I_NEXT_OUT = 0;
    static final long I_AVAIL_OUT = 8;
    static final long I_TOTAL_OUT = 12;
    static final long I_NEXT_IN = 16;
    static final long I_AVAIL_IN = 32;
    static final long I_BLOCK_STATE = 21160;
    static final long I_CRC_FLAG = 21172;
    static final long I_HIST_BITS = 21180;

    /**
     * The ISA-L versions whose structs have the layout below: scripts/isal-offsets.c prints the same offsets, sizes
     * and constants compiled against Debian 12's libisal-dev (2.30) and against include/igzip_lib.h of every tag
     * from v2.28.0 to v2.32.1 of github.com/intel/isa-l (Debian 13 and Ubuntu 24.04 ship 2.31). The layout did
     * change within soname 2 before (2.2x), so any other version is left alone.
     */
    static final Set<String> VERIFIED = Set.of("2.28", "2.29", "2.30", "2.31", "2.32");

    /** Allocated beyond each struct's 2.30 size, so that a later 2.x that grew its internal state stays in bounds. */
    static final long SLACK = 64 << 10;

    // constants of igzip_lib.h
    static final int SYNC_FLUSH = 1;
    static final int NO_FLUSH = 0;
    static final int IGZIP_DEFLATE = 0;
    static final int ZSTATE_NEW_HDR = 0;
    static final int ZSTATE_END = 11;
    static final int COMP_OK = 0;
    static final int ISAL_DEFLATE = 0;
    static final int ISAL_GZIP_NO_HDR_VER = 6;
    static final int ISAL_BLOCK_FINISH = 5;
    static final int ISAL_DECOMP_OK = 0;
    static final int ISAL_END_INPUT = 1;
    static final int ISAL_OUT_OVERFLOW = 2;
    static final int ISAL_INCORRECT_CHECKSUM = -6;

    /**
     * The level buffer each level gets (level 0 needs none): ISAL_DEF_LVLn_DEFAULT for levels 2 and 3, and
     * ISAL_DEF_LVL1_SMALL for level 1 (16 K tokens before each Huffman table, where the default holds 64 K): on
     * 512 KiB blocks its tables follow the data more closely, 0.6% smaller on a Debian layer for 2% more CPU.
     */
    static int levelBufferSize(int level) {
        return switch (level) {
            case 1 -> 86016;
            case 2 -> 331776;
            case 3 -> 348160;
            default -> 0;
        };
    }

    private Isal() {}

    // the direct-mapped functions: registered by Holder, never called before Holder.OK is true
    static native void isal_deflate_init(Pointer stream);

    static native int isal_deflate_set_dict(Pointer stream, Pointer dict, int length);

    static native int isal_deflate(Pointer stream);

    static native void isal_inflate_init(Pointer state);

    static native void isal_inflate_reset(Pointer state);

    static native int isal_inflate(Pointer state);

    /** True when ISA-L is loaded, passed its self-test, and {@code FERRY_GZIP} is not {@code jdk}. */
    static boolean available() {
        return Holder.OK;
    }

    /** Why ISA-L is not used (for {@code --debug} and the tests), or null when it is. */
    static String unavailableReason() {
        return Holder.REASON;
    }

    /** Loaded on first use: the JVM runs this once, and every thread sees the result. */
    private static final class Holder {
        static final boolean OK;
        static final String REASON;

        static {
            String reason = load();
            OK = reason == null;
            REASON = reason;
        }

        private static String load() {
            String forced = JnaLibraries.forcedToJdk(ENV, System.getenv(ENV));
            if (forced != null) {
                return forced;
            }
            try {
                if (!Platform.isLinux()
                        || Native.POINTER_SIZE != 8
                        || Native.LONG_SIZE != 8
                        || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                    return "not a 64-bit little-endian Linux";
                }
                Native.register(Isal.class, JnaLibraries.open("libisal.so.2"));
            } catch (LinkageError | RuntimeException e) {
                // JNA's own stub did not load (a noexec temporary folder...), or libisal.so.2 is not installed
                return "libisal.so.2 not loaded (" + e.getMessage() + ")";
            }
            String version = loadedVersion();
            if (!VERIFIED.contains(version)) {
                return "ISA-L " + version + " is not a version whose struct layout Ferry knows (" + VERIFIED + ")";
            }
            try {
                return selfTest();
            } catch (IOException | RuntimeException | LinkageError e) {
                return "self-test failed: " + e;
            }
        }

        /**
         * The version of the libisal.so.2 this process mapped, from its real file name (libisal.so.2.0.30 is ISA-L
         * 2.30), or "unknown".
         */
        private static String loadedVersion() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                    int at = line.indexOf('/');
                    if (at >= 0 && line.contains("libisal.so.2")) {
                        String name = Path.of(line.substring(at).trim())
                                .toRealPath()
                                .getFileName()
                                .toString();
                        Matcher m =
                                Pattern.compile("libisal\\.so\\.2\\.0\\.(\\d+)").matcher(name);
                        return m.matches() ? "2." + m.group(1) : "unknown (" + name + ")";
                    }
                }
            } catch (IOException | RuntimeException e) {
                return "unknown (" + e.getMessage() + ")";
            }
            return "unknown";
        }

        /**
         * Compresses a sample with ISA-L (two blocks, a dictionary, a sync flush and the end, as the parallel
         * writer does) and reads it back with the JDK's zlib; then reads a zlib-made gzip of two members through
         * ISA-L. Any difference means the layout above is not this library's.
         */
        private static String selfTest() throws IOException {
            // small (it runs in the interpreter, before anything is compiled: 25-35 ms with 72 KB and 1 MiB of
            // output room, 2-4 ms like this) yet two blocks, a dictionary, literals and matches
            byte[] sample = new byte[12_000];
            Random random = new Random(42);
            for (int i = 0; i < sample.length; i++) {
                sample[i] = (byte) (i % 1000 < 600 ? 'a' + random.nextInt(6) : random.nextInt(256));
            }
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (IsalDeflater deflater = new IsalDeflater(1)) {
                gz.write(0x1f);
                gz.write(0x8b);
                gz.write(new byte[] {8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
                int half = sample.length / 2;
                IsalDeflater.Output first = deflater.deflate(sample, 0, half, null, false, new byte[16]);
                gz.write(first.buffer(), 0, first.length());
                byte[] dict = Arrays.copyOfRange(sample, 0, half);
                IsalDeflater.Output second =
                        deflater.deflate(sample, half, sample.length - half, dict, true, new byte[16]);
                gz.write(second.buffer(), 0, second.length());
            }
            CRC32 crc = new CRC32();
            crc.update(sample);
            writeIntLe(gz, (int) crc.getValue());
            writeIntLe(gz, sample.length);
            byte[] back;
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.toByteArray()))) {
                back = in.readAllBytes();
            }
            if (!Arrays.equals(back, sample)) {
                return "self-test: ISA-L's deflate output does not inflate to its input";
            }
            ByteArrayOutputStream zlib = new ByteArrayOutputStream();
            for (int member = 0; member < 2; member++) {
                try (GZIPOutputStream out = new GZIPOutputStream(zlib) {
                    @Override
                    public void close() throws IOException {
                        finish();
                    }
                }) {
                    out.write(sample);
                }
            }
            byte[] twice;
            try (InputStream in = new IsalGzipInputStream(new ByteArrayInputStream(zlib.toByteArray()))) {
                twice = in.readAllBytes();
            }
            if (twice.length != 2 * sample.length
                    || !Arrays.equals(twice, 0, sample.length, sample, 0, sample.length)
                    || !Arrays.equals(twice, sample.length, twice.length, sample, 0, sample.length)) {
                return "self-test: ISA-L's inflate does not give back zlib's input";
            }
            return null;
        }

        private static void writeIntLe(ByteArrayOutputStream out, int v) {
            for (int i = 0; i < 4; i++) {
                out.write(v >>> (8 * i));
            }
        }
    }
}
