package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VerifyingInputStreamTest {
    private final byte[] data = new byte[100_000];
    private final Descriptor descriptor;

    VerifyingInputStreamTest() {
        new Random(1).nextBytes(data);
        descriptor = Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(data), data.length);
    }

    @Test
    void passesMatchingContent() throws IOException {
        VerifyingInputStream in = VerifyingInputStream.verify(new ByteArrayInputStream(data), descriptor);
        assertArrayEquals(data, in.readAllBytes());
        assertTrue(in.verified());
        assertEquals(data.length, in.count());
    }

    @Test
    void oneFlippedByteFailsAtTheEnd() {
        byte[] bad = data.clone();
        bad[54321] ^= 1;
        VerifyingInputStream in = VerifyingInputStream.verify(new ByteArrayInputStream(bad), descriptor);
        DigestMismatchException e = assertThrows(DigestMismatchException.class, in::readAllBytes);
        assertEquals(descriptor.digest(), e.expected());
        assertEquals(Digest.sha256(bad), e.actual());
    }

    @Test
    void tooLongFailsAsSoonAsTheSizeIsPassed() throws IOException {
        byte[] longer = new byte[data.length + 10_000_000];
        System.arraycopy(data, 0, longer, 0, data.length);
        InputStream in = VerifyingInputStream.verify(new ByteArrayInputStream(longer), descriptor);
        byte[] buf = new byte[8192];
        long read = 0;
        DigestMismatchException e = null;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                read += n;
            }
        } catch (DigestMismatchException thrown) {
            e = thrown;
        }
        assertTrue(e != null && read < data.length + buf.length, "failed early, after " + read);
        assertNull(e.actual());
    }

    @Test
    void aTrustedStreamChecksTheSizeButNotTheDigest() throws IOException {
        byte[] flipped = data.clone();
        flipped[54321] ^= 1;
        VerifyingInputStream trusted = VerifyingInputStream.trusted(new ByteArrayInputStream(flipped), descriptor);
        assertArrayEquals(flipped, trusted.readAllBytes());
        assertTrue(trusted.verified(), "hashed as it was written: not hashed again");
        assertSame(trusted, VerifyingInputStream.verify(trusted, descriptor), "and a sink does not hash it either");
        InputStream shorter = VerifyingInputStream.trusted(
                new ByteArrayInputStream(Arrays.copyOf(data, data.length - 1)), descriptor);
        assertThrows(DigestMismatchException.class, shorter::readAllBytes);
    }

    @Test
    void tooShortFails() {
        byte[] shorter = Arrays.copyOf(data, data.length - 1);
        InputStream in = VerifyingInputStream.verify(new ByteArrayInputStream(shorter), descriptor);
        DigestMismatchException e = assertThrows(DigestMismatchException.class, in::readAllBytes);
        assertEquals(data.length - 1, e.actualSize());
    }

    @Test
    void skippedBytesAreVerifiedToo() throws IOException {
        byte[] bad = data.clone();
        bad[10] ^= 1;
        InputStream in = VerifyingInputStream.verify(new ByteArrayInputStream(bad), descriptor);
        in.skip(100);
        assertThrows(DigestMismatchException.class, in::readAllBytes);
    }

    @Test
    void wrappingTwiceSharesOneHash() {
        VerifyingInputStream once = VerifyingInputStream.verify(new ByteArrayInputStream(data), descriptor);
        assertSame(once, VerifyingInputStream.verify(once, descriptor));
        Descriptor other = Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(new byte[1]), 1);
        assertTrue(VerifyingInputStream.verify(once, other) != once);
    }
}
