package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon that dies in the middle of a copy: a second, private dockerd (its own socket and data root) is killed
 * while ferry streams a 1 GiB image into it. Ferry fails with one clear line and exit 1, and leaves no temporary
 * file and no child process.
 */
class DaemonStopIT {
    @TempDir
    Path tmp;

    Process dockerd;
    /**
     * The private daemons' folders, a fresh one per start (a daemon killed mid-work leaves state a restart trips
     * on); not @TempDirs, since dockerd mounts inside them and a dead one leaves mounts.
     */
    final List<Path> roots = new ArrayList<>();

    @AfterEach
    void removeDaemon() throws Exception {
        stopDaemon();
        for (Path root : roots) {
            for (String dir : List.of("data", "exec")) {
                Peers.run(tmp, "umount", "-R", "-l", root.resolve(dir).toString());
            }
            try {
                Fixtures.deleteTree(root);
            } catch (IOException e) {
                // a mount the kernel still holds; /tmp is cleaned by the system
            }
        }
    }

    private void stopDaemon() throws Exception {
        if (dockerd != null && dockerd.isAlive()) {
            dockerd.descendants().forEach(ProcessHandle::destroyForcibly);
            dockerd.destroyForcibly();
            dockerd.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private String startPrivateDaemon() throws Exception {
        Daemon.require();
        Path root = Files.createTempDirectory(Path.of("/tmp"), "fd");
        roots.add(root);
        String socket = "unix://" + root.resolve("docker.sock");
        Path dockerdBinary = Files.isExecutable(Path.of("/usr/sbin/dockerd"))
                ? Path.of("/usr/sbin/dockerd")
                : Peers.require("dockerd");
        dockerd = new ProcessBuilder(
                        dockerdBinary.toString(),
                        "--storage-driver=vfs",
                        "--iptables=false",
                        "--ip6tables=false",
                        "--bridge=none",
                        "--data-root",
                        root.resolve("data").toString(),
                        "--exec-root",
                        root.resolve("exec").toString(),
                        "--pidfile",
                        root.resolve("pid").toString(),
                        "--host",
                        socket)
                .redirectErrorStream(true)
                .redirectOutput(root.resolve("log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Peers.run(tmp, "docker", "-H", socket, "info").code() != 0) {
            assertTrue(dockerd.isAlive(), "the private dockerd died: " + Files.readString(root.resolve("log")));
            assertTrue(System.nanoTime() < deadline, "the private dockerd did not answer");
            Thread.sleep(250);
        }
        return socket;
    }

    @Test
    void theDaemonDiesWhileLoading() throws Exception {
        Path big = BigImage.layout();
        String socket = startPrivateDaemon();
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        for (String transport : List.of("docker-api", "docker-cli")) {
            if (!dockerd.isAlive()) {
                stopDaemon();
                socket = startPrivateDaemon();
            }
            Path output = tmp.resolve(transport + ".out");
            Process copy = BigImage.ferry(
                    "-Xmx128m -XX:+UseSerialGC",
                    output,
                    "copy",
                    "-q",
                    "--tmpdir",
                    scratch.toString(),
                    "--docker-host",
                    socket,
                    "oci:" + big + ":big",
                    transport + ":ferry-it/dies:1");
            Thread.sleep(3000); // the JVM is up and the layer is streaming into the daemon
            assertTrue(
                    copy.isAlive(), "the copy ended before the daemon could be stopped: " + Files.readString(output));
            dockerd.descendants().forEach(ProcessHandle::destroyForcibly);
            dockerd.destroyForcibly();
            dockerd.waitFor(30, TimeUnit.SECONDS);
            assertTrue(copy.waitFor(2, TimeUnit.MINUTES), "ferry hangs after the daemon died");
            String err = Files.readString(output).strip();
            assertEquals(1, copy.exitValue(), err);
            assertTrue(err.startsWith("ferry: ") && err.lines().count() == 1, "one line: " + err);
            assertTrue(copy.descendants().count() == 0, "no child process left");
            try (Stream<Path> left = Files.list(scratch)) {
                assertEquals(List.of(), left.toList(), "no temp file left");
            }
        }
    }
}
