package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JNA's search path as ldconfig would have given it: the defaults, then what ld.so.conf and its includes name. */
class JnaLibrariesTest {
    @Test
    void theDirectoriesOfLdSoConfFollowJnasDefaultsInOrderOnce(@TempDir Path dir) throws IOException {
        Path conf = dir.resolve("ld.so.conf");
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(conf, "# comment\n/opt/first\ninclude conf.d/*.conf\n\n/usr/lib\nhwcap 0 nosegneg\n");
        Files.writeString(dir.resolve("conf.d/b.conf"), "/opt/b # trailing comment\n/opt/first\n");
        Files.writeString(dir.resolve("conf.d/a.conf"), "/opt/a=libc6\ninclude /no/such/dir/*.conf\n");
        Files.writeString(dir.resolve("conf.d/ignored.txt"), "/opt/ignored\n");
        List<String> path = JnaLibraries.searchPath(conf);
        int defaults = path.indexOf("/lib") + 1;
        assertEquals(List.of("/usr/lib64", "/lib64", "/usr/lib", "/lib"), path.subList(defaults - 4, defaults));
        assertEquals(List.of("/opt/first", "/opt/a", "/opt/b"), path.subList(defaults, path.size()));
    }

    @Test
    void aMissingConfLeavesJnasDefaults(@TempDir Path dir) {
        List<String> path = JnaLibraries.searchPath(dir.resolve("none"));
        assertTrue(path.containsAll(List.of("/usr/lib64", "/lib64", "/usr/lib", "/lib")), path.toString());
        assertEquals("/lib", path.get(path.size() - 1));
    }
}
