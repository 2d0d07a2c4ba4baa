package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.FerryException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacking: what waits for the end (folder mtimes, rootless owners) kept in temporary files, removed at close. */
class ExtractorTest {
    @TempDir
    Path tmp;

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }

    private void unpack(Path scratch) throws Exception {
        byte[] tar = new TestImage.Tar()
                .dir("etc", 0755)
                .file("etc/hostname", 0644, "ferry")
                .dir("etc/caf\u00e9", 0700)
                .file("etc/caf\u00e9/menu", 0600, "tea")
                .symlink("link", "etc")
                .bytes();
        TestImage image = new TestImage(tmp.resolve("image"), List.of(tar), true, null, false);
        Path root = Files.createDirectories(tmp.resolve("root-" + (scratch != null)));
        List<String> warnings = new ArrayList<>();
        try (Extractor extractor = new Extractor(root, true, warnings::add, scratch)) {
            Flattener.flatten(image, image.inspect(), extractor, scratch);
            if (scratch != null) {
                assertEquals(1, files(scratch).size(), "the bookkeeping: " + files(scratch));
            }
            extractor.finish();
            assertEquals(5, extractor.recordedOwnerCount());
            Path owners = tmp.resolve("owners-" + (scratch != null) + ".json");
            extractor.writeOwners(owners);
            // owners from the test tar: mode % 7, mode % 5
            assertEquals(
                    "{\"etc\":[3,3],\"etc/hostname\":[0,0],\"etc/caf\u00e9\":[0,3],\"etc/caf\u00e9/menu\":[6,4],"
                            + "\"link\":[0,1]}",
                    Files.readString(owners));
            assertEquals(5, extractor.recordedOwners().size());
        }
        // mtimes from the test tar: 1_600_000_000_000 + mode
        assertEquals(
                1_600_000_000_000L + 0755,
                Files.getLastModifiedTime(root.resolve("etc"), LinkOption.NOFOLLOW_LINKS)
                        .toMillis());
        assertEquals(
                1_600_000_000_000L + 0700,
                Files.getLastModifiedTime(root.resolve("etc/caf\u00e9"), LinkOption.NOFOLLOW_LINKS)
                        .toMillis());
        assertEquals("tea", Files.readString(root.resolve("etc/caf\u00e9/menu")));
        if (scratch != null) {
            assertEquals(List.of(), files(scratch));
        }
    }

    @Test
    void ownersAndFolderTimesInTemporaryFiles() throws Exception {
        unpack(Files.createDirectory(tmp.resolve("scratch")));
    }

    @Test
    void ownersAndFolderTimesOnTheHeap() throws Exception {
        unpack(null);
    }

    @Test
    void unpackingStopsBeforeTheFileSystemIsFull() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        DiskSpace.fakeUsable = () -> 1000;
        try (Extractor extractor = new Extractor(root, true, w -> {}, tmp)) {
            TarArchiveEntry small = new TarArchiveEntry("small");
            small.setSize(3);
            extractor.write(small, new ByteArrayInputStream(new byte[3]));
            TarArchiveEntry big = new TarArchiveEntry("big");
            big.setSize(DiskSpace.CHECK_EVERY_MIB << 20);
            FerryException e = assertThrows(
                    FerryException.class,
                    () -> extractor.write(big, new ByteArrayInputStream(new byte[DiskSpace.CHECK_EVERY_MIB << 20])));
            assertTrue(e.getMessage().startsWith("stopped unpacking into " + tmp), e.getMessage());
            assertTrue(e.getMessage().contains("less than 1M left"), e.getMessage());
        } finally {
            DiskSpace.fakeUsable = null;
        }
    }
}
