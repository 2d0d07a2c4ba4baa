package dev.ferry.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs blob transfers, up to a number at once. On the first failure the other tasks are interrupted, and every
 * task has stopped before {@link #run} returns or throws (so that the sink they write to is closed only
 * afterwards). The failure thrown is the one that caused the others, with its own type ({@link #primary}), not
 * the first in submission order nor a consequence of it.
 */
final class BlobScheduler {
    /** One transfer. */
    @FunctionalInterface
    interface Task {
        void run() throws IOException;
    }

    private final int jobs;

    /** A scheduler running up to {@code jobs} tasks at once. */
    BlobScheduler(int jobs) {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        }
        this.jobs = jobs;
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
        CompletionService<Void> done = new ExecutorCompletionService<>(pool);
        List<Throwable> failures = new ArrayList<>();
        try {
            for (Task task : tasks) {
                done.submit(() -> {
                    task.run();
                    return null;
                });
            }
            for (int i = 0; i < tasks.size() && failures.isEmpty(); i++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while copying blobs");
        } finally {
            pool.shutdownNow();
            awaitQuietly(pool);
        }
        if (!failures.isEmpty()) {
            // every task has stopped: collect what the others failed with, to find the failure that caused them
            for (Future<Void> f; (f = done.poll()) != null; ) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                } catch (InterruptedException | java.util.concurrent.CancellationException e) {
                    // not a failure of its own
                }
            }
            throw rethrow(primary(failures));
        }
    }

    /**
     * The failure that caused the others: the first (in the order they ended) that is not itself caused by another
     * one of them (a sink that breaks on one blob fails the blobs written at the same time, naming the first
     * failure as their cause, and they may end first) nor an interruption by this scheduler.
     */
    static Throwable primary(List<Throwable> failures) {
        for (Throwable candidate : failures) {
            if (!isInterruption(candidate) && !causedByAnother(candidate, failures)) {
                return candidate;
            }
        }
        for (Throwable candidate : failures) {
            if (!causedByAnother(candidate, failures)) {
                return candidate;
            }
        }
        return failures.get(0);
    }

    private static boolean causedByAnother(Throwable failure, List<Throwable> failures) {
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable c = failure.getCause(); c != null && seen.add(c); c = c.getCause()) {
            for (Throwable other : failures) {
                if (other == c) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isInterruption(Throwable t) {
        return t instanceof InterruptedIOException || t instanceof java.nio.channels.ClosedByInterruptException
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
