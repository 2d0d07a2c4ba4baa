package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options a third-party transport declares reach the command line without Ferry knowing the transport: the
 * Jackson probe plugin declares {@code probe-note}, and {@code ferry} offers {@code --probe-note} and, on
 * {@code copy}, {@code --src-probe-note} and {@code --dest-probe-note}; each side of a copy gets its own value.
 */
class PluginOptionsIT {
    @TempDir
    Path tmp;

    private Path plugins() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        Fixtures.copyTree(PluginIT.JACKSON_PLUGIN, dir.resolve("jackson-probe"));
        return dir;
    }

    @Test
    void aPluginsOptionIsOfferedAndReachesItsTransport() throws Exception {
        String plugins = plugins().toString();
        Cli.ferry("--plugin-path", plugins, "inspect", "--probe-note", "hello", "jackson-probe:x")
                .fails(1, "probe-note: hello");
        Cli.ferry("--plugin-path=" + plugins, "inspect", "--probe-note=again", "jackson-probe:x")
                .fails(1, "probe-note: again");
        String help = Cli.ferry("--plugin-path", plugins, "copy", "--help").ok().out();
        assertTrue(help.contains("--src-probe-note") && help.contains("--dest-probe-note"), help);
        String options = Cli.ferry("--plugin-path", plugins, "transports", "--options")
                .ok()
                .out();
        assertTrue(
                options.lines().anyMatch(l -> l.startsWith("jackson-probe ") && l.contains("--probe-note TEXT")),
                options);
    }

    @Test
    void theSourceGetsItsOwnValueOverTheSharedOne() throws Exception {
        Path out = tmp.resolve("out");
        Cli.Result result = Cli.ferry(
                "--plugin-path",
                plugins().toString(),
                "copy",
                "--probe-note",
                "shared",
                "--src-probe-note",
                "mine",
                "--dest-probe-note",
                "theirs",
                "jackson-probe:x",
                "oci:" + out);
        result.fails(1, "probe-note: mine");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void withoutThePluginTheOptionIsUnknown() {
        Cli.ferry("inspect", "--probe-note", "hello", "oci:x").fails(2, "--probe-note");
    }
}
