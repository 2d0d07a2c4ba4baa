package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Docker daemon the docker tests run against ({@code scripts/docker-daemon.sh start} starts one), and a
 * runnable test image made with {@code docker import} from Debian's busybox-static.
 */
final class Daemon {
    static final String IMAGE = "ferry-it/busybox:1";
    static final String OUTPUT = "hello from busybox";
    private static boolean imported;

    private Daemon() {}

    /** Fails under CI=true, and aborts elsewhere, when no daemon answers. */
    static void require() throws Exception {
        Path work = Files.createTempDirectory("daemon-check");
        Peers.Result info = Peers.run(work, "docker", "info");
        Files.delete(work);
        if (info.code() != 0) {
            String message =
                    "no Docker daemon answers (" + info.err().strip() + "); run scripts/docker-daemon.sh start";
            if (Peers.ci()) {
                fail(message);
            }
            Assumptions.abort(message);
        }
    }

    /** The test image in the daemon: busybox, with CMD echoing {@link #OUTPUT}. */
    static synchronized String image() throws Exception {
        require();
        if (!imported) {
            Path work = Files.createTempDirectory("busybox");
            Path rootfs = Files.createDirectories(work.resolve("rootfs/bin"));
            if (!Files.isExecutable(Path.of("/bin/busybox"))) {
                fail("/bin/busybox is missing; run scripts/install-peers.sh");
            }
            Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
            for (String applet : List.of("sh", "echo", "cat", "ls")) {
                Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
            }
            Files.createDirectories(work.resolve("rootfs/etc"));
            Files.writeString(work.resolve("rootfs/etc/motd"), "ferry test image\n");
            // the same bytes on every run, so the same diffID: tests running at once on one daemon (other
            // checkouts) import this tag over each other, and each compares the diffIDs it read first
            Peers.run(
                            work,
                            "tar",
                            "--sort=name",
                            "--mtime=@0",
                            "--owner=0",
                            "--group=0",
                            "--numeric-owner",
                            "-C",
                            work.resolve("rootfs").toString(),
                            "-cf",
                            "rootfs.tar",
                            ".")
                    .ok();
            Peers.run(
                            work,
                            "docker",
                            "import",
                            "--change",
                            "CMD [\"/bin/echo\",\"" + OUTPUT + "\"]",
                            "--change",
                            "ENV GREETING=hello",
                            "rootfs.tar",
                            IMAGE)
                    .ok();
            Fixtures.deleteTree(work);
            imported = true;
        }
        return IMAGE;
    }

    /** Runs an image in the daemon, without network, and returns what it printed. */
    static String run(String image) throws IOException, InterruptedException {
        return Peers.run(Path.of("/"), "docker", "run", "--rm", "--network", "none", image)
                .ok()
                .out()
                .strip();
    }

    /** The diffIDs the daemon reports for an image. */
    static String diffIds(String image) throws IOException, InterruptedException {
        return Peers.run(Path.of("/"), "docker", "image", "inspect", "--format", "{{json .RootFS.Layers}}", image)
                .ok()
                .out()
                .strip();
    }

    static boolean exists(String image) throws IOException, InterruptedException {
        return Peers.run(Path.of("/"), "docker", "image", "inspect", image).code() == 0;
    }

    static void remove(String... images) throws IOException, InterruptedException {
        for (String image : images) {
            Peers.run(Path.of("/"), "docker", "rmi", "-f", image);
        }
    }

    static int containers() throws IOException, InterruptedException {
        return (int) Peers.run(Path.of("/"), "docker", "ps", "-aq")
                .ok()
                .out()
                .lines()
                .filter(l -> !l.isBlank())
                .count();
    }
}
