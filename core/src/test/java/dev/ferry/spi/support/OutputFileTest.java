package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.FerryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFileTest {
    @TempDir
    Path dir;

    private static void write(OutputFile out, String text) throws IOException {
        FileChannel ch = out.open();
        ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        out.commit();
    }

    private static FerryException refused(Path path, String... fragments) {
        FerryException e = assertThrows(FerryException.class, () -> OutputFile.check(path));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
        }
        return e;
    }

    private static byte[] tar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry e = new TarArchiveEntry("etc/");
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isRoot() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aNewFileIsCreatedAndNoTemporaryIsLeft() throws Exception {
        Path out = dir.resolve("out.tar");
        OutputFile file = OutputFile.check(out);
        assertFalse(file.exists());
        write(file, "new");
        assertEquals("new", Files.readString(out));
        assertEquals(List.of("out.tar"), names());
    }

    @Test
    void closingWithoutCommitRemovesTheTemporaryAndLeavesTheTarget() throws Exception {
        Path out = Files.writeString(dir.resolve("out.tar"), "");
        try (OutputFile file = OutputFile.check(out)) {
            file.open().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertTrue(Files.exists(file.temporary()));
            assertTrue(TempFiles.isTemporaryName(file.temporary().getFileName().toString()));
        }
        assertEquals(List.of("out.tar"), names());
        assertEquals(0, Files.size(out));
    }

    @Test
    void openingSweepsWhatAKilledRunLeftBesideTheTarget() throws Exception {
        Path dead = Files.writeString(dir.resolve(".ferry-out.tar-999999999.1-0123456789ab.tmp"), "left");
        Path user = Files.writeString(dir.resolve("notes.txt"), "mine");
        try (OutputFile file = OutputFile.check(dir.resolve("out.tar"))) {
            file.open();
        }
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(user));
    }

    @Test
    void directoriesDevicesFifosAndSocketsAreRefusedWithoutOpeningThem() throws Exception {
        refused(Files.createDirectory(dir.resolve("folder")), "folder: it is a directory");
        refused(Path.of("/dev/null"), "/dev/null: it is a character device", "only regular files");
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        refused(fifo, "it is a FIFO"); // opening it would block: this returns, so it was not opened
        Path socket = dir.resolve("socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            refused(socket, "it is a socket");
        }
        assertTrue(Files.exists(fifo));
        assertFalse(Files.isRegularFile(fifo));
    }

    @Test
    void aSymlinkToADeviceOrToNothingIsRefused() throws Exception {
        Path toDevice = Files.createSymbolicLink(dir.resolve("null"), Path.of("/dev/null"));
        refused(toDevice, "it is a symlink to /dev/null, a character device");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere/out.tar"));
        refused(dangling, "which does not exist");
        assertTrue(Files.isSymbolicLink(toDevice));
        assertFalse(Files.exists(dir.resolve("nowhere")));
    }

    @Test
    void aSymlinkToARegularFileIsWrittenThroughAndStays() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path target = Files.writeString(real.resolve("image.tar"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.tar"), Path.of("real/image.tar"));
        OutputFile file = OutputFile.check(link);
        assertEquals(target.toRealPath(), file.file());
        write(file, "new");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(Path.of("real/image.tar"), Files.readSymbolicLink(link));
        assertEquals("new", Files.readString(target));
        try (Stream<Path> s = Files.list(real)) {
            assertEquals(List.of(target), s.toList());
        }
    }

    @Test
    void aMissingOrNonFolderParentIsRefused() throws Exception {
        refused(dir.resolve("none/out.tar"), "its folder", "does not exist");
        Path file = Files.writeString(dir.resolve("file"), "x");
        refused(file.resolve("out.tar"), "is not a folder");
    }

    @Test
    void aReplacedFileKeepsItsModeAndOwner() throws Exception {
        Path out = Files.writeString(dir.resolve("out.tar"), "old");
        Files.setAttribute(out, "unix:mode", 0640);
        if (isRoot()) {
            Files.setAttribute(out, "unix:uid", 4242);
            Files.setAttribute(out, "unix:gid", 4343);
            Files.setAttribute(out, "unix:mode", 04751); // chown cleared nothing set yet; setuid kept below
        }
        int before = mode(out) & 07777;
        write(OutputFile.check(out), "new");
        assertEquals("new", Files.readString(out));
        assertEquals(before, mode(out) & 07777);
        if (isRoot()) {
            assertEquals(4242, Files.getAttribute(out, "unix:uid"));
            assertEquals(4343, Files.getAttribute(out, "unix:gid"));
        }
    }

    @Test
    void aReadOnlyFileIsReplacedOnlyWhenTheUserMayWriteIt() throws Exception {
        Path out = Files.writeString(dir.resolve("out.tar"), "old");
        Files.setAttribute(out, "unix:mode", 0444);
        if (Files.isWritable(out)) { // root, as cp and tar would
            write(OutputFile.check(out), "new");
            assertEquals("new", Files.readString(out));
            assertEquals(0444, mode(out) & 07777);
        } else {
            refused(out, "read-only for this user", "0444");
            assertEquals("old", Files.readString(out));
        }
    }

    @Test
    void theTarGuardPassesTarsAndEmptyFilesOnly() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty"));
        OutputFile.check(empty).requireTarOrEmpty("--force");
        Path tar = Files.write(dir.resolve("a.tar"), tar());
        OutputFile.check(tar).requireTarOrEmpty("--force");
        Path emptyTar = Files.write(dir.resolve("empty.tar"), new byte[1024]);
        OutputFile.check(emptyTar).requireTarOrEmpty("--force");
        OutputFile.check(dir.resolve("new.tar")).requireTarOrEmpty("--force");

        Path text = Files.writeString(dir.resolve("notes.txt"), "my notes\n");
        FerryException e =
                assertThrows(FerryException.class, () -> OutputFile.check(text).requireTarOrEmpty("--force"));
        assertTrue(e.getMessage().contains("notes.txt: it is not a tar archive and not empty"), e.getMessage());
        assertTrue(e.hint().contains("--force"), e.hint());
        Path zeros = Files.write(dir.resolve("disk.img"), new byte[1 << 20]);
        assertThrows(FerryException.class, () -> OutputFile.check(zeros).requireTarOrEmpty("--force"));
        byte[] damaged = tar();
        damaged[0] ^= 1; // the header's checksum no longer matches
        Path bad = Files.write(dir.resolve("bad.tar"), damaged);
        assertThrows(FerryException.class, () -> OutputFile.check(bad).requireTarOrEmpty(null));
        assertArrayEquals("my notes\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(text));
    }

    @Test
    void aTargetThatBecameAFifoWhileWritingIsNotReplaced() throws Exception {
        Path out = dir.resolve("out.tar");
        OutputFile file = OutputFile.check(out);
        file.open().write(ByteBuffer.wrap(new byte[] {1}));
        assertEquals(0, new ProcessBuilder("mkfifo", out.toString()).start().waitFor());
        FerryException e = assertThrows(FerryException.class, file::commit);
        assertTrue(e.getMessage().contains("it became a FIFO"), e.getMessage());
        file.close();
        assertFalse(Files.isRegularFile(out));
        assertEquals(List.of("out.tar"), names());
    }

    @Test
    void longPathsAreShortenedInMessages() {
        String longName = ("d".repeat(50) + "/").repeat(6) + "out.tar";
        FerryException e = assertThrows(FerryException.class, () -> OutputFile.check(dir.resolve(longName)));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        assertTrue(e.getMessage().contains("..."), e.getMessage());
    }
}
