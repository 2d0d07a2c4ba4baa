package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.support.TempFiles;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorHandlerTest {
    @TempDir
    Path dir;

    private static String messageOf(IoAction action) {
        IOException e = assertThrows(IOException.class, action::run);
        String line = ErrorHandler.message(e);
        assertFalse(line.contains("\n"), line);
        return line;
    }

    interface IoAction {
        void run() throws IOException;
    }

    @Test
    void aDanglingSymlinkInTheWayIsNamedWithWhereItPoints() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("bundle"), dir.resolve("gone/b"));
        String line = messageOf(() -> Files.createDirectory(link));
        assertEquals(
                "cannot create the folder " + link + ": it is a symlink to " + dir.resolve("gone/b")
                        + ", which does not exist; remove the link, or name another path (Ferry does not create what a"
                        + " link points to)",
                line);
    }

    @Test
    void aMissingFolderIsNamed() {
        Path file = dir.resolve("none/deeper/out.tar");
        String line = messageOf(() -> Files.newOutputStream(file).close());
        assertEquals(
                "cannot write " + file + ": the folder " + dir.resolve("none") + " does not exist; create it"
                        + " first, or check the path",
                line);
    }

    @Test
    void existingFilesAndFilesInTheWay() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertEquals(
                "cannot create the folder " + file + ": it already exists; remove it, or name another path",
                messageOf(() -> Files.createDirectory(file)));
        String line = messageOf(() -> Files.createDirectory(file.resolve("sub")));
        assertTrue(line.startsWith("cannot create the folder " + file.resolve("sub") + ": "), line);
        assertTrue(line.contains("not a folder"), line);
    }

    @Test
    void permissionDeniedSaysWhatToCheck() {
        String line = ErrorHandler.message(new AccessDeniedException("/etc/x"));
        assertEquals(
                "cannot access /etc/x: permission denied; check the permissions of it and of the folders above" + " it",
                line);
    }

    @Test
    void aPathOverTheSystemLimitIsOneShortLineWithAHint() {
        Path deep = dir;
        for (int i = 0; i < 25; i++) {
            deep = deep.resolve("d".repeat(200));
        }
        Path target = deep.resolve("out.tar");
        assertTrue(target.toString().length() > 4096);
        String line = messageOf(() -> Files.createDirectories(target));
        assertTrue(line.length() < 400, line.length() + ": " + line);
        assertTrue(line.startsWith("cannot create the folder " + dir), line);
        assertTrue(line.contains("..."), line);
        assertTrue(line.contains("File name too long; the path is longer than the system allows"), line);
    }

    @Test
    void longWordsInAnyMessageAreShortenedButDigestsAreNot() {
        String digest = "sha512:" + "ab".repeat(64);
        String path = "/" + "x".repeat(4000) + "/out.tar";
        String line = ErrorHandler.message(new FerryException(path + " is a directory; " + digest, "name a file"));
        assertTrue(line.length() < 400, line);
        assertTrue(line.contains(digest), line);
        assertTrue(line.endsWith("x/out.tar is a directory; " + digest + "; name a file"), line);
    }

    @Test
    void diskFullHasAHint() {
        String line = ErrorHandler.message(new IOException("No space left on device"));
        assertTrue(line.startsWith("I/O error: No space left on device; free some space"), line);
    }

    @Test
    void aWriteThatFailsForSpaceNamesTheTargetNotNothing() {
        String line = ErrorHandler.message(new IOException("No space left on device"), "oci-archive:/mnt/out.tar");
        assertEquals(
                "cannot write oci-archive:/mnt/out.tar: no space left on device; free some space on that file system,"
                        + " or write elsewhere (--tmpdir for the temporary files)",
                line);
    }

    @Test
    void aTemporaryFileIsNeverNamedButTheTargetAndWhereItsTemporaryFilesGo() {
        Path tmp = TempFiles.path(dir, "blob");
        String line = ErrorHandler.message(
                new FileSystemException(tmp.toString(), null, "Read-only file system"), "oci:" + dir + "/l:x");
        assertFalse(line.contains(tmp.getFileName().toString()), line);
        assertEquals(
                "cannot write oci:" + dir + "/l:x (its temporary files in " + dir + "): read-only file system; name a"
                        + " target on a writable file system (--tmpdir for the temporary files)",
                line);
        String denied = ErrorHandler.message(new AccessDeniedException(tmp.toString()), "oci:" + dir + "/l:x");
        assertTrue(
                denied.startsWith("cannot write oci:" + dir + "/l:x (its temporary files in " + dir + "): permission"
                        + " denied; check the permissions"),
                denied);
    }

    @Test
    void aFileTheUserNamedKeepsItsOwnMessage() {
        Path named = dir.resolve("out.tar");
        String line = ErrorHandler.message(
                new FileSystemException(named.toString(), null, "Read-only file system"), named.toString());
        assertTrue(line.startsWith("cannot access " + named + ": Read-only file system"), line);
    }
}
