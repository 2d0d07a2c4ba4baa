package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) in the middle of a daemon copy: the {@code docker} child is gone, the spooled save is deleted,
 * nothing is loaded. Runs the real launcher on the 1 GiB image.
 */
class InterruptIT {
    private static final String TAG = "ferry-it/interrupted:1";
    private static final String BIG_TAG = "ferry-it/big:1";

    @TempDir
    Path tmp;

    @AfterAll
    static void removeImages() throws Exception {
        Daemon.remove(TAG, BIG_TAG);
    }

    private static void waitFor(BooleanSupplier condition, Process copy, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            assertTrue(copy.isAlive(), "the copy ended before " + what);
            assertTrue(System.nanoTime() < deadline, "never saw " + what);
            Thread.sleep(5);
        }
    }

    /**
     * Ctrl-C: SIGINT, sent by bash's builtin {@code kill} (Java can send only SIGTERM and SIGKILL; the
     * {@code kill} program is procps, which a minimal Debian lacks).
     */
    private static void interrupt(Process copy) throws Exception {
        Process kill = new ProcessBuilder("bash", "-c", "kill -INT \"$1\"", "bash", Long.toString(copy.pid()))
                .redirectErrorStream(true)
                .start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, kill.waitFor(), "kill -INT failed: " + out);
        assertTrue(copy.waitFor(60, TimeUnit.SECONDS), "ferry did not stop on SIGINT");
    }

    private static List<ProcessHandle> dockerChildren(Process copy) {
        return copy.descendants()
                .filter(p -> p.info().command().orElse("").endsWith("docker"))
                .toList();
    }

    /** Bytes of regular files under {@code dir}, at any depth (a save is split into a folder of files). */
    private static long spooled(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void ctrlCWhileLoadingLeavesNoChildAndNoImage() throws Exception {
        Daemon.require();
        Path big = BigImage.layout();
        Process copy =
                BigImage.ferry("-Xmx128m -XX:+UseSerialGC", "copy", "-q", "oci:" + big + ":big", "docker-cli:" + TAG);
        waitFor(() -> !dockerChildren(copy).isEmpty(), copy, "docker load start");
        List<ProcessHandle> children = dockerChildren(copy);
        Thread.sleep(500);
        interrupt(copy);
        for (ProcessHandle child : children) {
            child.onExit().get(30, TimeUnit.SECONDS);
            assertFalse(child.isAlive(), "docker load was killed with ferry");
        }
        assertFalse(Daemon.exists(TAG), "nothing was loaded");
    }

    @Test
    void ctrlCWhileSpoolingASaveDeletesTheSpool() throws Exception {
        Daemon.require();
        if (!Daemon.exists(BIG_TAG)) {
            Cli.ferry("copy", "-q", "oci:" + BigImage.layout() + ":big", "docker-api:" + BIG_TAG)
                    .ok();
        }
        for (String transport : List.of("docker-cli", "docker-api")) {
            Path scratch = Files.createDirectories(tmp.resolve(transport));
            Process copy = BigImage.ferry(
                    "-Xmx128m -XX:+UseSerialGC",
                    "copy",
                    "-q",
                    "--tmpdir",
                    scratch.toString(),
                    transport + ":" + BIG_TAG,
                    "oci:" + tmp.resolve("out-" + transport) + ":x");
            waitFor(() -> spooled(scratch) > (16L << 20), copy, "the save being spooled");
            List<ProcessHandle> children = dockerChildren(copy);
            interrupt(copy);
            for (ProcessHandle child : children) {
                child.onExit().get(30, TimeUnit.SECONDS);
            }
            try (Stream<Path> left = Files.list(scratch)) {
                assertEquals(List.of(), left.toList(), transport + ": the spooled save is deleted");
            }
            assertFalse(Files.exists(tmp.resolve("out-" + transport).resolve("index.json")));
        }
    }
}
