package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempFilesTest {
    @TempDir
    Path dir;

    @Test
    void namesCarryTheOwnerAndAreNotLeftoversWhileItLives() throws Exception {
        Path mine = TempFiles.createFile(dir, "out.tar");
        String name = mine.getFileName().toString();
        assertTrue(name.startsWith(".ferry-out.tar-" + ProcessHandle.current().pid() + "."), name);
        assertTrue(TempFiles.isTemporaryName(name));
        assertFalse(TempFiles.isLeftover(name));
        assertEquals(List.of(), TempFiles.sweep(dir));
        assertTrue(Files.exists(mine));
        TempFiles.delete(mine);
        assertFalse(Files.exists(mine));
    }

    @Test
    void sweepRemovesWhatADeadOwnerLeftAndNothingElse() throws Exception {
        long pid = ProcessHandle.current().pid();
        // this PID, but a process that started at another time: the owner is gone (a PID reused)
        Path reused = Files.createFile(dir.resolve(".ferry-x-" + pid + ".12345-0123456789ab.tmp"));
        Path deadFolder = Files.createDirectories(dir.resolve(".ferry-unpacking-999999999.1-0123456789ab.tmp/a/b"))
                .getParent()
                .getParent();
        Files.writeString(deadFolder.resolve("a/b/f"), "x");
        Path unrelated = Files.createFile(dir.resolve(".ferry-x-12345.tmp"));
        Path user = Files.createFile(dir.resolve("notes-1.2-0123456789ab.tmp"));
        Path live = TempFiles.createFile(dir, "x");
        List<Path> removed = TempFiles.sweep(dir);
        assertEquals(2, removed.size(), removed.toString());
        assertFalse(Files.exists(reused));
        assertFalse(Files.exists(deadFolder));
        assertTrue(Files.exists(unrelated));
        assertTrue(Files.exists(user));
        assertTrue(Files.exists(live));
        TempFiles.delete(live);
    }

    @Test
    void longPurposesStayWithinNameLimits() {
        Path p = TempFiles.path(dir, "x".repeat(300));
        assertTrue(p.getFileName().toString().length() < 120);
        assertTrue(TempFiles.isTemporaryName(p.getFileName().toString()));
    }

    @Test
    void sweepingAMissingFolderIsNothing() {
        assertEquals(List.of(), TempFiles.sweep(dir.resolve("none")));
    }

    @org.junit.jupiter.api.RepeatedTest(5)
    void twoProcessesDeletingOneTreeBothSucceed() throws Exception {
        Path tree = dir.resolve("tree");
        for (int d = 0; d < 20; d++) {
            Path sub = Files.createDirectories(tree.resolve("d" + d + "/e"));
            for (int f = 0; f < 50; f++) {
                Files.writeString(sub.resolve("f" + f), "x");
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> {
                TempFiles.deleteTree(tree);
                return null;
            });
            Future<?> b = pool.submit(() -> {
                TempFiles.deleteTree(tree);
                return null;
            });
            a.get();
            b.get();
        } finally {
            pool.shutdownNow();
        }
        assertFalse(Files.exists(tree));
    }
}
