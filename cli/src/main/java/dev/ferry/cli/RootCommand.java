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
    /** The subcommands, in the order help lists them. */
    static final Map<String, Class<?>> SUBCOMMANDS = subcommands(
            TransportsCommand.class,
            InspectCommand.class,
            CopyCommand.class,
            SyncCommand.class,
            ListTagsCommand.class,
            LsCommand.class,
            DeleteCommand.class,
            GcCommand.class,
            ExportCommand.class,
            BundleCommand.class,
            BuildCommand.class,
            LoginCommand.class,
            LogoutCommand.class,
            ConformanceCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class);

    private static Map<String, Class<?>> subcommands(Class<?>... types) {
        Map<String, Class<?>> map = new LinkedHashMap<>();
        for (Class<?> type : types) {
            map.put(type.getAnnotation(Command.class).name(), type);
        }
        return Collections.unmodifiableMap(map);
    }

    /**
     * The subcommands to build for {@code args}: only the one named, when one is (picocli reflects over every
     * option of every command it is given, which is a third of ferry's start-up); all of them for help, a bare
     * {@code ferry} or an unknown command, so that usage messages list them all.
     */
    static Collection<Class<?>> neededFor(String[] args) {
        if (args != null) {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--plugin-path")) {
                    i++; // its value
                } else if (arg.equals("--")) {
                    break;
                } else if (!arg.startsWith("-")) {
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
        }
        return SUBCOMMANDS.values();
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
