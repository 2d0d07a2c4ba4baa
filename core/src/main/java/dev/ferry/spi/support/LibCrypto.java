package dev.ferry.spi.support;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.ferry.model.DigestAlgorithm;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * OpenSSL's libcrypto ({@code libcrypto.so.3}, on every Debian since 12; {@code libcrypto.so.1.1} before), bound
 * through JNA's direct mapping: its EVP SHA-256 and SHA-512, which use the CPU's SHA instructions (SHA-NI, ARMv8
 * SHA2). Measured here: ~1 GB/s from the first byte, where the JDK's SHA-256 runs at ~120 MB/s until C2 has compiled
 * its intrinsic (and never faster under the quick compiler alone, {@code -XX:TieredStopAtLevel=1}).
 *
 * <p>Loaded once, on first use; {@link #available()} is false, and {@link Digests} gives the JDK's digests, when the
 * library is absent, when {@code FERRY_DIGEST=jdk} is set, on anything but a 64-bit Linux, or when the self-test
 * that runs at load time (known answers, and the JDK's digest of a sample fed in uneven pieces) fails. Bytes reach
 * libcrypto through a native buffer of this class's own, written with bounds-checked copies; the native calls get
 * only that buffer and a length within it.
 */
final class LibCrypto {
    /** The environment variable that picks the digests: {@code jdk} forces the JDK's, anything else lets libcrypto in. */
    static final String ENV = "FERRY_DIGEST";

    /** The native buffer of each digest: bytes are gathered here and handed to libcrypto a buffer at a time. */
    static final int BUFFER = 64 * 1024;

    private LibCrypto() {}

    // the direct-mapped functions: registered by Holder, never called before Holder.OK is true
    static native Pointer EVP_MD_CTX_new();

    static native void EVP_MD_CTX_free(Pointer ctx);

    static native Pointer EVP_sha256();

    static native Pointer EVP_sha512();

    static native int EVP_DigestInit_ex(Pointer ctx, Pointer type, Pointer engine);

    static native int EVP_DigestUpdate(Pointer ctx, Pointer data, long count);

    static native int EVP_DigestFinal_ex(Pointer ctx, Pointer md, Pointer size);

    /** True when libcrypto is loaded, passed its self-test, and {@code FERRY_DIGEST} is not {@code jdk}. */
    static boolean available() {
        return Holder.OK;
    }

    /** Why libcrypto is not used (for {@code --debug} and the tests), or null when it is. */
    static String unavailableReason() {
        return Holder.REASON;
    }

    /** A digest computed by libcrypto; only when {@link #available()}. */
    static MessageDigest newDigest(DigestAlgorithm algorithm) {
        if (!Holder.OK) {
            throw new IllegalStateException("libcrypto is not available: " + Holder.REASON);
        }
        return new NativeDigest(algorithm);
    }

    /** Why {@code env} (the value of {@code FERRY_DIGEST}, or null) keeps libcrypto out, or null when it does not. */
    static String refusedBy(String env) {
        return JnaLibraries.forcedToJdk(ENV, env);
    }

    /** Frees the native state of digests nobody holds any more (its thread starts with the first digest). */
    private static final class Frees {
        static final Cleaner CLEANER = Cleaner.create();
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
            String refused = refusedBy(System.getenv(ENV));
            if (refused != null) {
                return refused;
            }
            try {
                if (!Platform.isLinux() || Native.POINTER_SIZE != 8 || Native.SIZE_T_SIZE != 8) {
                    return "not a 64-bit Linux";
                }
            } catch (LinkageError | RuntimeException e) {
                return "JNA not loaded (" + e.getMessage() + ")";
            }
            String failures = "";
            for (String name : new String[] {"libcrypto.so.3", "libcrypto.so.1.1"}) {
                try {
                    Native.register(LibCrypto.class, JnaLibraries.open(name));
                    failures = null;
                    break;
                } catch (LinkageError | RuntimeException e) {
                    failures += (failures.isEmpty() ? "" : "; ") + name + ": " + e.getMessage();
                }
            }
            if (failures != null) {
                return "libcrypto not loaded (" + failures + ")";
            }
            try {
                return selfTest();
            } catch (RuntimeException | Error e) {
                return "self-test failed: " + e;
            }
        }

        /**
         * The known answers of FIPS 180-2: "abc", and a million times "a" fed in uneven pieces (across the native
         * buffer's edge, the last byte alone). Native hashing only: the JDK's SHA-256, not yet compiled, costs more.
         */
        private static String selfTest() {
            String[][] known = {
                {
                    "SHA256",
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
                },
                {
                    "SHA512",
                    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
                    "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                            + "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"
                },
            };
            byte[] a = new byte[BUFFER + 4321];
            Arrays.fill(a, (byte) 'a');
            for (String[] k : known) {
                MessageDigest md = new NativeDigest(DigestAlgorithm.valueOf(k[0]));
                if (!HexFormat.of()
                        .formatHex(md.digest("abc".getBytes(StandardCharsets.US_ASCII)))
                        .equals(k[1])) {
                    return "self-test: wrong " + k[0] + " of \"abc\"";
                }
                int left = 1_000_000 - 1;
                for (int step = 1; left > 0; step = (step * 7 + 3) % 100_003) {
                    int n = Math.min(step % a.length + 1, left);
                    md.update(a, a.length - n, n);
                    left -= n;
                }
                md.update((byte) 'a');
                if (!HexFormat.of().formatHex(md.digest()).equals(k[2])) {
                    return "self-test: wrong " + k[0] + " of a million \"a\"";
                }
            }
            return null;
        }
    }

    /**
     * A {@link MessageDigest} whose state lives in libcrypto (an {@code EVP_MD_CTX}, freed when this object is
     * collected). Bytes are copied into a native buffer and handed over whenever it is full, so small updates cost
     * a copy, not a native call each. Not cloneable.
     */
    private static final class NativeDigest extends MessageDigest {
        private final DigestAlgorithm algorithm;
        private final Pointer type;
        private final Pointer ctx;
        private final Memory buffer = new Memory(BUFFER);
        private final int length;
        private int filled;

        NativeDigest(DigestAlgorithm algorithm) {
            super(algorithm == DigestAlgorithm.SHA256 ? "SHA-256" : "SHA-512");
            this.algorithm = algorithm;
            this.type = algorithm == DigestAlgorithm.SHA256 ? EVP_sha256() : EVP_sha512();
            this.length = algorithm == DigestAlgorithm.SHA256 ? 32 : 64;
            if (type == null) {
                throw new IllegalStateException("libcrypto has no " + algorithm);
            }
            Pointer c = EVP_MD_CTX_new();
            if (c == null) {
                throw new OutOfMemoryError("EVP_MD_CTX_new failed");
            }
            this.ctx = c;
            long peer = Pointer.nativeValue(c);
            Frees.CLEANER.register(this, () -> EVP_MD_CTX_free(new Pointer(peer)));
            init();
        }

        private void init() {
            filled = 0;
            check(EVP_DigestInit_ex(ctx, type, null), "EVP_DigestInit_ex");
        }

        private void check(int result, String call) {
            if (result != 1) {
                throw new IllegalStateException(call + " failed for " + algorithm);
            }
        }

        private void flush() {
            if (filled > 0) {
                check(EVP_DigestUpdate(ctx, buffer, filled), "EVP_DigestUpdate");
                filled = 0;
            }
        }

        @Override
        protected void engineUpdate(byte input) {
            if (filled == BUFFER) {
                flush();
            }
            buffer.setByte(filled++, input);
        }

        @Override
        protected void engineUpdate(byte[] input, int offset, int len) {
            Objects.checkFromIndexSize(offset, len, input.length);
            while (len > 0) {
                int n = Math.min(len, BUFFER - filled);
                buffer.write(filled, input, offset, n); // bounds-checked by Memory as well
                filled += n;
                offset += n;
                len -= n;
                if (filled == BUFFER) {
                    flush();
                }
            }
        }

        @Override
        protected int engineGetDigestLength() {
            return length;
        }

        @Override
        protected byte[] engineDigest() {
            flush();
            check(EVP_DigestFinal_ex(ctx, buffer, null), "EVP_DigestFinal_ex");
            byte[] out = buffer.getByteArray(0, length);
            init();
            return out;
        }

        @Override
        protected void engineReset() {
            init();
        }

        @Override
        public Object clone() throws CloneNotSupportedException {
            throw new CloneNotSupportedException("a libcrypto digest is not cloned");
        }
    }
}
