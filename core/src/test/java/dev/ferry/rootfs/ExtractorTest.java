package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.FerryException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
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

    private static TarArchiveEntry dir(String name) {
        return new TarArchiveEntry(name + "/");
    }

    private static TarArchiveEntry link(String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        entry.setLinkName(target);
        return entry;
    }

    private static void file(Extractor extractor, String name, String text) throws Exception {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        entry.setSize(bytes.length);
        entry.setMode(0644);
        extractor.write(entry, new ByteArrayInputStream(bytes));
    }

    /**
     * Entries in the way of another are replaced whatever their kind, and a folder replaced by a symlink is not
     * used as a parent any more (remembered parents are forgotten): the symlink is resolved inside the root, so
     * an absolute target outside it never receives a file.
     */
    @Test
    void replacedEntriesAndARememberedParentReplacedByASymlink() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        try (Extractor extractor = new Extractor(root, true, w -> {}, null)) {
            extractor.write(dir("a"), null);
            file(extractor, "a/one", "1"); // a is now a remembered parent
            extractor.write(link("a", outside.toString()), null); // a folder replaced by a symlink out of the root
            file(extractor, "a/two", "2");
            file(extractor, "f", "file");
            extractor.write(dir("f"), null); // a file replaced by a folder
            file(extractor, "f/inside", "x");
            extractor.write(link("l", "f"), null);
            file(extractor, "l", "was a symlink"); // a symlink replaced by a file
            extractor.write(dir("d"), null);
            file(extractor, "d/x", "x");
            file(extractor, "d", "was a folder"); // a folder replaced by a file
        }
        assertEquals(List.of(), files(outside), "nothing written outside the root");
        assertEquals(
                outside.toString(), Files.readSymbolicLink(root.resolve("a")).toString());
        assertEquals(
                "2",
                Files.readString(root.resolve(outside.toString().substring(1)).resolve("two")),
                "the symlink's absolute target, inside the root");
        assertEquals("x", Files.readString(root.resolve("f/inside")));
        assertEquals("was a symlink", Files.readString(root.resolve("l")));
        assertTrue(Files.isRegularFile(root.resolve("l"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("was a folder", Files.readString(root.resolve("d")));
    }
}
