package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.cfg.PackageVersion;
import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.ConformanceRunner;
import dev.ferry.engine.PluginLoader;
import dev.ferry.engine.TransportRegistry;
import dev.ferry.spi.Transport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Third-party transports from the plugin path: the sample {@code dir:} transport (its own module, built as a jar
 * that is not on Ferry's classpath) and a plugin folder that bundles an older Jackson than Ferry's.
 */
class PluginIT {
    static final Path DIR_PLUGIN = Path.of(
            System.getProperty("ferry.samplePlugin", "../sample-dir-transport/target/ferry-sample-dir-transport.jar"));
    static final Path JACKSON_PLUGIN =
            Path.of(System.getProperty("ferry.jacksonPlugin", "../sample-jackson-plugin/target/plugin"));

    @TempDir
    Path tmp;

    /** A plugin folder holding the sample jar and the Jackson plugin folder. */
    private Path plugins() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        Files.copy(DIR_PLUGIN, dir.resolve(DIR_PLUGIN.getFileName()));
        Fixtures.copyTree(JACKSON_PLUGIN, dir.resolve("jackson-probe"));
        return dir;
    }

    /**
     * The plugin boundary is true for Ferry's own transports: each built-in transport's jar, with its dependencies
     * (its module's target/plugin, Ferry's jars left out), is loaded through the same isolating class loader a
     * third-party plugin gets, sees only what a plugin sees, and passes the whole conformance kit there (with its
     * fixture from the built-in fixtures' jar, which is the kit's side, not the transport's).
     */
    @ParameterizedTest
    @CsvSource({
        "oci, transport-oci-layout",
        "oci-archive, transport-oci-layout",
        "docker-archive, transport-docker-archive",
        "docker-cli, transport-docker-cli",
        "docker-api, transport-docker-api",
        "docker, transport-registry"
    })
    void aBuiltInTransportLoadedAsAPluginPassesTheKit(String name, String module) throws Exception {
        if (name.equals("docker-cli") || name.equals("docker-api")) {
            Daemon.require();
        }
        if (name.equals("docker")) {
            try (RegistryServer registry = RegistryServer.plain()) {
                // the registry fixture reads it from a system property (the environment cannot be set here), which
                // the kit hands to its child JVMs too
                System.setProperty("ferry.conformance.registry", registry.host());
                try {
                    runTheKitOnAPlugin(name, module);
                } finally {
                    System.clearProperty("ferry.conformance.registry");
                }
            }
            return;
        }
        runTheKitOnAPlugin(name, module);
    }

    private void runTheKitOnAPlugin(String name, String module) throws Exception {
        Path target = Path.of(System.getProperty("ferry.repoRoot", "../.."))
                .resolve(module)
                .resolve("target");
        Path plugin = Files.createDirectories(tmp.resolve("plugins").resolve(module));
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> built = Files.newDirectoryStream(target, "ferry-transport-*.jar")) {
            built.forEach(jars::add);
        }
        try (DirectoryStream<Path> deps = Files.newDirectoryStream(target.resolve("plugin"), "*.jar")) {
            deps.forEach(jars::add);
        }
        for (Path jar : jars) {
            Files.copy(jar, plugin.resolve(jar.getFileName()));
        }
        List<String> warnings = new ArrayList<>();
        Transport transport =
                PluginLoader.load(List.of(tmp.resolve("plugins")), PluginIT.class.getClassLoader(), warnings::add)
                        .stream()
                        .map(TransportRegistry.Entry::transport)
                        .filter(t -> t.name().equals(name))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(name + " is not in " + jars + " " + warnings));
        assertTrue(warnings.isEmpty(), warnings.toString());
        ClassLoader loader = transport.getClass().getClassLoader();
        assertTrue(loader.getName().startsWith("ferry-plugin:"), loader.getName());
        // what only Ferry's class path holds, a plugin cannot see
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("dev.ferry.engine.CopyEngine"));
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("dev.ferry.internal.Json"));
        ConformanceFixture fixture = ConformanceRunner.fixtureFor(transport);
        assertTrue(fixture != null && fixture.getClass().getClassLoader() != loader, "the kit's side holds it");
        StringWriter out = new StringWriter();
        ConformanceRunner.Result result = ConformanceRunner.run(
                transport, fixture, Files.createDirectories(tmp.resolve("scratch")), new PrintWriter(out));
        assertEquals(0, result.failed(), out.toString());
        assertTrue(result.passed() > 10, out.toString());
    }

    @Test
    void theSamplesAreNotOnFerrysClasspath() {
        assertTrue(Files.isRegularFile(DIR_PLUGIN), DIR_PLUGIN + " was built");
        assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.ferry.sample.dir.DirTransport"));
        assertFalse(Cli.ferry("transports").ok().out().contains("dir "));
    }

    @Test
    void transportsShowsEachPluginWithItsJar() throws Exception {
        String out = Cli.ferry("--plugin-path", plugins().toString(), "transports")
                .ok()
                .out();
        assertTrue(
                out.lines()
                        .anyMatch(l -> l.startsWith("dir ")
                                && l.contains("ferry-sample-dir-transport.jar")
                                && l.contains("read/write")),
                out);
        assertTrue(
                out.lines()
                        .anyMatch(l -> l.startsWith("jackson-probe ")
                                && l.contains("read-only")
                                && l.contains("ferry-sample-jackson-plugin")),
                out);
    }

    @Test
    void aPluginKeepsItsOwnJackson() throws Exception {
        Cli.Result result = Cli.ferry("--plugin-path", plugins().toString(), "inspect", "jackson-probe:anything");
        result.fails(1, "jackson-databind 2.17.2");
        assertFalse(result.stderr().contains(PackageVersion.VERSION.toString()));
    }

    @Test
    void imagesGoThroughThePluginToAndFromEveryBuiltInTransport() throws Exception {
        String plugins = plugins().toString();
        Path source = Fixtures.syntheticLayout(tmp.resolve("src"), "img", 20_000, 3000);
        String digest = Fixtures.entry(source, "img").path("digest").asText();
        String dir = "dir:" + tmp.resolve("dir");
        assertEquals(
                digest,
                Cli.ferry("--plugin-path", plugins, "copy", "-q", "oci:" + source + ":img", dir)
                        .ok()
                        .out()
                        .strip());
        // skopeo reads what the plugin wrote
        assertTrue(Peers.run(tmp, "skopeo", "inspect", dir).ok().out().contains(digest));
        for (String to : List.of(
                "oci:" + tmp.resolve("back") + ":x",
                "oci-archive:" + tmp.resolve("back.tar") + ":x",
                "docker-archive:" + tmp.resolve("back-docker.tar") + ":ferry-it/plugin:1")) {
            Cli.ferry("--plugin-path", plugins, "copy", "-q", dir, to).ok();
        }
        assertEquals(
                digest, Fixtures.entry(tmp.resolve("back"), "x").path("digest").asText());
        // and the other way: from an archive into the plugin, and what skopeo wrote in dir: read by the plugin
        Cli.ferry(
                        "--plugin-path",
                        plugins,
                        "copy",
                        "-q",
                        "docker-archive:" + tmp.resolve("back-docker.tar"),
                        "dir:" + tmp.resolve("dir2"))
                .ok();
        // through the Docker daemon, both ways, with both docker transports
        Daemon.require();
        for (String daemon : List.of("docker-api", "docker-cli")) {
            String tag = daemon + ":ferry-it/plugin-" + daemon + ":1";
            Cli.ferry("--plugin-path", plugins, "copy", "-q", dir, tag).ok();
            Cli.ferry("--plugin-path", plugins, "copy", "-q", tag, "dir:" + tmp.resolve("from-" + daemon))
                    .ok();
            assertTrue(Files.isRegularFile(tmp.resolve("from-" + daemon).resolve("manifest.json")));
            Daemon.remove("ferry-it/plugin-" + daemon + ":1");
        }
        Peers.run(tmp, "skopeo", "copy", "oci:" + source + ":img", "dir:" + tmp.resolve("by-skopeo"))
                .ok();
        assertEquals(
                digest,
                Cli.ferry(
                                "--plugin-path",
                                plugins,
                                "copy",
                                "-q",
                                "dir:" + tmp.resolve("by-skopeo"),
                                "oci-archive:" + tmp.resolve("from-skopeo.tar"))
                        .ok()
                        .out()
                        .strip());
    }

    @Test
    void aBrokenPluginIsAWarningAndTheRestWork() throws Exception {
        Path dir = plugins();
        Files.writeString(dir.resolve("garbage.jar"), "not a jar");
        Path missing = dir.resolve("missing-class.jar");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(missing))) {
            jar.putNextEntry(new JarEntry("META-INF/services/dev.ferry.spi.Transport"));
            jar.write("com.example.NoSuchTransport\n".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        Cli.Result result =
                Cli.ferry("--plugin-path", dir.toString(), "transports").ok();
        assertTrue(
                result.stderr().contains("missing-class.jar") && result.stderr().contains("NoSuchTransport"),
                result.stderr());
        assertTrue(result.out().contains("ferry-sample-dir-transport.jar"), result.out());
    }

    @Test
    void twoTransportsWithOneNameNameBothJars() throws Exception {
        Path dir = plugins();
        Files.copy(DIR_PLUGIN, dir.resolve("another-copy.jar"));
        Cli.ferry("--plugin-path", dir.toString(), "transports")
                .fails(1, "\"dir\"", "another-copy.jar", "ferry-sample-dir-transport.jar");
    }

    @Test
    void thePluginPathFromTheEnvironment() throws Exception {
        Path launcher = Path.of(System.getProperty("ferry.repoRoot", "../..")).resolve("ferry");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "transports").redirectErrorStream(true);
        pb.environment().put("FERRY_PLUGIN_PATH", tmp.resolve("nowhere") + ":" + plugins());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ferry-sample-dir-transport.jar") && out.contains("jackson-probe"), out);
        assertTrue(out.contains("nowhere is not a folder"), out);
    }
}
