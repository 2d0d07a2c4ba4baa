package dev.ferry.cli;

import com.google.inject.Inject;
import dev.ferry.engine.TransportRegistry;
import dev.ferry.spi.TransportOption;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry transports}: what transports were found, what they can do, and where they came from. */
@Command(
        name = "transports",
        mixinStandardHelpOptions = true,
        description = "List the transports found: name, read/write, syntax, and the jar each came from.")
public class TransportsCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--full-path", description = "Show the full path of each jar.")
    boolean fullPath;

    @Option(
            names = "--options",
            description = "Also list the options each transport reads (offered by every command that opens images as"
                    + " --NAME, and by copy and build as --src-NAME and --dest-NAME).")
    boolean options;

    @Mixin
    TransportOptions transportOptions;

    @Inject
    Transports transports;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TransportRegistry registry =
                transportOptions.registry(transports, spec.commandLine().getErr());
        int width = 42; // the syntax column, as wide as the longest
        for (TransportRegistry.Entry entry : registry.entries()) {
            width = Math.max(width, entry.transport().syntax().length());
        }
        for (TransportRegistry.Entry entry : registry.entries()) {
            String origin = fullPath
                    ? entry.origin()
                    : String.valueOf(Path.of(entry.origin()).getFileName());
            out.printf(
                    "%-14s %-11s %-" + width + "s %s%s%n",
                    entry.transport().name(),
                    entry.transport().capabilities().describe(),
                    entry.transport().syntax(),
                    origin,
                    entry.version() == null ? "" : " (" + entry.version() + ")");
        }
        if (options) {
            for (TransportRegistry.Entry entry : registry.entries()) {
                for (TransportOption option : entry.transport().options()) {
                    out.printf(
                            "%-14s --%s %s: %s%s%n",
                            entry.transport().name(),
                            option.name(),
                            option.label(),
                            option.description(),
                            option.environment()
                                    .map(v -> " (environment: " + v + ")")
                                    .orElse(""));
                }
            }
        }
        for (var alias : registry.aliases().entrySet()) {
            boolean installed = registry.find(alias.getValue()).isPresent();
            out.printf(
                    "%-14s -> %s%s (--docker-transport api|cli, or FERRY_DOCKER_TRANSPORT)%n",
                    alias.getKey(), alias.getValue(), installed ? "" : ", which is not installed");
        }
        out.flush();
        return 0;
    }
}
