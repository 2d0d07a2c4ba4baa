package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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

    /** Unpacks the distribution's tarball into {@code into}; the folder it made. */
    private static Path unpack(Path into) throws Exception {
        Path tarball;
        try (Stream<Path> files = Files.list(QuickStartIT.repo().resolve("dist/target"))) {
            tarball = files.filter(f -> f.getFileName().toString().matches("ferry-.*\\.tar\\.gz"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no tarball in dist/target: run mvn package"));
        }
        Peers.run(into, "tar", "-xzf", tarball.toString()).ok();
        try (Stream<Path> dirs = Files.list(into)) {
            return dirs.findFirst().orElseThrow();
        }
    }

    /** Runs {@code launcher --version}, which must print the version. */
    private Peers.Result version(Path launcher, Map<String, String> env) throws Exception {
        return run(launcher, env, "--version", "ferry ");
    }

    /** Runs {@code launcher command}, which must succeed and print a line starting with {@code line}. */
    private Peers.Result run(Path launcher, Map<String, String> env, String command, String line) throws Exception {
        Peers.Result run = bash(tmp, env, "'" + launcher + "' " + command);
        assertEquals(0, run.code(), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith(line)), run.out());
        return run;
    }

    /**
     * The JVM's class-data sharing log of {@code launcher --version} (in a file, through JAVA_TOOL_OPTIONS: the
     * launchers turn it off on the console).
     */
    private String cdsLog(Path launcher, Map<String, String> env, String name) throws Exception {
        return cdsLog(launcher, env, name, "--version", "ferry ");
    }

    private String cdsLog(Path launcher, Map<String, String> env, String name, String command, String line)
            throws Exception {
        Path log = tmp.resolve(name + ".log");
        Map<String, String> all = new HashMap<>(env);
        all.put("JAVA_TOOL_OPTIONS", "-Xlog:cds=info:file=" + log);
        run(launcher, all, command, line);
        return Files.readString(log);
    }

    @Test
    void theLaunchersMapTheArchiveAtTheAddressItWasMadeFor() throws Exception {
        // Debian's JDK 17 relocates an archive at every start (each of its pages written) unless told not to: both
        // launchers have it mapped at its own base, with the java cds-archive.sh checked (the one on PATH)
        Path installed =
                unpack(Files.createDirectories(tmp.resolve("installed"))).resolve("bin/ferry");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        version(installed, env); // makes its archive
        for (Path launcher : List.of(QuickStartIT.repo().resolve("ferry"), installed)) {
            String log =
                    cdsLog(launcher, env, launcher.getParent().getFileName().toString());
            assertTrue(log.contains("Mapped static  region #0 at base "), launcher + ": not mapped\n" + log);
            assertFalse(log.contains("alternative address"), launcher + ": relocated\n" + log);
        }
        // a command whose threads run while classes load: relocated at once (pages written one by one later would cost
        // a TLB shootdown each)
        String relocated = cdsLog(installed, env, "transports", "transports", "oci ");
        assertTrue(relocated.contains("Mapped static  region #0 at base "), relocated);
        assertTrue(relocated.contains("alternative address"), relocated);
        // FERRY_CDS=relocate: the archive, at a random address
        String log = cdsLog(
                installed, Map.of("XDG_CACHE_HOME", env.get("XDG_CACHE_HOME"), "FERRY_CDS", "relocate"), "relocated");
        assertTrue(log.contains("Mapped static  region #0 at base "), log);
        assertTrue(log.contains("alternative address"), log);
    }

    @Test
    void versionRunsInTheInterpreterAloneAndOtherCommandsWithOneCompilerThreadOnTwoCpus() throws Exception {
        // --version runs too little code to pay for compiling any: both launchers start it without the JIT; --help
        // renders enough to, and keeps it, with one compiler thread on a machine of at most two CPUs (the JVM's final
        // flags, printed through JAVA_TOOL_OPTIONS); not when FERRY_JAVA_OPTS names the compiler's tiers
        Path installed =
                unpack(Files.createDirectories(tmp.resolve("installed"))).resolve("bin/ferry");
        Map<String, String> env =
                Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "JAVA_TOOL_OPTIONS", "-XX:+PrintFlagsFinal");
        Map<String, String> allTiers = new HashMap<>(env);
        allTiers.put("FERRY_JAVA_OPTS", "-XX:TieredStopAtLevel=4 -Xmx256m");
        boolean twoCpus = onlineCpus() <= 2;
        for (Path launcher : List.of(QuickStartIT.repo().resolve("ferry"), installed)) {
            assertEquals("false", flag(run(launcher, env, "--version", "ferry ").out(), "bool", "UseCompiler"));
            assertEquals("false", flag(run(launcher, env, "-V", "ferry ").out(), "bool", "UseCompiler"));
            String help = run(launcher, env, "--help", "Usage: ferry").out();
            assertEquals("true", flag(help, "bool", "UseCompiler"), launcher + " --help");
            assertEquals(twoCpus, flag(help, "intx", "CICompilerCount").equals("1 {command line}"), help);
            String tiers = run(launcher, allTiers, "--help", "Usage: ferry").out();
            assertEquals("4 {command line}", flag(tiers, "intx", "TieredStopAtLevel"), tiers);
            assertFalse(flag(tiers, "intx", "CICompilerCount").endsWith("{command line}"), tiers);
        }
    }

    /** The value of the JVM flag {@code name} in -XX:+PrintFlagsFinal's {@code out}, with its origin when not default. */
    private static String flag(String out, String type, String name) {
        Pattern line = Pattern.compile("\\s*" + type + " " + name + "\\s*=\\s*(\\S+)\\s+\\{product\\} \\{(.*)\\}\\s*");
        return out.lines()
                .map(line::matcher)
                .filter(Matcher::matches)
                .map(m -> m.group(2).equals("default") ? m.group(1) : m.group(1) + " {" + m.group(2) + "}")
                .findFirst()
                .orElseThrow(() -> new AssertionError("no flag " + name + " printed:\n" + out));
    }

    /** The CPUs online, as the launchers count them. */
    private static int onlineCpus() throws IOException {
        int cpus = 0;
        for (String part : Files.readString(Path.of("/sys/devices/system/cpu/online"))
                .trim()
                .split(",")) {
            String[] range = part.split("-");
            cpus += range.length == 2 ? Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1 : 1;
        }
        return cpus;
    }

    @Test
    void aJavaNotSeenToAcceptTheArchivesFlagIsNotGivenIt() throws Exception {
        // a java on PATH that, as a JVM that does not know the diagnostic flag, refuses to start with it
        Path fake = fakeJava("-XX:ArchiveRelocationMode=*", "echo \"Unrecognized VM option '${a#-XX:}'\" >&2; exit 1");
        Path ferry = unpack(Files.createDirectories(tmp.resolve("installed"))).resolve("bin/ferry");
        String path = fake + ":" + System.getenv("PATH");
        // the archive made with that java: it is used without the flag, then and once the real java is back
        String a = tmp.resolve("a").toString();
        version(ferry, Map.of("PATH", path, "XDG_CACHE_HOME", a));
        version(ferry, Map.of("XDG_CACHE_HOME", a));
        try (Stream<Path> made = Files.list(tmp.resolve("a/ferry"))) {
            List<String> names = made.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.endsWith(".jsa")), names.toString());
            assertFalse(names.stream().anyMatch(n -> n.endsWith(".jsa.java")), names.toString());
        }
        // the archive made with the real java, which takes the flag; then that java is not the one on PATH
        String b = tmp.resolve("b").toString();
        version(ferry, Map.of("XDG_CACHE_HOME", b));
        try (Stream<Path> made = Files.list(tmp.resolve("b/ferry"))) {
            assertTrue(made.anyMatch(p -> p.getFileName().toString().endsWith(".jsa.java")), "the java noted");
        }
        version(ferry, Map.of("PATH", path, "XDG_CACHE_HOME", b));
    }

    @Test
    void theLaunchersFindTheirFolderFromARelativePathWithCdpathExported() throws Exception {
        // an exported CDPATH (".:..." as some shell set-ups have) makes cd look its folder up there and print it
        Map<String, String> env = Map.of(
                "CDPATH",
                ".:" + tmp.resolve("nowhere"),
                "FERRY_CDS",
                "0",
                "FERRY_JAVA_OPTS",
                "-XX:+UseSerialGC",
                "XDG_CACHE_HOME",
                tmp.resolve("cache").toString());
        Path repo = QuickStartIT.repo();
        String relative = "'" + repo.getFileName() + "/ferry' --version";
        Peers.Result checkout = bash(repo.getParent(), env, relative);
        assertEquals(0, checkout.code(), checkout.out());
        assertTrue(checkout.out().startsWith("ferry "), checkout.out());

        Path into = Files.createDirectories(tmp.resolve("with space"));
        String home = unpack(into).getFileName().toString();
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("ferry"), Path.of("../with space", home, "bin/ferry"));
        for (String invocation : List.of(
                "'with space/" + home + "/bin/ferry' --version", // relative, through CDPATH's "."
                "bash ferry --version", // in its folder
                "PATH=bin:$PATH ferry --version")) { // a relative symlink found on PATH
            Path dir = invocation.startsWith("bash") ? into.resolve(home).resolve("bin") : tmp;
            Peers.Result installed = bash(dir, env, invocation);
            assertEquals(0, installed.code(), invocation + ": " + installed.out());
            assertTrue(installed.out().startsWith("ferry "), invocation + ": " + installed.out());
        }
    }

    /**
     * An installation as the tarball lays it out, with the launcher of this checkout, an empty jar and a
     * cds-archive.sh that writes a small file as the archive: the launcher's naming of archives, without a JVM.
     */
    private static Path install(Path root) throws Exception {
        Path lib = Files.createDirectories(root.resolve("lib/ferry/bin"));
        Files.createDirectories(root.resolve("bin"));
        Path launcher = Files.copy(QuickStartIT.repo().resolve("dist/src/bin/ferry"), root.resolve("bin/ferry"));
        Path cds = Files.writeString(lib.resolve("cds-archive.sh"), "#!/usr/bin/env bash\necho archive > \"$2\"\n");
        for (Path script : List.of(launcher, cds)) {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path jar = Files.writeString(root.resolve("lib/ferry/ferry.jar"), "");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        return root.resolve("bin/ferry");
    }

    @Test
    void eachInstallationHasAnArchiveOfItsOwnWithANameOfBoundedLengthAndThoseOfInstallationsGoneAreRemoved()
            throws Exception {
        // a java on PATH that prints the archive it was given instead of running ferry
        Path fake = Files.createDirectories(tmp.resolve("fake"));
        Path java = Files.writeString(
                fake.resolve("java"),
                "#!/usr/bin/env bash\nfor a; do case \"$a\" in -XX:SharedArchiveFile=*) echo \"used ${a#*=}\" ;; esac;"
                        + " done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cache = tmp.resolve("cache");
        Map<String, String> env =
                Map.of("PATH", fake + ":" + System.getenv("PATH"), "XDG_CACHE_HOME", cache.toString());
        // two paths that differ only by "/" and "_", and one longer than a file name may be
        Path underscore = install(tmp.resolve("i/a_b"));
        Path slash = install(tmp.resolve("i/a/b"));
        Path longer = install(tmp.resolve("i/" + "d".repeat(200) + "/" + "e".repeat(120)));
        List<String> archives = new ArrayList<>();
        for (Path ferry : List.of(underscore, slash, longer)) {
            Peers.Result run = bash(tmp, env, "'" + ferry + "' --version");
            assertEquals(0, run.code(), run.out());
            assertTrue(run.out().contains("making the start-up archive"), run.out());
            assertFalse(run.out().contains("no start-up archive"), run.out());
            String used = run.out()
                    .lines()
                    .filter(l -> l.startsWith("used "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no archive used: " + run.out()))
                    .substring("used ".length());
            assertTrue(Files.isRegularFile(Path.of(used)), used);
            assertTrue(Path.of(used).getFileName().toString().length() < 100, used);
            archives.add(used);
            // and the next run takes it as it is
            Peers.Result again = bash(tmp, env, "'" + ferry + "' --version");
            assertEquals("used " + used, again.out().strip());
        }
        assertEquals(3, Set.copyOf(archives).size(), "one archive each: " + archives);

        // an upgrade into another folder: the archive of the one gone goes when the next one is made, and so does
        // the new one's under the name the launchers gave before (its path with "_" for "/")
        Peers.run(tmp, "rm", "-rf", tmp.resolve("i/a_b").toString()).ok();
        Path upgraded = install(tmp.resolve("i/c"));
        Path home = upgraded.getParent().getParent().resolve("lib/ferry").toRealPath();
        Path oldName = Files.writeString(
                Files.createDirectories(cache.resolve("ferry"))
                        .resolve(home.toString().replace('/', '_') + ".jsa"),
                "old");
        Peers.Result run = bash(tmp, env, "'" + upgraded + "' --version");
        assertEquals(0, run.code(), run.out());
        assertFalse(Files.exists(Path.of(archives.get(0))), "the archive of the installation gone");
        assertFalse(Files.exists(oldName), "the archive under the old name");
        assertTrue(Files.exists(Path.of(archives.get(1))), "the others stay");
        assertTrue(Files.exists(Path.of(archives.get(2))), "the others stay");
        try (Stream<Path> left = Files.list(cache.resolve("ferry"))) {
            assertEquals(3, left.filter(f -> f.toString().endsWith(".jsa")).count(), "three archives: " + run.out());
        }
    }

    @Test
    void aCommandThatFailsAtOnceLeavesNoHalfUnpackedNativeLibrary() throws Exception {
        // a copy loads libcrypto and ISA-L through JNA on its start-up thread, and JNA first unpacks its own library
        // into a temporary file: a copy that fails at once must not end the JVM in the middle (it left an empty
        // jna*.tmp in JNA's folder about one run in twenty before ferry waited for that thread)
        Path jna = Files.createDirectories(tmp.resolve("jna"));
        Map<String, String> env = Map.of("FERRY_JAVA_OPTS", "-XX:+UseSerialGC -Djna.tmpdir=" + jna);
        String ferry = "'" + QuickStartIT.repo().resolve("ferry") + "'";
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            script.append(ferry)
                    .append(" copy oci:")
                    .append(tmp.resolve("missing"))
                    .append(":x oci:")
                    .append(tmp.resolve("out"))
                    .append(":y 2>/dev/null; [ $? = 1 ] || echo WRONG-EXIT; ");
        }
        Peers.Result runs = bash(tmp, env, script.toString());
        assertEquals("", runs.out().strip(), "each failed with exit 1");
        try (Stream<Path> left = Files.list(jna)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void theStartUpArchiveLeavesOutALineItsJvmCutShort() throws Exception {
        // each run's JVM writes a class list; one that exits while another thread loads a class can leave that
        // line unfinished ("@lambda-proxy HOST" without the rest is a format error to the dump): here every run's
        // list ends so, from a java on PATH that writes it instead of running ferry, the dump being the real one
        Path fake = fakeJava(
                "-XX:DumpLoadedClassList=*",
                "printf 'java/lang/Object\\ndev/ferry/cli/Main\\n@lambda-proxy dev/fe' > \"${a#*=}\"; exit 0");
        Path repo = QuickStartIT.repo();
        Path jsa = tmp.resolve("ferry.jsa");
        Map<String, String> env = Map.of("PATH", fake + ":" + System.getenv("PATH"), "TMPDIR", tmp.toString());
        // the jar named relative to the folder the script runs in: the archive names it as the launchers do
        Peers.Result made = bash(repo, env, "scripts/cds-archive.sh cli/target/ferry.jar '" + jsa + "'");
        assertEquals(0, made.code(), made.out());
        assertTrue(Files.size(jsa) > 0, "an archive");
        Peers.Result used = Peers.run(
                tmp,
                "java",
                "-Xshare:on",
                "-Xlog:class+load",
                "-XX:SharedArchiveFile=" + jsa,
                "-jar",
                repo.resolve("cli/target/ferry.jar").toString(),
                "--version");
        assertEquals(0, used.code(), used.out() + used.err());
        assertTrue(used.out().contains("dev.ferry.cli.Main source: shared objects file"), used.out());
    }

    /**
     * A folder (for the front of PATH) holding a {@code java} that runs {@code action} (bash, {@code $a} the argument)
     * when an argument matches {@code pattern} (a bash case pattern), and is this test's java otherwise.
     */
    private Path fakeJava(String pattern, String action) throws IOException {
        Path fake = Files.createDirectories(tmp.resolve("fake"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Path script = Files.writeString(
                fake.resolve("java"),
                "#!/usr/bin/env bash\n"
                        + "for a; do case \"$a\" in " + pattern + ")\n"
                        + "  " + action + " ;;\n"
                        + "esac; done\n"
                        + "exec '" + java + "' \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return fake;
    }
}
