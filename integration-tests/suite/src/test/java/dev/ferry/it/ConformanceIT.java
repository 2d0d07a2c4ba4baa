package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every built-in transport, and the sample plugin loaded from the plugin path, passes the conformance kit, run as
 * users run it: {@code ./ferry conformance NAME}, with a 128 MiB heap, so the kit's 1 GiB layer proves streaming.
 */
class ConformanceIT {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"oci", "oci-archive", "docker-archive", "docker-cli", "docker-api", "dir"})
    void passesTheKit(String transport) throws Exception {
        if (transport.startsWith("docker-") && !transport.equals("docker-archive")) {
            Daemon.require();
        }
        Path output = tmp.resolve("out.txt");
        Process p = transport.equals("dir")
                ? BigImage.ferry(
                        "-Xmx128m -XX:+UseSerialGC",
                        output,
                        "--plugin-path",
                        PluginIT.DIR_PLUGIN.getParent().toString(),
                        "conformance",
                        "--scratch",
                        tmp.resolve("scratch").toString(),
                        transport)
                : BigImage.ferry(
                        "-Xmx128m -XX:+UseSerialGC",
                        output,
                        "conformance",
                        "--scratch",
                        tmp.resolve("scratch").toString(),
                        transport);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the kit timed out");
        String out = Files.readString(output);
        assertEquals(0, p.exitValue(), out);
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.matches("\\d+ passed, 0 failed(, \\d+ skipped)?"), out);
        assertTrue(out.contains("PASS  a 1 GiB layer, made on the fly, streams through with a small heap"), out);
        out.lines().filter(l -> l.startsWith("SKIP")).forEach(l -> assertTrue(l.contains("declared"), l));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nope"})
    void anUnknownTransportIsAUsageError(String name) {
        Cli.ferry("conformance", name).fails(2, "no transport named");
    }

    @org.junit.jupiter.api.Test
    void aReadOnlyDeclarationIsCheckedAndTheRestSkipped() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Fixtures.copyTree(PluginIT.JACKSON_PLUGIN, plugins.resolve("probe"));
        Cli.Result result = Cli.ferry("--plugin-path", plugins.toString(), "conformance", "jackson-probe")
                .ok();
        assertTrue(result.out().contains("PASS  declared capabilities are truthful"), result.out());
        assertTrue(result.out().contains("SKIP") && result.out().contains("declared read-only"), result.out());
        assertTrue(result.out().strip().endsWith("0 failed, 9 skipped"), result.out());
    }
}
