package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays flat: a 1 GiB image goes oci -> oci-archive -> oci through the real launcher with a 64 MiB heap
 * (an OutOfMemoryError would fail the copy), and arrives bit for bit: same manifest digest, same layer.
 */
class LargeImageIT {
    @TempDir
    Path tmp;

    private static void run(String... args) throws Exception {
        Process p = BigImage.ferry("-Xmx64m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError", args);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "copy timed out");
        assertEquals(0, p.exitValue(), "ferry " + String.join(" ", args));
    }

    @Test
    void aGibibyteImageStreamsThroughASmallHeap() throws Exception {
        Path big = BigImage.layout();
        String digest = Fixtures.entry(big, "big").path("digest").asText();
        Path archive = tmp.resolve("big.tar");
        run("copy", "-q", "oci:" + big + ":big", "oci-archive:" + archive + ":big");
        assertTrue(Files.size(archive) > BigImage.BIG_LAYER);
        Path back = tmp.resolve("back");
        run("copy", "-q", "oci-archive:" + archive + ":big", "oci:" + back + ":big");
        assertEquals(digest, Fixtures.entry(back, "big").path("digest").asText());
        String layer = Fixtures.blobJson(back, digest)
                .path("layers")
                .get(1)
                .path("digest")
                .asText();
        assertEquals(layer.substring(7), Fixtures.sha256(Fixtures.blobPath(back, layer)));
        Peers.run(tmp, "skopeo", "inspect", "oci-archive:" + archive + ":big").ok();
    }
}
