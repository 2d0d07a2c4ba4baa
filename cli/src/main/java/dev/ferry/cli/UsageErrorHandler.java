package dev.ferry.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** A usage error: one line naming the problem and where to read the usage; exit code 2. */
final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cli = ex.getCommandLine();
        PrintWriter err = cli.getErr();
        String command = cli.getCommandSpec().qualifiedName();
        err.println("ferry: " + ex.getMessage().replace('\n', ' ') + "; see '" + command + " --help'");
        err.flush();
        return ErrorHandler.USAGE;
    }
}
