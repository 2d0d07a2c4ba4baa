package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.spi.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The blob digests: libcrypto's give the JDK's answers whatever the pieces they are fed in, and the JDK's are used
 * when libcrypto is refused. On CI (CI=true) a missing libcrypto fails these tests (every Debian has libssl3);
 * elsewhere the tests that need it skip.
 */
class DigestsTest {
    private static void needLibCrypto() {
        if (!LibCrypto.available()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("libcrypto is not available on CI (apt-get install libssl3): " + LibCrypto.unavailableReason());
            }
            assumeTrue(false, "libcrypto is not available: " + LibCrypto.unavailableReason());
        }
    }

    private static boolean isNative(MessageDigest md) {
        return md.getProvider() == null; // the JDK's come from a provider, libcrypto's from none
    }

    @Test
    void libcryptoGivesTheJdksDigestsForEveryWayOfFeedingIt() {
        needLibCrypto();
        Random random = new Random(7);
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            for (int size : new int[] {0, 1, 55, 56, 64, 65535, 65536, 65537, 3 * 65536 + 17, 1 << 21}) {
                byte[] data = new byte[size + 10];
                random.nextBytes(data);
                MessageDigest jdk = algorithm.newMessageDigest();
                jdk.update(data, 5, size);
                byte[] expected = jdk.digest();
                // whole, in random pieces, byte by byte (for the small ones), through a ByteBuffer
                MessageDigest md = LibCrypto.newDigest(algorithm);
                md.update(data, 5, size);
                assertArrayEquals(expected, md.digest(), algorithm + " of " + size + " bytes, whole");
                // reused after digest(): starts again
                for (int off = 5; off < size + 5; ) {
                    int n = Math.min(random.nextInt(70000) + 1, size + 5 - off);
                    md.update(data, off, n);
                    off += n;
                }
                assertArrayEquals(expected, md.digest(), algorithm + " of " + size + " bytes, in pieces");
                if (size <= 65537) {
                    for (int i = 5; i < size + 5; i++) {
                        md.update(data[i]);
                    }
                    assertArrayEquals(expected, md.digest(), algorithm + " of " + size + " bytes, byte by byte");
                }
                md.update(data, 0, data.length);
                md.reset();
                md.update(ByteBuffer.wrap(data, 5, size));
                assertArrayEquals(expected, md.digest(), algorithm + " of " + size + " bytes, after a reset");
                assertEquals(algorithm == DigestAlgorithm.SHA256 ? 32 : 64, md.getDigestLength());
            }
        }
    }

    @Test
    void badBoundsAreRefusedBeforeAnyNativeCall() {
        needLibCrypto();
        MessageDigest md = LibCrypto.newDigest(DigestAlgorithm.SHA256);
        byte[] data = new byte[10];
        // MessageDigest checks some, the digest itself every one (a negative offset passes MessageDigest's check)
        assertThrows(IllegalArgumentException.class, () -> md.update(data, 5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> md.update(data, -1, 2));
        assertThrows(RuntimeException.class, () -> md.update(data, 2, -1));
        assertThrows(CloneNotSupportedException.class, md::clone);
        // still usable, and nothing of the refused calls went in
        assertArrayEquals(DigestAlgorithm.SHA256.newMessageDigest().digest(data), md.digest(data));
    }

    @Test
    void largeBlobsAndStreamsGetLibcryptoSmallOnesTheJdk() {
        needLibCrypto();
        assertTrue(isNative(Digests.forBlob(DigestAlgorithm.SHA256, Digests.NATIVE_MIN)));
        assertTrue(isNative(Digests.forStream(DigestAlgorithm.SHA512)));
        assertTrue(!isNative(Digests.forBlob(DigestAlgorithm.SHA256, Digests.NATIVE_MIN - 1)));
        assertNull(Digests.nativeUnavailableReason());
    }

    @Test
    void aLargeBlobThatDiffersInOneByteIsCaughtThroughLibcrypto() throws IOException {
        needLibCrypto();
        byte[] data = new byte[3 << 20];
        new Random(3).nextBytes(data);
        Descriptor blob = Descriptor.of("application/octet-stream", Digest.sha256(data), data.length);
        VerifyingInputStream.verify(new ByteArrayInputStream(data), blob).drainAndVerify();
        data[data.length / 2] ^= 1;
        VerifyingInputStream corrupt = VerifyingInputStream.verify(new ByteArrayInputStream(data), blob);
        assertThrows(DigestMismatchException.class, corrupt::drainAndVerify);
    }

    @Test
    void ferryDigestJdkIsTheOnlyValueThatRefusesLibcrypto() {
        assertEquals("FERRY_DIGEST=jdk", LibCrypto.refusedBy("jdk"));
        assertEquals("FERRY_DIGEST=jdk", LibCrypto.refusedBy(" JDK "));
        assertNull(LibCrypto.refusedBy(null));
        assertNull(LibCrypto.refusedBy(""));
        assertNull(LibCrypto.refusedBy("native"));
    }

    /** Run in a child JVM with FERRY_DIGEST=jdk: prints which digests a blob gets, and a large blob's digest. */
    public static void main(String[] args) throws IOException {
        byte[] data = new byte[2 << 20];
        new Random(5).nextBytes(data);
        MessageDigest md = Digests.forBlob(DigestAlgorithm.SHA256, data.length);
        Descriptor blob = Descriptor.of("application/octet-stream", Digest.sha256(data), data.length);
        VerifyingInputStream.verify(new ByteArrayInputStream(data), blob).drainAndVerify();
        System.out.println(Digests.nativeAvailable() + " " + (md.getProvider() != null) + " "
                + Digests.nativeUnavailableReason() + " " + Digest.fromHash(DigestAlgorithm.SHA256, md.digest(data)));
    }

    @Test
    void theFallbackIsForcedByFerryDigestJdkAndHashesTheSame() throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path") + File.pathSeparator,
                DigestsTest.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("FERRY_DIGEST", "jdk");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, process.waitFor(), out);
        byte[] data = new byte[2 << 20];
        new Random(5).nextBytes(data);
        assertEquals("false true FERRY_DIGEST=jdk " + Digest.sha256(data), out);
    }

    @Test
    void theReasonIsKnownWhicheverDigestsAreUsed() {
        assertTrue(Digests.nativeAvailable() == (Digests.nativeUnavailableReason() == null));
        assertNotNull(Digests.forBlob(DigestAlgorithm.SHA256, 0));
    }
}
