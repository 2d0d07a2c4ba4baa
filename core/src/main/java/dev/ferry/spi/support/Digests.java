package dev.ferry.spi.support;

import static java.util.Objects.requireNonNull;

import dev.ferry.model.DigestAlgorithm;
import java.security.MessageDigest;

/**
 * The digests Ferry hashes blobs with: OpenSSL's libcrypto where it is installed (see {@link LibCrypto}: SHA
 * instructions from the first byte, also when the JVM runs the quick compiler alone), else the JDK's. Small content
 * (manifests, configs, blobs under {@value #NATIVE_MIN} bytes) is hashed by the JDK: loading the native library
 * costs more than hashing it. {@code FERRY_DIGEST=jdk} forces the JDK's digests everywhere.
 */
public final class Digests {
    /** The smallest blob hashed through libcrypto when its size is known. */
    public static final long NATIVE_MIN = 1 << 20;

    private Digests() {}

    /** A fresh digest for a blob of {@code size} bytes (-1 when unknown, as for a layer being written). */
    public static MessageDigest forBlob(DigestAlgorithm algorithm, long size) {
        requireNonNull(algorithm, "algorithm is null");
        if ((size < 0 || size >= NATIVE_MIN) && LibCrypto.available()) {
            return LibCrypto.newDigest(algorithm);
        }
        return algorithm.newMessageDigest();
    }

    /** A fresh digest for a stream of unknown, typically large, size (a layer being written or read). */
    public static MessageDigest forStream(DigestAlgorithm algorithm) {
        return forBlob(algorithm, -1);
    }

    /** Whether blobs are hashed by libcrypto in this process. */
    public static boolean nativeAvailable() {
        return LibCrypto.available();
    }

    /** Why blobs are hashed by the JDK in this process, or null when libcrypto hashes them. */
    public static String nativeUnavailableReason() {
        return LibCrypto.unavailableReason();
    }
}
