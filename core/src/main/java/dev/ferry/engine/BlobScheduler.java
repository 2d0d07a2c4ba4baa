package dev.ferry.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs blob transfers, up to a number at once. On the first failure the other tasks are interrupted, and every
 * task has stopped before {@link #run} returns or throws (so that the sink they write to is closed only
 * afterwards). The failure thrown is the first met in time, or the one that caused it, with its own type
 * ({@link #primary}); never merely the first in submission order.
 */
final class BlobScheduler {
    /** One transfer. */
    @FunctionalInterface
    interface Task {
        void run() throws IOException;
    }

    private final int jobs;
    /**
     * Permits shared with other schedulers (the copies of one sync): at most that many transfers run, all told
     * ({@link #transfer}).
     */
    private final Semaphore shared;

    /** A scheduler running up to {@code jobs} tasks at once. */
    BlobScheduler(int jobs) {
        this(jobs, null);
    }

    /**
     * A scheduler running up to {@code jobs} tasks at once, whose {@linkplain #transfer transfers} each also hold one
     * of {@code shared}'s permits (null: none), so that the schedulers of several copies together move no more blobs
     * at once than its permits. What a task does before its transfer (asking the sink whether it has the blob: a
     * request, no bytes) holds none.
     */
    BlobScheduler(int jobs, Semaphore shared) {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        }
        this.jobs = jobs;
        this.shared = shared;
    }

    /** Runs the part of a task that moves bytes: holding one of the shared permits, if any. */
    void transfer(Task task) throws IOException {
        if (shared == null) {
            task.run();
            return;
        }
        try {
            shared.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to copy a blob");
        }
        try {
            task.run();
        } finally {
            shared.release();
        }
    }

    /** Runs every task; on a failure, stops the others and throws the first failure. */
    void run(List<Task> tasks) throws IOException {
        int threads = Math.min(jobs, tasks.size());
        if (threads <= 1) {
            for (Task task : tasks) {
                task.run();
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ferry-copy");
            t.setDaemon(true);
            return t;
        });
        // Failures in the order the tasks met them, each recorded before its future completes: those met before
        // the others were told to stop, then those met after (stopping makes failures of its own).
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Queue<Throwable> afterStop = new ConcurrentLinkedQueue<>();
        AtomicBoolean stopping = new AtomicBoolean();
        CompletionService<Void> finished = new ExecutorCompletionService<>(pool);
        boolean interrupted = false;
        try {
            for (Task task : tasks) {
                finished.submit(() -> {
                    try {
                        task.run();
                    } catch (Throwable t) {
                        (stopping.get() ? afterStop : failures).add(t);
                        throw t;
                    }
                    return null;
                });
            }
            for (int i = 0; i < tasks.size() && failures.isEmpty(); i++) {
                finished.take();
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            stopping.set(true);
            pool.shutdownNow();
            awaitQuietly(pool);
        }
        List<Throwable> all = new ArrayList<>(failures);
        all.addAll(afterStop);
        if (interrupted) {
            Thread.currentThread().interrupt();
            InterruptedIOException e = new InterruptedIOException("interrupted while copying blobs");
            all.forEach(e::addSuppressed);
            throw e;
        }
        if (!failures.isEmpty()) {
            throw rethrow(primary(all));
        }
    }

    /**
     * The failure to report, from {@code all} in the order they were met (those met before the others were told to
     * stop first): the first that no other one caused and that is not an interruption, else the first. A sink broken by one blob fails the calls that come after with an error
     * whose cause is that blob's ("an earlier blob failed"), and such a call may fail before the task that broke the
     * sink records its own failure. The other failures of {@code all} are attached to it as suppressed, except those
     * it caused (which hold it already).
     */
    static Throwable primary(List<Throwable> all) {
        Throwable reported = null;
        for (Throwable candidate : all) {
            if (!isInterruption(candidate) && !causedByAnother(candidate, all)) {
                reported = candidate;
                break;
            }
        }
        if (reported == null) {
            reported = all.get(0);
        }
        for (Throwable f : all) {
            if (f != reported && !causes(reported, f)) {
                reported.addSuppressed(f);
            }
        }
        return reported;
    }

    private static boolean causedByAnother(Throwable failure, List<Throwable> failures) {
        for (Throwable other : failures) {
            if (other != failure && causes(other, failure)) {
                return true;
            }
        }
        return false;
    }

    /** True if {@code cause} is in the chain of causes of {@code failure} (itself excluded). */
    private static boolean causes(Throwable cause, Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure.getCause(); t != null && seen.add(t); t = t.getCause()) {
            if (t == cause) {
                return true;
            }
        }
        return false;
    }

    private static boolean isInterruption(Throwable t) {
        return t instanceof InterruptedIOException
                || t instanceof ClosedByInterruptException
                || t instanceof InterruptedException;
    }

    private static IOException rethrow(Throwable cause) {
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IOException(cause);
    }

    private static void awaitQuietly(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
