package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conformance kit run as users run it, {@code ./ferry conformance NAME}: on a built-in transport, whose fixture
 * its own jar lists, and on the sample plugin loaded from the plugin path. (Each built-in transport also runs the
 * kit in its module's tests, and through the plugin class loader in {@link PluginIT}; the registry in
 * {@link RegistryIT}; the kit's own tests prove that broken transports fail it.)
 */
class ConformanceIT {
    /** The memory check's promise, as its PASS or FAIL line names it. */
    static final String MEMORY = "ImageSink.putBlob and ImageSource.blob: a 1 GiB blob streams through a 64 MiB heap";

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"oci", "dir"})
    void passesTheKit(String transport) throws Exception {
        Path output = tmp.resolve("out.txt");
        Process p = transport.equals("dir")
                ? BigImage.ferry(
                        "-XX:+UseSerialGC",
                        output,
                        "--plugin-path",
                        PluginIT.DIR_PLUGIN.getParent().toString(),
                        "conformance",
                        "--scratch",
                        tmp.resolve("scratch").toString(),
                        transport)
                : BigImage.ferry(
                        "-XX:+UseSerialGC",
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
        assertTrue(out.contains("PASS  " + MEMORY), out);
        assertTrue(out.contains("PASS  ImageSink: a writer killed with SIGKILL"), out);
        out.lines()
                .filter(l -> l.startsWith("SKIP"))
                .forEach(l -> assertTrue(
                        l.contains("declared")
                                || l.contains("the fixture names no")
                                || l.contains("does not implement"),
                        l));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nope"})
    void anUnknownTransportIsAUsageError(String name) {
        Cli.ferry("conformance", name).fails(2, "no transport named");
    }

    @Test
    void aReadOnlyDeclarationIsCheckedAndTheRestSkipped() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Fixtures.copyTree(PluginIT.JACKSON_PLUGIN, plugins.resolve("probe"));
        Cli.Result result = Cli.ferry("--plugin-path", plugins.toString(), "conformance", "jackson-probe")
                .ok();
        assertTrue(
                result.out()
                        .contains("PASS  Capabilities: an operation declared unsupported throws"
                                + " OperationNotSupportedException"),
                result.out());
        assertTrue(result.out().contains("PASS  Transport.parse: bad syntax throws InvalidReferenceException"));
        assertTrue(result.out().contains("SKIP") && result.out().contains("declared read-only"), result.out());
        assertTrue(result.out().strip().endsWith("3 passed, 0 failed, 14 skipped"), result.out());
    }
}
