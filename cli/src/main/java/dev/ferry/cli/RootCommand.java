package dev.ferry.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/** {@code ferry}: the root command; it only dispatches. */
@Command(
        name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Moves container images between registries, the Docker daemon, and OCI layouts and archives.",
        footer = {
            "",
            "References are TRANSPORT:DETAILS, for example oci:./layout:latest or oci-archive:img.tar.",
            "Exit status: 0 success, 1 the operation failed, 2 usage or reference syntax error."
        })
public class RootCommand implements Runnable {
    /**
     * The subcommands by name, in the order help lists them. The names are written here as well as in each
     * command's annotation (RootCommandTest checks they agree): reading sixteen annotations was a tenth of start-up.
     */
    static final Map<String, Class<?>> SUBCOMMANDS = subcommands(
            "transports", TransportsCommand.class,
            "inspect", InspectCommand.class,
            "copy", CopyCommand.class,
            "sync", SyncCommand.class,
            "list-tags", ListTagsCommand.class,
            "ls", LsCommand.class,
            "delete", DeleteCommand.class,
            "gc", GcCommand.class,
            "export", ExportCommand.class,
            "bundle", BundleCommand.class,
            "build", BuildCommand.class,
            "login", LoginCommand.class,
            "logout", LogoutCommand.class,
            "conformance", ConformanceCommand.class,
            "completion", CompletionCommand.class,
            "help", CommandLine.HelpCommand.class);

    private static Map<String, Class<?>> subcommands(Object... namesAndTypes) {
        Map<String, Class<?>> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            map.put((String) namesAndTypes[i], (Class<?>) namesAndTypes[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }

    /**
     * The subcommands to build for {@code args} (null: all of them, for man pages and completion): only the one
     * named, when one is (picocli reflects over every option of every command it is given, and the commands are
     * what Guice is made for: together two thirds of ferry's start-up); none for {@code --version}; for help, a
     * bare {@code ferry} or an unknown command none but {@code help} itself: the others are {@linkplain #outline
     * outlines}.
     * The values of {@code root}'s options are skipped ({@code --progress plain copy} names {@code copy}).
     */
    static Collection<Class<?>> neededFor(String[] args, CommandSpec root) {
        if (args == null) {
            return SUBCOMMANDS.values();
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                break;
            } else if (arg.equals("--version") || arg.equals("-V")) {
                return List.of(); // prints the version, whatever follows: nothing to list
            } else if (arg.startsWith("-")) {
                OptionSpec option = arg.contains("=") || root == null ? null : root.findOption(arg);
                if (option != null && option.arity().min() > 0) {
                    i++; // its value
                }
            } else {
                Class<?> type = SUBCOMMANDS.get(arg);
                if (type != null && type != CommandLine.HelpCommand.class) {
                    return List.of(type);
                }
                Class<?> helped = i + 1 < args.length ? SUBCOMMANDS.get(args[i + 1]) : null;
                if (type == CommandLine.HelpCommand.class
                        && helped != null
                        && helped != CommandLine.HelpCommand.class) {
                    return List.of(type, helped); // ferry help COMMAND
                }
                break;
            }
        }
        return List.of(CommandLine.HelpCommand.class);
    }

    /**
     * A subcommand's name, aliases, header and description from its annotation, without its options: what the
     * root's usage lists and what "did you mean" suggests from. Nothing runs it ({@link #neededFor} builds the
     * command that runs).
     */
    static CommandLine outline(Class<?> type) {
        Command command = type.getAnnotation(Command.class);
        CommandSpec spec = CommandSpec.create().name(command.name()).aliases(command.aliases());
        spec.usageMessage().header(command.header()).description(command.description());
        return new CommandLine(spec);
    }

    /** The values of {@code --plugin-path} in {@code args} (null: none), found before picocli parses them. */
    static List<Path> pluginPathsIn(String[] args) {
        List<Path> paths = new ArrayList<>();
        if (args != null) {
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--")) {
                    break;
                } else if (args[i].equals("--plugin-path") && i + 1 < args.length) {
                    paths.add(Path.of(args[++i]));
                } else if (args[i].startsWith("--plugin-path=")) {
                    paths.add(Path.of(args[i].substring("--plugin-path=".length())));
                }
            }
        }
        return paths;
    }

    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Whether {@code --debug} was given, wherever on the command line. */
    static boolean debug(CommandLine cli) {
        CommandLine root = cli;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Object command = root.getCommand();
        return command instanceof RootCommand r && r.global != null && r.global.debug();
    }
}
