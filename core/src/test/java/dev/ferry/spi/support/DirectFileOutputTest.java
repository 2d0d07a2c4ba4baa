package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectFileOutputTest {
    /** Filesystems with O_DIRECT on every Linux this runs on: there the writer must not fall back. */
    private static final Set<String> DIRECT_FILESYSTEMS = Set.of("ext4", "xfs", "btrfs");

    @TempDir
    Path dir;

    private DirectFileOutput open(Path file) throws IOException {
        DirectFileOutput out = DirectFileOutput.create(file, true);
        if (DIRECT_FILESYSTEMS.contains(Files.getFileStore(dir).type())) {
            assertNotNull(out, "no O_DIRECT on " + Files.getFileStore(dir).type());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(
            ints = {
                0,
                1,
                4095,
                4096,
                DirectFileOutput.CHUNK - 1,
                DirectFileOutput.CHUNK,
                DirectFileOutput.CHUNK + 1,
                3 * DirectFileOutput.CHUNK + 12_345
            })
    void everyByteArrivesWhateverTheSizeAndTheWrites(int size) throws IOException {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Path file = dir.resolve("blob");
        DirectFileOutput out = open(file);
        if (out == null) {
            return; // a filesystem without O_DIRECT: create() made no file, and the caller writes through the cache
        }
        try (out) {
            // writes of every shape: single bytes, pieces across buffer ends, and whole runs
            int i = 0;
            Random shapes = new Random(7);
            while (i < size) {
                int n = Math.min(size - i, shapes.nextInt(3) == 0 ? 1 : shapes.nextInt(300_000));
                if (n == 1) {
                    out.write(data[i]);
                } else {
                    out.write(data, i, n);
                }
                i += n;
            }
            out.sync();
            assertEquals(size, out.size());
        }
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    @Test
    void closeWritesTheTailWithoutAnExplicitFinish() throws IOException {
        byte[] data = "a tail shorter than a block".getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("blob");
        DirectFileOutput out = open(file);
        if (out == null) {
            return;
        }
        try (out) {
            out.write(data, 0, data.length);
        }
        assertArrayEquals(data, Files.readAllBytes(file));
        assertThrows(IOException.class, () -> out.write(1));
    }

    @Test
    void nothingMayBeWrittenAfterFinish() throws IOException {
        Path file = dir.resolve("blob");
        DirectFileOutput out = open(file);
        if (out == null) {
            return;
        }
        try (out) {
            out.write(new byte[5000], 0, 5000);
            out.finish();
            out.finish();
            assertThrows(IOException.class, () -> out.write(new byte[1], 0, 1));
        }
        assertEquals(5000, Files.size(file));
    }

    @Test
    void anExistingFileIsNeitherOpenedNorTouched() throws IOException {
        Path file = dir.resolve("blob");
        Files.writeString(file, "someone else's");
        assertThrows(FileAlreadyExistsException.class, () -> DirectFileOutput.create(file, true));
        assertEquals("someone else's", Files.readString(file));
    }

    @Test
    void switchedOffItAnswersNullAndMakesNoFile() throws IOException {
        Path file = dir.resolve("blob");
        assertNull(DirectFileOutput.create(file, false));
        assertFalse(Files.exists(file));
    }

    @Test
    void buffersAreReusedFileAfterFile() throws IOException {
        for (int i = 0; i < 20; i++) {
            Path file = dir.resolve("blob" + i);
            DirectFileOutput out = open(file);
            if (out == null) {
                return;
            }
            byte[] data = new byte[DirectFileOutput.CHUNK + i];
            data[i] = (byte) i;
            try (out) {
                out.write(data, 0, data.length);
            }
            assertArrayEquals(data, Files.readAllBytes(file));
        }
    }
}
