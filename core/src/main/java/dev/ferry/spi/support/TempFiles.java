package dev.ferry.spi.support;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Temporary files and folders that the next run can clean up after a SIGKILL. Every one is named
 * {@code .ferry-PURPOSE-PID.START-RANDOM.tmp}: PID and START (the owning process's start time, in milliseconds) say
 * who owns it, so {@link #sweep(Path)} removes exactly those whose owner is gone (a process with that PID that
 * started at another time is not the owner), and never touches a live Ferry's files or anything not named so.
 * Creating one also registers it with {@link ShutdownCleanup}, so Ctrl-C and SIGTERM remove it; {@link #release}
 * unregisters it once it is renamed into place or deleted the normal way.
 */
public final class TempFiles {
    /** {@code .ferry-PURPOSE-PID.START-RANDOM.tmp}; PURPOSE is anything (a file name may hold dashes and dots). */
    private static final Pattern NAME = Pattern.compile("\\.ferry-.*-(\\d{1,10})\\.(\\d{1,19})-[0-9a-f]{12}\\.tmp");
    /** Longest PURPOSE kept in a name, in characters, so that names stay under NAME_MAX (255 bytes). */
    private static final int MAX_PURPOSE = 48;

    private static final String OWNER = ProcessHandle.current().pid() + "."
            + startMillis(ProcessHandle.current()).orElse(0L);

    private TempFiles() {}

    /** A fresh temporary name in {@code dir}, hidden, after {@code purpose} and owned by this process. */
    public static Path path(Path dir, String purpose) {
        String p = purpose.replace('/', '_');
        if (p.length() > MAX_PURPOSE) {
            p = p.substring(0, MAX_PURPOSE);
        }
        String random = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return dir.resolve(".ferry-" + p + "-" + OWNER + "-" + random + ".tmp");
    }

    /** Creates an empty temporary file in {@code dir}, registered for removal on Ctrl-C and SIGTERM. */
    public static Path createFile(Path dir, String purpose) throws IOException {
        Path file = path(dir, purpose);
        ShutdownCleanup.register(file);
        try {
            Files.createFile(file);
        } catch (IOException | RuntimeException e) {
            ShutdownCleanup.unregister(file);
            throw e;
        }
        checkNotExiting(file);
        return file;
    }

    /** Creates an empty temporary folder in {@code dir}, registered for removal (with its content) on exit. */
    public static Path createDirectory(Path dir, String purpose) throws IOException {
        Path folder = path(dir, purpose);
        ShutdownCleanup.registerTree(folder);
        try {
            Files.createDirectory(folder);
        } catch (IOException | RuntimeException e) {
            ShutdownCleanup.unregisterTree(folder);
            throw e;
        }
        checkNotExiting(folder);
        return folder;
    }

    /**
     * Call right after creating a temporary file or folder registered beforehand ({@link #track}): if Ferry is
     * stopping (Ctrl-C, SIGTERM), the cleanup may have run before it existed, so it is removed here and the work
     * stops. Registered first and checked after, one of the two always removes it.
     *
     * @throws java.io.InterruptedIOException if Ferry is stopping
     */
    public static void checkNotExiting(Path tmp) throws IOException {
        if (ShutdownCleanup.exiting()) {
            try {
                deleteTree(tmp);
            } catch (IOException | UncheckedIOException e) {
                // best effort while the program stops
            }
            throw new InterruptedIOException("Ferry is stopping");
        }
    }

    /** Registers a temporary file made with {@link #path} (by a rename or a CREATE_NEW open) for removal at exit. */
    public static void track(Path file) {
        ShutdownCleanup.register(file);
    }

    /** Deletes a temporary file or folder (with its content) if it is there, and forgets it. */
    public static void delete(Path tmp) throws IOException {
        try {
            deleteTree(tmp);
        } finally {
            release(tmp);
        }
    }

    /** Forgets a temporary file or folder that was renamed into place (or deleted): exit will not touch it. */
    public static void release(Path tmp) {
        ShutdownCleanup.unregister(tmp);
        ShutdownCleanup.unregisterTree(tmp);
    }

    /** Whether {@code name} is a temporary name of ours, whatever its owner. */
    public static boolean isTemporaryName(String name) {
        return NAME.matcher(name).matches();
    }

    /**
     * Whether {@code name} is a temporary name of ours whose owner process is gone: what a SIGKILL left behind.
     * A name whose owner cannot be told (no such information on this system) counts as alive.
     */
    public static boolean isLeftover(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return false;
        }
        long pid;
        long start;
        try {
            pid = Long.parseLong(m.group(1));
            start = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            return false;
        }
        Optional<ProcessHandle> owner = ProcessHandle.of(pid);
        if (owner.isEmpty()) {
            return true;
        }
        Optional<Long> started = startMillis(owner.get());
        return started.isPresent() && start != 0 && started.get() != start;
    }

    /**
     * Removes from {@code dir} (not below it) every temporary file or folder of ours whose owner is gone, and
     * returns what it removed. A folder that does not exist, or cannot be read, is left alone: sweeping is a
     * courtesy that never fails the command.
     */
    public static List<Path> sweep(Path dir) {
        List<Path> removed = new ArrayList<>();
        if (dir == null) {
            return removed;
        }
        try (DirectoryStream<Path> entries =
                Files.newDirectoryStream(dir, p -> isLeftover(p.getFileName().toString()))) {
            for (Path p : entries) {
                try {
                    deleteTree(p);
                    removed.add(p);
                } catch (IOException | UncheckedIOException e) {
                    // another process may be sweeping too, or it is not ours to remove after all
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            // nothing to sweep
        } catch (IOException | SecurityException e) {
            // a courtesy: never fails the command
        }
        return removed;
    }

    /** The start time of a process in milliseconds since the epoch, when the system tells it. */
    private static Optional<Long> startMillis(ProcessHandle process) {
        try {
            return process.info().startInstant().map(Instant::toEpochMilli);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Deletes a file, a symlink (not what it points to), or a folder with everything in it, never following
     * symlinks. Entries that vanish meanwhile (another process deleting the same tree) are not an error; folders
     * this user may not write are made writable first (an image's read-only folders, when not root).
     */
    public static void deleteTree(Path root) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attrs.isDirectory()) {
            Files.deleteIfExists(root);
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
                if (!Files.isWritable(dir)) {
                    dir.toFile().setWritable(true, true);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
