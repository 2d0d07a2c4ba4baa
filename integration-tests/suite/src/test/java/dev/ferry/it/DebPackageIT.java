package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Debian package ({@code mvn package} makes it in dist/target) installs in a fresh Debian root and the quick
 * start runs there: {@code ferry} on PATH, the example image copied and inspected, man pages and bash completion
 * in place, the start-up archive made by the package, and {@code ferry conformance} (the kit loaded from its own
 * folder) on a built-in transport and on a plugin. The root is made once by debootstrap (minbase, with the
 * JRE the package depends on) into target/, so a rerun reuses it; the package is purged after the test.
 */
class DebPackageIT {
    private static final Path REPO =
            Path.of(System.getProperty("ferry.repoRoot", "..")).toAbsolutePath();

    private static final String SCRIPT = String.join(
            "\n",
            "set -euo pipefail",
            "if [ ! -x \"$ROOT/usr/bin/java\" ]; then",
            "  rm -rf \"$ROOT.partial\"",
            "  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm \"$ROOT.partial\" \\",
            "    \"${DEBIAN_MIRROR:-http://deb.debian.org/debian}\" > \"$ROOT.log\" 2>&1 \\",
            "    || { tail -20 \"$ROOT.log\" >&2; exit 1; }",
            "  mv \"$ROOT.partial\" \"$ROOT\"",
            "fi",
            "cp \"$DEB\" \"$ROOT/tmp/ferry.deb\"",
            "rm -rf \"$ROOT/tmp/examples\" \"$ROOT/tmp/hello.tar\" && cp -r \"$EXAMPLES\" \"$ROOT/tmp/examples\"",
            "rm -rf \"$ROOT/tmp/plugins\" && mkdir \"$ROOT/tmp/plugins\" && cp -r \"$PLUGIN\" \"$ROOT/tmp/plugins/probe\"",
            // java needs /proc (or its library path): mounted when this process may, else the path is given
            "env=()",
            "if mount -t proc proc \"$ROOT/proc\" 2>/dev/null; then mounted=1; else mounted=0;"
                    + " env=(LD_LIBRARY_PATH=/usr/lib/jvm/java-17-openjdk-amd64/lib); fi",
            "cleanup() { chroot \"$ROOT\" dpkg --purge ferry > /dev/null 2>&1 || true;"
                    + " [ \"$mounted\" = 0 ] || umount \"$ROOT/proc\"; }",
            "trap cleanup EXIT",
            "chroot \"$ROOT\" env \"${env[@]}\" dpkg -i /tmp/ferry.deb",
            "chroot \"$ROOT\" env \"${env[@]}\" PATH=/usr/bin:/bin bash -c '",
            "  set -e; cd /tmp",
            "  echo \"on PATH: $(command -v ferry)\"",
            "  ferry copy oci:examples/hello:latest oci-archive:/tmp/hello.tar:latest",
            "  ferry inspect --format \"{{.Os}}/{{.Architecture}} {{.Digest}}\" oci-archive:/tmp/hello.tar:latest",
            "  ferry completion bash | head -1 > /dev/null",
            "  ls /usr/share/man/man1/ferry-copy.1 /usr/share/bash-completion/completions/ferry",
            // the kit, JUnit and the built-in fixtures from /usr/lib/ferry/lib/conformance, only for this command;
            // a plugin's fixture sees the kit through them
            "  ferry conformance oci 2>&1 | sed \"s/^/oci: /\"",
            "  ferry --plugin-path /tmp/plugins conformance jackson-probe 2>&1 | sed \"s/^/probe: /\"",
            "'",
            "if [ \"$mounted\" = 1 ]; then ls \"$ROOT/var/cache/ferry/ferry.jsa\"; fi");

    @Test
    void theDebInstallsInAFreshDebianRootAndTheQuickStartRuns() throws Exception {
        Peers.require("debootstrap");
        Peers.require("chroot");
        if (!"root".equals(System.getProperty("user.name"))) { // debootstrap and chroot need root
            String message = "installing the .deb in a Debian root needs root";
            if (Peers.ci()) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        Path deb;
        try (Stream<Path> files = Files.list(REPO.resolve("dist/target"))) {
            deb = files.filter(f -> f.getFileName().toString().matches("ferry_.*_all\\.deb"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no .deb in dist/target: run mvn package"));
        }
        Path root = REPO.resolve("integration-tests/suite/target/debian-root").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", SCRIPT)
                .redirectErrorStream(true)
                .redirectOutput(Path.of(root + ".out").toFile());
        pb.environment().put("ROOT", root.toString());
        pb.environment().put("DEB", deb.toString());
        pb.environment().put("EXAMPLES", REPO.resolve("examples").toString());
        pb.environment().put("PLUGIN", PluginIT.JACKSON_PLUGIN.toAbsolutePath().toString());
        Process process = pb.start();
        boolean done = process.waitFor(20, TimeUnit.MINUTES);
        if (!done) {
            process.destroyForcibly();
        }
        String out = Files.readString(Path.of(root + ".out"), StandardCharsets.UTF_8);
        assertTrue(done, "debootstrap and the install took over 20 minutes: " + out);
        assertEquals(0, process.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.contains("on PATH: /usr/bin/ferry"), out);
        assertTrue(lines.stream().anyMatch(l -> l.matches("linux/amd64 sha256:[0-9a-f]{64}")), out);
        assertTrue(out.contains("Setting up ferry"), out);
        assertTrue(lines.stream().anyMatch(l -> l.matches("oci: \\d+ passed, 0 failed.*")), out);
        assertTrue(lines.contains("probe: 3 passed, 0 failed, 14 skipped"), out);
        assertTrue(!out.contains("no start-up archive") || !new File("/proc/self").exists(), out);
    }
}
