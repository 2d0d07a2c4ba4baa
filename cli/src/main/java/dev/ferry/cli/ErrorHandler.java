package dev.ferry.cli;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.InvalidReferenceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Turns a failure into one line on stderr, {@code ferry: what failed; what to do}, and an exit code: 2 for usage
 * and reference syntax, 1 for everything else. Stack traces only with {@code --debug}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    static final int FAILED = 1;
    static final int USAGE = 2;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, CommandLine.ParseResult parseResult) {
        PrintWriter err = cli.getErr();
        err.println("ferry: " + message(ex));
        if (RootCommand.debug(cli)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return exitCode(ex);
    }

    static int exitCode(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof InvalidReferenceException || cause instanceof UsageException
                || cause instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        return FAILED;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof UncheckedIOException || cause instanceof CommandLine.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** One line: the message and, when known, what to do. */
    static String message(Throwable t) {
        Throwable cause = unwrap(t);
        String text;
        if (cause instanceof FerryException f) {
            text = f.getMessage() + (f.hint() == null ? "" : "; " + f.hint());
        } else if (cause instanceof NoSuchFileException e) {
            text = "no such file: " + e.getFile();
        } else if (cause instanceof AccessDeniedException e) {
            text = "permission denied: " + e.getFile() + "; check the file's permissions";
        } else if (cause instanceof FileSystemException e) {
            text = (e.getReason() == null ? "file system error" : e.getReason()) + ": " + e.getFile();
        } else if (cause instanceof IOException e) {
            text = "I/O error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } else {
            text = "internal error: " + cause + "; run with --debug and report it";
        }
        return text.replace('\n', ' ');
    }
}
