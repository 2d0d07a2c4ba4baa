package dev.ferry.cli;

import com.google.inject.CreationException;
import com.google.inject.ProvisionException;
import dev.ferry.engine.TransportRegistry;
import dev.ferry.internal.Json;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.Transport;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import picocli.CommandLine;

/**
 * Builds the command line: picocli makes the commands, and one Guice injector, made in the background or when a
 * command runs, injects the members of the one that runs.
 */
public final class Ferry {
    private Ferry() {}

    /** The {@code ferry} command line writing to {@code stdout} and {@code stderr}, in UTF-8. */
    public static CommandLine create(OutputStream stdout, OutputStream stderr) {
        return create(new FerryModule(stdout), stdout, stderr, null);
    }

    /**
     * The {@code ferry} command line with the given bindings (tests and plugins may add their own). The command line
     * binds {@link GlobalOptions} and {@link Transports} itself (one instance each): {@code module} must not.
     */
    public static CommandLine create(com.google.inject.Module module, OutputStream stdout, OutputStream stderr) {
        return create(module, stdout, stderr, null);
    }

    /**
     * The command line for running {@code args} (null: every command): only the subcommand they name is built.
     */
    static CommandLine create(
            com.google.inject.Module module, OutputStream stdout, OutputStream stderr, String[] args) {
        GlobalOptions global = new GlobalOptions();
        global.stderrIsTerminal(stderr == System.err && Progress.Terminal.stderrIsTerminal());
        Transports shared = FerryModule.transports(global, Ferry.class.getClassLoader());
        GuiceFactory factory = new GuiceFactory(module, global, shared, Set.copyOf(RootCommand.SUBCOMMANDS.values()));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8));
        FutureTask<List<Transport>> early = null;
        if (args != null) {
            // A command named (as far as can be told before picocli knows the root's options): on a second core,
            // while picocli builds the root and the command, the transports are loaded (when it opens images; their
            // options are added to it before the arguments are parsed), then the injector is made (the command
            // waits for it only when it runs), then Jackson is warmed up (its first use is the command's).
            List<Class<?>> named = new ArrayList<>(RootCommand.neededFor(args, null));
            named.remove(CommandLine.HelpCommand.class);
            if (named.size() == 1 && TransportFlags.OpensImages.class.isAssignableFrom(named.get(0))) {
                FutureTask<List<Transport>> task = new FutureTask<>(() -> transports(shared, global, args, err));
                early = task;
                factory.prepare(named.get(0), task, Ferry::warmJson);
            } else if (!named.isEmpty()) {
                factory.prepare(named.get(0), () -> {}, () -> {});
            }
        }
        CommandLine cli = new CommandLine(RootCommand.class, factory);
        List<Transport> transports = null;
        Collection<Class<?>> needed = RootCommand.neededFor(args, cli.getCommandSpec());
        // the transports' options on the command that runs (a bare ferry, --version or --help loads none), or on
        // every command of the full tree (args null: man pages, completion and tests)
        boolean one = args == null
                || needed.stream()
                                .filter(t -> t != CommandLine.HelpCommand.class)
                                .count()
                        == 1;
        // no command named (help, usage, --version, an unknown command): the others as outlines, for the listing
        boolean outlines = needed.size() == 1 && needed.contains(CommandLine.HelpCommand.class);
        for (Class<?> type : RootCommand.SUBCOMMANDS.values()) {
            if (!needed.contains(type)) {
                if (outlines) {
                    cli.addSubcommand(RootCommand.outline(type)); // its name and description
                }
                continue;
            }
            CommandLine sub = new CommandLine(type, factory);
            if (one && sub.getCommand() instanceof TransportFlags.OpensImages opens) {
                if (transports == null) {
                    transports = early == null ? transports(shared, global, args, err) : joined(early);
                }
                TransportFlags.addTo(
                        sub.getCommandSpec(), transports, opens.twoSided(), w -> err.println("ferry: warning: " + w));
            }
            cli.addSubcommand(sub);
        }
        if (early != null && transports == null) {
            joined(early); // the command named was not the one found: nothing left running while args are parsed
        }
        cli.setOut(new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8)));
        cli.setErr(err);
        // the members of the command that runs are injected just before (not for its --help or --version)
        cli.setExecutionStrategy(parsed -> {
            if (!helpRequested(parsed)) {
                List<CommandLine> chain = parsed.asCommandLineList();
                inject(factory, chain.get(chain.size() - 1));
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setExecutionExceptionHandler(new ErrorHandler());
        cli.setParameterExceptionHandler(new UsageErrorHandler());
        // a lambda, not ErrorHandler::exitCode: making the start-up archive resolves this class's method handles, and
        // one to ErrorHandler links it with picocli's Java 5 interface, which the archive then leaves out (and
        // ErrorHandler and picocli's own handler with it: each start read them from their jars, opening both)
        cli.setExitCodeExceptionMapper(e -> ErrorHandler.exitCode(e));
        return cli;
    }

    /**
     * Injects the members of {@code command}; what that throws is the command's failure, reported as its own are
     * (one line: picocli prints the stack trace of what its execution strategy throws). Guice's wrapper is dropped
     * when it holds one cause: a provider's {@link FerryException} shows its message and hint.
     */
    private static void inject(GuiceFactory factory, CommandLine command) {
        try {
            factory.injectMembers(command.getCommand());
        } catch (ProvisionException | CreationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CommandLine.ExecutionException(command, "cannot make " + command.getCommandName(), cause);
        } catch (RuntimeException e) {
            throw new CommandLine.ExecutionException(command, "cannot make " + command.getCommandName(), e);
        }
    }

    /** Whether {@code parsed} asks for usage or version help, which picocli prints instead of running a command. */
    private static boolean helpRequested(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
                return true;
            }
        }
        return false;
    }

    /** The result of {@code task}, run here unless another thread has started it. */
    static <T> T joined(FutureTask<T> task) {
        task.run(); // nothing when it ran or runs on the other thread
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Initializes Jackson's object mapper (its date format loads the JDK's locale data: tens of milliseconds), as the
     * first JSON read would.
     */
    private static void warmJson() {
        try {
            Objects.requireNonNull(Json.MAPPER);
        } catch (RuntimeException | LinkageError e) {
            // the first JSON read meets it again, on the command's thread, and reports it
        }
    }

    /** Whether {@code --debug} is among the options (before a {@code --} that ends them). */
    static boolean debug(String[] args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--debug")) {
                return true;
            }
        }
        return false;
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    /**
     * The transports, built-in and from the plugin path (found in {@code args} before they are parsed), whose
     * options the commands offer; none when they cannot be loaded (the command then reports why when it needs
     * them).
     */
    private static List<Transport> transports(Transports shared, GlobalOptions global, String[] args, PrintWriter err) {
        global.presetPluginPaths(RootCommand.pluginPathsIn(args));
        try {
            List<Transport> all = new ArrayList<>();
            for (TransportRegistry.Entry entry : shared.registry(err).entries()) {
                all.add(entry.transport());
            }
            return all;
        } catch (FerryException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * Runs {@code args} and returns the exit code; everything written is flushed. Output that could not all be
     * written to {@code stdout} (its reader closed the pipe) is a failure: exit 1 and one line on stderr.
     */
    public static int run(OutputStream stdout, OutputStream stderr, String... args) {
        // The transports' logs (docker-java's, through SLF4J) go to stderr with --debug, and nowhere without it
        // (set before the first logger is made; an explicit -D wins).
        defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", debug(args) ? "debug" : "off");
        defaultProperty("org.slf4j.simpleLogger.logFile", "System.err");
        defaultProperty("org.slf4j.simpleLogger.showThreadName", "false");
        defaultProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        Stdout.Guard guard = new Stdout.Guard(stdout);
        OutputStream out = new BufferedOutputStream(guard, 1 << 16);
        if (versionOnly(args)) {
            // what picocli prints for --version, without building the command line (most of --version's time)
            PrintWriter version = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            for (String line : new VersionProvider().getVersion()) {
                version.println(line);
            }
            version.flush();
            return checked(0, guard, new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8)));
        }
        CommandLine cli = create(new FerryModule(out), out, stderr, args);
        cli.setExecutionExceptionHandler(new ErrorHandler(guard::failure));
        int code;
        try {
            code = cli.execute(args);
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
        }
        return checked(code, guard, cli.getErr());
    }

    /** Whether {@code args} are only {@code --version} (or {@code -V}). */
    static boolean versionOnly(String[] args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /** {@code code}, or a failure when output to stdout was lost: swallowed by a PrintWriter, or by the last flush. */
    private static int checked(int code, Stdout.Guard guard, PrintWriter err) {
        if (code == 0 && guard.failure() != null) {
            err.println("ferry: " + ErrorHandler.message(guard.failure()));
            err.flush();
            return ErrorHandler.FAILED;
        }
        return code;
    }
}
