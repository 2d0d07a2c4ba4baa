package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only what a command needs is on its class path: the conformance kit, JUnit and the built-in transports' fixtures
 * are in lib/conformance/, which only {@code ferry conformance} loads. Checked on the jar the launchers run (its
 * manifest's Class-Path is the whole class path: they run {@code java -jar}) as built and as the tarball installs
 * it, and {@code ferry conformance} still runs from both (the .deb: {@link DebPackageIT}).
 */
class ClassPathIT {
    /** What only {@code ferry conformance} may load: the kit, its fixtures, JUnit and what JUnit brings. */
    private static final List<String> KIT_ONLY = List.of(
            "dev/ferry/conformance/",
            "org/junit/",
            "org/opentest4j/",
            "org/apiguardian/",
            "META-INF/services/dev.ferry.conformance.ConformanceFixture",
            "META-INF/services/org.junit.");

    @TempDir
    Path tmp;

    @Test
    void theLaunchersClassPathHoldsNeitherTheKitNorJUnit() throws Exception {
        Path cli = QuickStartIT.repo().resolve("cli/target");
        assertTheClassPathIsClean(cli);
        // ./ferry runs the jar and nothing else: its class path is the jar's Class-Path
        Process p = new ProcessBuilder(QuickStartIT.repo().resolve("ferry").toString(), "--version")
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("ferry "), out);
        String launcher = Files.readString(QuickStartIT.repo().resolve("ferry"));
        assertTrue(launcher.contains("-jar \"$jar\""), "./ferry runs java -jar");
        assertFalse(launcher.contains(" -cp ") || launcher.contains("-classpath"), "./ferry adds no class path");
    }

    @Test
    void theTarballKeepsTheKitApartAndRunsConformance() throws Exception {
        Path tarball;
        try (Stream<Path> files = Files.list(QuickStartIT.repo().resolve("dist/target"))) {
            tarball = files.filter(f -> f.getFileName().toString().matches("ferry-.*\\.tar\\.gz"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no tarball in dist/target: run mvn package"));
        }
        Peers.run(tmp, "tar", "-xzf", tarball.toString()).ok();
        Path home;
        try (Stream<Path> dirs = Files.list(tmp)) {
            home = dirs.filter(d -> d.getFileName().toString().startsWith("ferry-"))
                    .findFirst()
                    .orElseThrow();
        }
        assertTheClassPathIsClean(home.resolve("lib/ferry"));
        String ferry = home.resolve("bin/ferry").toString();
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Fixtures.copyTree(PluginIT.JACKSON_PLUGIN, plugins.resolve("probe"));
        // a built-in transport (its fixture from lib/conformance/) and a plugin (its fixture in its own jar, its
        // kit interface seen through the loader ferry conformance makes)
        String oci = installed(
                ferry, "conformance", "--scratch", tmp.resolve("scratch").toString(), "oci");
        assertTrue(oci.strip().lines().reduce((a, b) -> b).orElse("").matches("\\d+ passed, 0 failed.*"), oci);
        assertTrue(oci.contains("PASS  " + ConformanceIT.MEMORY), oci);
        String probe = installed(ferry, "--plugin-path", plugins.toString(), "conformance", "jackson-probe");
        assertTrue(probe.strip().endsWith("3 passed, 0 failed, 14 skipped"), probe);
        // without its folder, conformance says so in one line; the other commands never needed it
        Path kit = home.resolve("lib/ferry/lib/conformance");
        Peers.run(tmp, "rm", "-r", kit.toString()).ok();
        String missing = installed(1, ferry, "conformance", "oci");
        assertEquals(
                "ferry: the conformance kit is not installed (no jars in " + kit
                        + "); reinstall Ferry, or rebuild it with mvn package",
                missing.strip(),
                missing);
        assertTrue(installed(ferry, "--version").startsWith("ferry "));
    }

    /** Runs the installed {@code bin/ferry} (no start-up archive: making one is not what this checks). */
    private String installed(String... command) throws IOException, InterruptedException {
        return installed(0, command);
    }

    /** As {@link #installed(String...)}, exiting with {@code exit}. */
    private String installed(int exit, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(tmp.toFile())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out.txt").toFile());
        pb.environment().put("FERRY_CDS", "0");
        pb.environment().put("FERRY_JAVA_OPTS", "-XX:+UseSerialGC");
        Process p = pb.start();
        p.getOutputStream().close();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8);
        assertTrue(done, "timed out: " + out);
        assertEquals(exit, p.exitValue(), out);
        return out;
    }

    /**
     * The class path of ferry.jar in {@code home} (itself and its manifest's Class-Path) holds nothing of the kit or
     * JUnit, and the kit with JUnit's engine is in {@code home}/lib/conformance/.
     */
    private static void assertTheClassPathIsClean(Path home) throws IOException {
        Path jar = home.resolve("ferry.jar");
        List<Path> classPath = new ArrayList<>(List.of(jar));
        try (JarFile j = new JarFile(jar.toFile())) {
            String entries = j.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            for (String entry : entries.trim().split(" +")) {
                Path p = home.resolve(entry);
                assertTrue(Files.isRegularFile(p), entry + " of the Class-Path is in " + home);
                classPath.add(p);
            }
        }
        assertTrue(classPath.size() > 10, classPath.toString());
        for (Path p : classPath) {
            List<String> found = kitEntries(p);
            assertTrue(
                    found.isEmpty(),
                    p + " is on every command's class path, yet holds " + found.subList(0, Math.min(5, found.size())));
        }
        List<String> kit = new ArrayList<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(home.resolve("lib/conformance"), "*.jar")) {
            for (Path p : jars) {
                kit.addAll(kitEntries(p));
            }
        }
        for (String expected : List.of(
                "dev/ferry/conformance/ConformanceRunner.class",
                "dev/ferry/conformance/fixtures/LayoutFixtures$Oci.class",
                "META-INF/services/dev.ferry.conformance.ConformanceFixture",
                "org/junit/platform/launcher/core/LauncherFactory.class",
                "META-INF/services/org.junit.platform.engine.TestEngine")) {
            assertTrue(kit.contains(expected), expected + " is in lib/conformance/");
        }
    }

    /** The entries of {@code jar} that only {@code ferry conformance} may load. */
    private static List<String> kitEntries(Path jar) throws IOException {
        List<String> found = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = j.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (KIT_ONLY.stream().anyMatch(name::startsWith)) {
                    found.add(name);
                }
            }
        }
        return found;
    }
}
