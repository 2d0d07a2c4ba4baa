package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.CorruptImageException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users and groups resolved through the image's own files, read a line at a time whatever their size. */
class RuntimeConfigTest {
    @TempDir
    Path root;

    @Test
    void namesResolveThroughTheImagesFiles() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(
                root.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\r\n" + "x".repeat(200_000)
                        + ":junk\napp:x:1000:100::/home/app:/bin/sh\r\nodd:x:12a:1::/:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nstaff:x:50:app\r\n");
        Extractor rootfs = new Extractor(root, true, w -> {});
        assertArrayEquals(new long[] {1000, 100}, RuntimeConfig.user("app", rootfs));
        assertArrayEquals(new long[] {1000, 50}, RuntimeConfig.user("app:staff", rootfs));
        assertArrayEquals(new long[] {1000, 100}, RuntimeConfig.user("1000", rootfs));
        assertArrayEquals(new long[] {7, 50}, RuntimeConfig.user("7:staff", rootfs));
        CorruptImageException missing =
                assertThrows(CorruptImageException.class, () -> RuntimeConfig.user("nobody", rootfs));
        assertTrue(missing.getMessage().contains("\"nobody\" is not in its /etc/passwd"), missing.getMessage());
        CorruptImageException odd = assertThrows(CorruptImageException.class, () -> RuntimeConfig.user("odd", rootfs));
        assertTrue(odd.getMessage().contains("\"12a\" where an id should be"), odd.getMessage());
    }
}
