package dev.ferry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ferry}: the root command; it only dispatches. */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Moves container images between Docker and daemonless OCI storage.",
        subcommands = {TransportsCommand.class, InspectCommand.class, CopyCommand.class, ExportCommand.class, BundleCommand.class, BuildCommand.class, ConformanceCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "References are TRANSPORT:DETAILS, for example oci:./layout:latest or oci-archive:img.tar.",
                "Exit status: 0 success, 1 the operation failed, 2 usage or reference syntax error."})
public class RootCommand implements Runnable {
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
