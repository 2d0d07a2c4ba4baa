package dev.ferry.cli;

import com.google.inject.Singleton;
import picocli.CommandLine.Option;

/** Options every command takes. One instance (a Guice singleton) is shared by the root and every subcommand. */
@Singleton
public class GlobalOptions {
    @Option(names = "--debug", description = "Print stack traces and debug logs on failure.")
    boolean debug;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but the result (no progress).")
    boolean quiet;

    public boolean debug() {
        return debug;
    }

    public boolean quiet() {
        return quiet;
    }
}
