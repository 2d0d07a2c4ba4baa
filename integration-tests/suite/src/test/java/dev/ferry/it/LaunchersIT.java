package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell around the jar: the launchers ({@code ./ferry} and the installed {@code bin/ferry}) find their folder
 * however they are invoked, and scripts/cds-archive.sh makes an archive from the class lists its runs leave.
 */
class LaunchersIT {
    @TempDir
    Path tmp;

    /** Runs {@code script} with bash in {@code dir}, the environment given added; its exit code and output. */
    private static Peers.Result bash(Path dir, Map<String, String> env, String script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Peers.require("bash").toString(), "-c", script)
                .directory(dir.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + out);
        return new Peers.Result(p.exitValue(), out, "");
    }

    @Test
    void theStartUpArchiveLeavesOutALineItsJvmCutShort() throws Exception {
        // each run's JVM writes a class list; one that exits while another thread loads a class can leave that
        // line unfinished ("@lambda-proxy HOST" without the rest is a format error to the dump): here every run's
        // list ends so, from a java on PATH that writes it instead of running ferry, the dump being the real one
        Path fake = Files.createDirectories(tmp.resolve("fake"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Path script = Files.writeString(
                fake.resolve("java"),
                "#!/usr/bin/env bash\n"
                        + "for a; do case \"$a\" in -XX:DumpLoadedClassList=*)\n"
                        + "  printf 'java/lang/Object\\njava/lang/String\\n@lambda-proxy dev/fe' > \"${a#*=}\"; exit 0 ;;\n"
                        + "esac; done\n"
                        + "exec '" + java + "' \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path repo = QuickStartIT.repo();
        Path jsa = tmp.resolve("ferry.jsa");
        Map<String, String> env = Map.of("PATH", fake + ":" + System.getenv("PATH"), "TMPDIR", tmp.toString());
        Peers.Result made = bash(
                tmp,
                env,
                "'" + repo.resolve("scripts/cds-archive.sh") + "' '" + repo.resolve("cli/target/ferry.jar") + "' '"
                        + jsa + "'");
        assertEquals(0, made.code(), made.out());
        assertTrue(Files.size(jsa) > 0, "an archive");
        Peers.Result used = Peers.run(
                tmp,
                "java",
                "-Xshare:on",
                "-XX:SharedArchiveFile=" + jsa,
                "-jar",
                repo.resolve("cli/target/ferry.jar").toString(),
                "--version");
        assertEquals(0, used.code(), used.out() + used.err());
    }
}
