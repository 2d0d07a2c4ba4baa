package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start, run as written: its shell block is taken from the README itself, with {@code ferry} on
 * PATH as the install section puts it there (a symlink to the launcher), and must print what it promises: the
 * image runs under runc and under Docker.
 */
class QuickStartIT {
    @TempDir
    Path tmp;

    @AfterEach
    void removeTheDemoImage() throws Exception {
        Peers.run(tmp, "docker", "rmi", "-f", "ferry-demo:v1");
    }

    /** The first {@code sh} block after {@code heading} in the README. */
    static String block(String heading) throws Exception {
        List<String> lines = Files.readAllLines(repo().resolve("README.md"));
        int start = lines.indexOf(heading);
        assertTrue(start >= 0, "the README has " + heading);
        int open = start;
        while (!lines.get(open).equals("```sh")) {
            open++;
        }
        List<String> block = new ArrayList<>();
        for (int i = open + 1; !lines.get(i).equals("```"); i++) {
            block.add(lines.get(i));
        }
        return String.join("\n", block) + "\n";
    }

    static Path repo() {
        return Path.of(System.getProperty("ferry.repoRoot", ".."))
                .toAbsolutePath()
                .normalize();
    }

    @Test
    void theQuickStartRunsAsWritten() throws Exception {
        Peers.require("docker");
        Peers.require("runc");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("ferry"), repo().resolve("ferry"));
        Path script = Files.writeString(tmp.resolve("quickstart.sh"), block("## Quick start"));
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", script.toString())
                .directory(tmp.toFile())
                .redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        long hellos = out.lines().filter(l -> l.equals("hello from ferry")).count();
        assertEquals(2, hellos, "runc and docker each print the greeting:\n" + out);
        assertTrue(out.contains("sha256:"), out);
    }
}
