package dev.ferry.transport.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.spi.InvalidReferenceException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplayInputStreamTest {
    private static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

    @Test
    void resendsFromAnyOffsetWithinWhatItKept() throws Exception {
        byte[] data = data(10_000);
        ReplayInputStream replay = new ReplayInputStream(new ByteArrayInputStream(data), 1024);
        InputStream first = replay.from(0);
        byte[] buf = new byte[700];
        int read = 0;
        for (int i = 0; i < 5; i++) {
            read += first.readNBytes(buf, 0, buf.length); // 3500 bytes, the ring wrapped several times
        }
        assertEquals(3500, replay.consumed());
        assertEquals(3500 - 1024, replay.oldest());
        assertThrows(IllegalArgumentException.class, () -> replay.from(3500 - 1025));
        byte[] rest = replay.from(3000).readAllBytes();
        assertArrayEquals(Arrays.copyOfRange(data, 3000, data.length), rest);
        assertEquals(data.length, replay.consumed());
        assertEquals(3500, read);
        assertArrayEquals(
                Arrays.copyOfRange(data, data.length - 1024, data.length),
                replay.from(data.length - 1024).readAllBytes(),
                "the kept tail, then the end");
    }

    @Test
    void aReadLargerThanTheRingKeepsItsTail() throws Exception {
        byte[] data = data(5000);
        ReplayInputStream replay = new ReplayInputStream(new ByteArrayInputStream(data), 1000);
        byte[] buf = new byte[4000];
        assertEquals(4000, replay.from(0).readNBytes(buf, 0, 4000));
        assertArrayEquals(
                Arrays.copyOfRange(data, 3000, 5000), replay.from(3000).readAllBytes());
    }

    @Test
    void loginNormalizesTheRegistry() throws Exception {
        assertEquals("docker.io", RegistryLogin.registry(null));
        assertEquals("docker.io", RegistryLogin.registry("https://index.docker.io/v1/"));
        assertEquals("reg.example:5000", RegistryLogin.registry("reg.example:5000"));
        assertEquals("localhost", RegistryLogin.registry("localhost"));
        assertThrows(InvalidReferenceException.class, () -> RegistryLogin.registry("not a host"));
    }
}
