package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index of paths: ids stable across growth (of the table and of the storage), on the heap and in files. */
class PathIndexTest {
    @TempDir
    Path tmp;

    private static String name(int i) {
        return "d" + (i % 997) + "/sub" + (i % 13) + "/file-" + i;
    }

    private void manyPaths(Path dir) throws Exception {
        int n = 400_000; // 48-byte nodes: past the first 16 MiB chunk
        try (PathIndex index = new PathIndex(dir)) {
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = index.lookup(name(i), true);
                index.decide(ids[i], i % 5, i, i % 3 == 0);
            }
            for (int i = 0; i < n; i++) {
                assertEquals(ids[i], index.lookup(name(i), false), name(i));
                assertEquals(i % 5, index.layer(ids[i]));
                assertEquals(i, index.ordinal(ids[i]));
                assertEquals(i % 3 == 0, index.directory(ids[i]));
                assertFalse(index.emitted(ids[i]));
            }
            for (int i = 0; i < n; i += 7919) {
                assertEquals(name(i), index.path(ids[i]));
                int parent = index.parent(ids[i]);
                assertEquals(parent, index.lookup(Paths.parent(name(i)), false));
                assertFalse(index.decided(parent));
            }
            assertEquals(-1, index.lookup("d1/sub1/nothing", false));
            assertEquals(-1, index.lookup("nowhere/at/all", false));
            assertEquals(n + 997 + 997 * 13 + 1, index.size(), "files, folders, subfolders and the root");
        }
    }

    @Test
    void manyPathsOnTheHeap() throws Exception {
        manyPaths(null);
    }

    @Test
    void manyPathsInFilesThatAreRemovedAtClose() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("index"));
        manyPaths(dir);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void namesAreKeptExactlyWhateverTheirCharacters() throws Exception {
        try (PathIndex index = new PathIndex(null)) {
            String[] names = {
                "caf\u00e9",
                "cafe\u0301",
                "\u0444\u0430\u0439\u043b",
                "\ud83d\ude00",
                "\ud83d",
                "\ude00",
                "?",
                "a b",
                "\u0000x"
            };
            int[] ids = new int[names.length];
            for (int i = 0; i < names.length; i++) {
                ids[i] = index.lookup("dir/" + names[i], true);
            }
            for (int i = 0; i < names.length; i++) {
                assertEquals("dir/" + names[i], index.path(ids[i]));
                for (int j = 0; j < i; j++) {
                    assertNotEquals(ids[i], ids[j], names[i] + " and " + names[j]);
                }
            }
        }
    }

    @Test
    void whiteoutsCarriersAndHeaders() throws Exception {
        try (PathIndex index = new PathIndex(Files.createDirectory(tmp.resolve("x")))) {
            int a = index.lookup("a", true);
            assertEquals(-1, index.hiddenBelow(a));
            index.hideBelow(a, 3);
            index.hideBelow(a, 1);
            assertEquals(3, index.hiddenBelow(a));
            index.opaqueBelow(PathIndex.ROOT, 2);
            assertEquals(2, index.opaqueBelow(PathIndex.ROOT));
            int t = index.lookup("t", true);
            int l1 = index.lookup("l1", true);
            int l2 = index.lookup("l2", true);
            assertEquals(-1, index.carrier(t, 0));
            index.addCarrier(t, 1, l1);
            index.addCarrier(t, 0, l2);
            assertEquals(l1, index.carrier(t, 1));
            assertEquals(l2, index.carrier(t, 0));
            assertEquals(-1, index.carrier(t, 2));
            assertEquals(-1, index.relinked(l2));
            index.relink(l2, l1);
            assertEquals(l1, index.relinked(l2));
            assertNull(index.header(a));
            index.setHeader(a, new byte[] {1, 2, 3});
            assertTrue(Arrays.equals(new byte[] {1, 2, 3}, index.header(a)));
            index.setHeader(a, new byte[0]);
            assertEquals(0, index.header(a).length);
        }
    }
}
