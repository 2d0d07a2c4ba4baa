package dev.ferry.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerBuilderTest {
    @TempDir
    Path tmp;

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", command));
    }

    private static Map<String, TarArchiveEntry> entries(Path layer) throws IOException {
        Map<String, TarArchiveEntry> entries = new TreeMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(layer));
                TarArchiveInputStream tar = new TarArchiveInputStream(in, "UTF-8")) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                entries.put(e.getName(), e);
            }
        }
        return entries;
    }

    @Test
    void keepsEveryKindARootfsHoldsAndWarnsAboutSockets() throws Exception {
        Path context = Files.createDirectories(tmp.resolve("ctx"));
        Files.createDirectories(context.resolve("dev"));
        Files.writeString(context.resolve("file"), "content");
        Files.createLink(context.resolve("hardlink"), context.resolve("file"));
        Files.createSymbolicLink(context.resolve("symlink"), Path.of("file"));
        run("mkfifo", context.resolve("fifo").toString());
        run("mknod", context.resolve("dev/null").toString(), "c", "1", "3"); // the tests run as root
        run("mknod", context.resolve("dev/loop9").toString(), "b", "7", "9");
        ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        socket.bind(UnixDomainSocketAddress.of(context.resolve("sock")));
        socket.close(); // the socket file stays
        List<String> warnings = new ArrayList<>();
        LayerBuilder.Layer layer = LayerBuilder.build(context, 0, 0, Instant.EPOCH, tmp, warnings::add);
        Map<String, TarArchiveEntry> entries = entries(layer.file());
        assertTrue(entries.get("file").isFile() && entries.get("file").getSize() == 7);
        assertTrue(entries.get("hardlink").isLink()
                && entries.get("hardlink").getLinkName().equals("file"));
        assertTrue(entries.get("symlink").isSymbolicLink());
        assertTrue(entries.get("fifo").isFIFO());
        TarArchiveEntry nul = entries.get("dev/null");
        assertTrue(nul.isCharacterDevice() && nul.getDevMajor() == 1 && nul.getDevMinor() == 3, nul.getName());
        TarArchiveEntry loop = entries.get("dev/loop9");
        assertTrue(loop.isBlockDevice() && loop.getDevMajor() == 7 && loop.getDevMinor() == 9, loop.getName());
        assertEquals(List.of("skipped sock: a socket (a layer cannot hold one)"), warnings);
        assertEquals(false, entries.containsKey("sock"));
    }
}
