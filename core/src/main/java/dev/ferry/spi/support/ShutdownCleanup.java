package dev.ferry.spi.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Child processes and temporary files that must not outlive Ferry, even when it is interrupted (Ctrl-C,
 * SIGTERM): one shutdown hook kills what is still registered and deletes what is still there. Register a thing
 * when it is created and unregister it when it is cleaned up the normal way.
 */
public final class ShutdownCleanup {
    private static final Set<Process> PROCESSES = ConcurrentHashMap.newKeySet();
    private static final Set<Path> FILES = ConcurrentHashMap.newKeySet();
    private static final Set<Runnable> ACTIONS = ConcurrentHashMap.newKeySet();
    private static final Set<Path> TREES = ConcurrentHashMap.newKeySet();
    /** Set when the cleanup starts: what other threads create after that is not removed by it. */
    private static volatile boolean exiting;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ShutdownCleanup::runNow, "ferry-cleanup"));
    }

    private ShutdownCleanup() {}

    public static void register(Process process) {
        PROCESSES.add(process);
    }

    public static void unregister(Process process) {
        PROCESSES.remove(process);
    }

    public static void register(Path file) {
        FILES.add(file);
    }

    public static void unregister(Path file) {
        FILES.remove(file);
    }

    /** A folder to delete at exit with everything in it (not following symlinks). */
    public static void registerTree(Path folder) {
        TREES.add(folder);
    }

    public static void unregisterTree(Path folder) {
        TREES.remove(folder);
    }

    /** An action to run at exit unless unregistered first, such as removing a container. */
    public static void register(Runnable action) {
        ACTIONS.add(action);
    }

    public static void unregister(Runnable action) {
        ACTIONS.remove(action);
    }

    /**
     * Whether the cleanup has started (Ctrl-C, SIGTERM, or the end of the program): the other threads still run
     * while it does, and a temporary file they create now would outlive it, so they check this after creating one
     * ({@link TempFiles#checkNotExiting}).
     */
    public static boolean exiting() {
        return exiting;
    }

    /** Kills every registered process (and its children) and deletes every registered file. */
    static void runNow() {
        exiting = true;
        for (Process p : PROCESSES) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Runnable action : ACTIONS) {
            try {
                action.run();
            } catch (RuntimeException e) {
                // best effort at exit
            }
        }
        for (Path f : FILES) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                // best effort at exit
            }
        }
        for (Path t : TREES) {
            try {
                TempFiles.deleteTree(t);
            } catch (IOException | RuntimeException e) {
                // best effort at exit
            }
        }
    }
}
