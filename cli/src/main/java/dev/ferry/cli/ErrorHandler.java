package dev.ferry.cli;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.support.ShortPath;
import dev.ferry.spi.support.TempFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * Turns a failure into one line on stderr, {@code ferry: what failed; what to do}, and an exit code: 2 for usage
 * and reference syntax, 1 for everything else. Stack traces only with {@code --debug}. File system errors name
 * the operation, the path and the cause, with a hint; long paths are shortened (see {@link ShortPath}).
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** Words of a message longer than this are paths (or worse) to shorten: no digest or reference is as long. */
    private static final int LONG_WORD = 256;

    /** What the java.nio.file.Files (or FileChannel) method that failed was doing, by its name. */
    private static final Map<String, String> OPERATIONS = Map.ofEntries(
            Map.entry("createDirectory", "create the folder"),
            Map.entry("createDirectories", "create the folder"),
            Map.entry("createFile", "create"),
            Map.entry("createTempFile", "create a temporary file in"),
            Map.entry("createTempDirectory", "create a temporary folder in"),
            Map.entry("createSymbolicLink", "create the symlink"),
            Map.entry("createLink", "create the hard link"),
            Map.entry("newOutputStream", "write"),
            Map.entry("newBufferedWriter", "write"),
            Map.entry("write", "write"),
            Map.entry("writeString", "write"),
            Map.entry("newInputStream", "read"),
            Map.entry("newBufferedReader", "read"),
            Map.entry("readAllBytes", "read"),
            Map.entry("readString", "read"),
            Map.entry("readAllLines", "read"),
            Map.entry("lines", "read"),
            Map.entry("newByteChannel", "open"),
            Map.entry("open", "open"),
            Map.entry("move", "move"),
            Map.entry("copy", "copy"),
            Map.entry("delete", "remove"),
            Map.entry("deleteIfExists", "remove"),
            Map.entry("newDirectoryStream", "list the folder"),
            Map.entry("list", "list the folder"),
            Map.entry("walk", "list the folder"),
            Map.entry("find", "list the folder"),
            Map.entry("readSymbolicLink", "read the symlink"),
            Map.entry("readAttributes", "look at"),
            Map.entry("getAttribute", "look at"),
            Map.entry("size", "look at"),
            Map.entry("getOwner", "look at"),
            Map.entry("getPosixFilePermissions", "look at"),
            Map.entry("getLastModifiedTime", "look at"),
            Map.entry("setAttribute", "set the attributes of"),
            Map.entry("setPosixFilePermissions", "set the permissions of"),
            Map.entry("setOwner", "set the owner of"),
            Map.entry("setLastModifiedTime", "set the time of"),
            Map.entry("toRealPath", "resolve"),
            Map.entry("getFileStore", "look at the file system of"));

    private final Supplier<? extends Exception> stdoutFailure;

    ErrorHandler() {
        this(() -> null);
    }

    /** {@code stdoutFailure}: when standard output failed, that is the failure to report, whatever followed. */
    ErrorHandler(Supplier<? extends Exception> stdoutFailure) {
        this.stdoutFailure = stdoutFailure;
    }

    /** A command that writes to a target the user named: errors of writing name it, not a temporary file. */
    interface Writes {
        /** The target as the user named it (a reference, a file, a folder), or null before it is known. */
        String target();
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, CommandLine.ParseResult parseResult) {
        PrintWriter err = cli.getErr();
        Exception stdout = stdoutFailure.get();
        String target = cli.getCommand() instanceof Writes writes ? writes.target() : null;
        err.println("ferry: " + (stdout != null ? message(stdout) : message(ex, target)));
        if (RootCommand.debug(cli)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return stdout != null ? FAILED : exitCode(ex);
    }

    static int exitCode(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof InvalidReferenceException
                || cause instanceof UsageException
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
        return message(t, null);
    }

    /**
     * One line, naming {@code target} (what the command writes, as the user named it; null: unknown) for a failure
     * to write that names no file, or only a temporary one of ours: "cannot write TARGET: no space left on device;
     * free some space ...".
     */
    static String message(Throwable t, String target) {
        Throwable cause = unwrap(t);
        if (target != null && cause instanceof IOException e && !(cause instanceof FerryException)) {
            String named = writing(e, target);
            if (named != null) {
                return shortenLongWords(named.replace('\n', ' ').replace('\r', ' '));
            }
        }
        String text;
        if (cause instanceof FerryException f) {
            text = f.getMessage() + (f.hint() == null ? "" : "; " + f.hint());
        } else if (cause instanceof FileSystemException e) {
            text = fileSystem(e);
        } else if (cause instanceof IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            String hint = hint(reason);
            text = "I/O error: " + reason + (hint == null ? "" : "; " + hint);
        } else if (cause instanceof InvalidPathException e) {
            text = "not a valid path: " + ShortPath.of(e.getInput()) + " (" + e.getReason() + ")"
                    + (String.valueOf(e.getReason()).contains("unmappable")
                            ? "; names that are not ASCII need a UTF-8 locale (export LC_ALL=C.UTF-8)"
                            : "");
        } else {
            text = "internal error: " + cause + "; run with --debug and report it";
        }
        return shortenLongWords(text.replace('\n', ' ').replace('\r', ' '));
    }

    /**
     * For a write that failed for want of space, of a writable file system or of permission, without naming a
     * file or naming one of our temporary files: the message naming {@code target} instead; else null.
     */
    private static String writing(IOException e, String target) {
        String file = e instanceof FileSystemException f ? f.getFile() : null;
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (e instanceof AccessDeniedException) {
            reason = "Permission denied";
        }
        if (reason == null) {
            return null;
        }
        String where = "";
        if (file != null) {
            Path path = toPath(file);
            Path name = path == null ? null : path.getFileName();
            if (name == null || !TempFiles.isTemporaryName(name.toString())) {
                return null; // a file the user knows: the usual message names it
            }
            where = " (its temporary files in "
                    + ShortPath.of(String.valueOf(path.toAbsolutePath().getParent())) + ")";
        }
        String hint;
        if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded")) {
            hint = "free some space on that file system, or write elsewhere (--tmpdir for the temporary files)";
        } else if (reason.contains("Read-only file system")) {
            hint = "name a target on a writable file system (--tmpdir for the temporary files)";
        } else if (reason.contains("Permission denied") || reason.contains("Operation not permitted")) {
            hint = "check the permissions of the target and of the folders above it (--tmpdir for the temporary"
                    + " files)";
        } else {
            return null;
        }
        String text = reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
        return "cannot write " + target + where + ": " + text + "; " + hint;
    }

    /** "cannot OPERATION PATH: what is wrong; what to do". */
    static String fileSystem(FileSystemException e) {
        String file = e.getFile();
        String other = e.getOtherFile();
        String reason;
        String hint;
        Path path = file == null ? null : toPath(file);
        String dangling = path == null ? null : danglingTarget(path);
        if (e instanceof NoSuchFileException) {
            Path missing = path == null ? null : firstMissing(path);
            if (dangling != null) {
                reason = "it is a symlink to " + ShortPath.of(dangling) + ", which does not exist";
                hint = "remove the link, or name another path";
            } else if (missing != null && !missing.equals(path)) {
                reason = "the folder " + ShortPath.of(missing) + " does not exist";
                hint = "create it first, or check the path";
            } else {
                reason = "it does not exist";
                hint = "check the path";
            }
        } else if (e instanceof AccessDeniedException) {
            reason = "permission denied";
            hint = "check the permissions of it and of the folders above it";
        } else if (e instanceof FileAlreadyExistsException) {
            if (dangling != null) {
                reason = "it is a symlink to " + ShortPath.of(dangling) + ", which does not exist";
                hint = "remove the link, or name another path (Ferry does not create what a link points to)";
            } else {
                reason = "it already exists";
                hint = "remove it, or name another path";
            }
        } else if (e instanceof NotDirectoryException) {
            reason = "it is not a folder";
            hint = "name a folder";
        } else if (e instanceof DirectoryNotEmptyException) {
            reason = "the folder is not empty";
            hint = "name an empty folder";
        } else {
            reason = e.getReason() == null ? "file system error" : e.getReason();
            hint = hint(reason);
            if (hint == null) {
                hint = "check the path";
            }
        }
        String op = operation(e);
        String what =
                file == null ? "" : " " + ShortPath.of(file) + (other == null ? "" : " to " + ShortPath.of(other));
        return "cannot " + op + what + ": " + reason + "; " + hint;
    }

    /** What to do about an errno's text, when Ferry knows. */
    private static String hint(String reason) {
        if (reason == null) {
            return null;
        }
        if (reason.contains("File name too long")) {
            return "the path is longer than the system allows (255 bytes a name, 4,096 in all): use a shorter path";
        }
        if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded")) {
            return "free some space on that file system (or point --tmpdir or the output elsewhere)";
        }
        if (reason.contains("Read-only file system")) {
            return "name a path on a writable file system";
        }
        if (reason.contains("Too many levels of symbolic links")) {
            return "a symlink on the path loops, or one is in the way where Ferry does not follow links";
        }
        if (reason.contains("Not a directory")) {
            return "a part of the path is a file, not a folder: check the path";
        }
        if (reason.contains("Is a directory")) {
            return "it is a folder: name a file";
        }
        if (reason.contains("Operation not permitted")) {
            return "the system does not allow it here (an immutable file, or a mount that forbids it)";
        }
        if (reason.contains("Invalid cross-device link")) {
            return "the temporary folder and the target are on different file systems: use --tmpdir on the target's";
        }
        return null;
    }

    /** The operation that failed, from the first java.nio.file.Files (or FileChannel, or Path) method on the stack. */
    private static String operation(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            String type = frame.getClassName();
            if (type.equals("java.nio.file.Files")
                    || type.equals("java.nio.channels.FileChannel")
                    || (type.startsWith("sun.nio.fs.") && frame.getMethodName().equals("toRealPath"))) {
                String op = OPERATIONS.get(frame.getMethodName());
                if (op != null) {
                    return op;
                }
            }
        }
        return "access";
    }

    private static Path toPath(String file) {
        try {
            return Path.of(file);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** Where {@code path} points if it is a symlink to nothing, else null. */
    private static String danglingTarget(Path path) {
        try {
            if (Files.isSymbolicLink(path) && !Files.exists(path)) {
                return Files.readSymbolicLink(path).toString();
            }
        } catch (IOException | RuntimeException e) {
            // only a better message was at stake
        }
        return null;
    }

    /** The first folder (from the root) on {@code path} that does not exist, or null. */
    private static Path firstMissing(Path path) {
        try {
            Path abs = path.toAbsolutePath();
            Path p = abs.getRoot();
            for (Path name : abs) {
                p = p == null ? name : p.resolve(name);
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    return p;
                }
            }
        } catch (RuntimeException e) {
            // only a better message was at stake
        }
        return null;
    }

    /** Shortens words (paths, mostly) over {@link #LONG_WORD} characters, so one line stays readable. */
    static String shortenLongWords(String text) {
        if (text.length() <= LONG_WORD) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf(' ', start);
            if (end < 0) {
                end = text.length();
            }
            String word = text.substring(start, end);
            out.append(word.length() > LONG_WORD ? ShortPath.of(word) : word);
            if (end < text.length()) {
                out.append(' ');
            }
            start = end + 1;
        }
        return out.toString();
    }
}
