package dev.ferry.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Builds the command line: one Guice injector creates every command. */
public final class Ferry {
    private Ferry() {}

    /** The {@code ferry} command line, printing to the process's stdout and stderr. */
    public static CommandLine create() {
        return create(new FerryModule());
    }

    /** The {@code ferry} command line with the given bindings (tests swap in their own). */
    public static CommandLine create(com.google.inject.Module module) {
        Injector injector = Guice.createInjector(module);
        CommandLine cli = new CommandLine(RootCommand.class, new GuiceFactory(injector));
        cli.setExecutionExceptionHandler(new ErrorHandler());
        cli.setParameterExceptionHandler(new UsageErrorHandler());
        cli.setExitCodeExceptionMapper(ErrorHandler::exitCode);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }

    /** Runs {@code args} with output captured, for tests: returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = create();
        cli.setOut(out);
        cli.setErr(err);
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
