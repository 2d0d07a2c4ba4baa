package dev.ferry.cli;

import com.google.inject.Inject;
import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.ConformanceRunner;
import dev.ferry.engine.TransportRegistry;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry conformance TRANSPORT}: runs the conformance kit against a transport, built-in or plugin. */
@Command(
        name = "conformance",
        mixinStandardHelpOptions = true,
        description = {
            "Run the conformance kit against TRANSPORT (built-in, or from --plugin-path) and print each"
                    + " check, named by the promise it proves; ends with 'N passed, N failed'. Exit 1 when a check"
                    + " failed. The fixture comes from the transport's jar"
                    + " (META-INF/services/dev.ferry.conformance.ConformanceFixture)."
        })
public class ConformanceCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Mixin
    TransportOptions transportOptions;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "TRANSPORT",
            description = "The transport's name, as `ferry transports`" + " lists it.")
    String name;

    @Option(
            names = "--scratch",
            paramLabel = "DIR",
            description = "Where the checks write, each in a check-* folder of its own that is kept, to look at"
                    + " what a failing check left (default: temporary folders, removed afterwards).")
    Path scratch;

    @Inject
    Transports transports;

    @Override
    public Integer call() throws Exception {
        TransportRegistry registry =
                transportOptions.registry(transports, spec.commandLine().getErr());
        Transport transport = registry.find(name)
                .map(TransportRegistry.Entry::transport)
                .orElseThrow(() ->
                        new UsageException("no transport named \"" + name + "\"", "`ferry transports` lists them"));
        ConformanceFixture fixture = ConformanceRunner.fixtureFor(transport);
        if (fixture == null) {
            throw new FerryException(
                    "transport " + name + " provides no conformance fixture",
                    "its jar must list one in META-INF/services/dev.ferry.conformance.ConformanceFixture");
        }
        if (scratch != null) {
            Files.createDirectories(scratch);
        }
        ConformanceRunner.Result result = ConformanceRunner.run(
                transport,
                fixture,
                scratch == null ? null : scratch.toAbsolutePath(),
                spec.commandLine().getOut());
        return result.failed() == 0 ? 0 : ErrorHandler.FAILED;
    }
}
