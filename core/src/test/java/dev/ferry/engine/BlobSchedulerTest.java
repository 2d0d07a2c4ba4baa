package dev.ferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Digest;
import dev.ferry.spi.DigestMismatchException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BlobSchedulerTest {
    @Test
    void runsEveryTaskAtMostJobsAtOnce() throws IOException {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        List<BlobScheduler.Task> tasks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            tasks.add(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                } finally {
                    running.decrementAndGet();
                }
                ran.incrementAndGet();
            });
        }
        new BlobScheduler(3).run(tasks);
        assertEquals(40, ran.get());
        assertTrue(most.get() <= 3, "at most 3 at once, saw " + most.get());
    }

    /**
     * A sink broken by one blob fails the others written at the same time, naming the first failure as their
     * cause; whichever ends first, the failure reported is the cause, with its own type (the old engine reported
     * the first failed future in submission order: "an earlier blob failed").
     */
    @RepeatedTest(20)
    void theFailureThatCausedTheOthersIsReportedWithItsOwnType() {
        CountDownLatch broken = new CountDownLatch(1);
        DigestMismatchException cause =
                new DigestMismatchException(Digest.sha256(new byte[] {1}), Digest.sha256(new byte[] {2}), 1, 1);
        List<BlobScheduler.Task> tasks = List.of(
                () -> {
                    try {
                        broken.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("an earlier blob failed: " + cause.getMessage(), cause);
                },
                () -> {
                    broken.countDown();
                    throw cause;
                });
        DigestMismatchException thrown =
                assertThrows(DigestMismatchException.class, () -> new BlobScheduler(2).run(tasks));
        assertSame(cause, thrown);
    }

    @Test
    void interruptionsAreNotTheFailure() {
        IOException real = new IOException("disk full");
        List<Throwable> met = List.of(new InterruptedIOException("stopped"), real);
        assertSame(real, BlobScheduler.primary(met));
        assertEquals(1, real.getSuppressed().length, "the others are attached");
        IOException disk = new IOException("disk full");
        IOException wrapped = new IOException("an earlier blob failed", disk);
        assertSame(disk, BlobScheduler.primary(List.of(wrapped, disk)));
        assertEquals(0, disk.getSuppressed().length, "what it caused holds it already");
        assertSame(wrapped, BlobScheduler.primary(List.of(wrapped)));
    }

    @Test
    void everyTaskHasStoppedWhenItThrows() throws Exception {
        AtomicInteger stillRunning = new AtomicInteger();
        List<BlobScheduler.Task> tasks = new ArrayList<>();
        tasks.add(() -> {
            throw new IOException("boom");
        });
        for (int i = 0; i < 3; i++) {
            tasks.add(() -> {
                stillRunning.incrementAndGet();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    // stopped by the scheduler
                } finally {
                    stillRunning.decrementAndGet();
                }
            });
        }
        IOException e = assertThrows(IOException.class, () -> new BlobScheduler(4).run(tasks));
        assertEquals("boom", e.getMessage());
        assertEquals(0, stillRunning.get(), "no task may still run when run() returns");
    }

    @Test
    void oneJobRunsInTheCallersThreadInOrder() throws IOException {
        List<String> order = new ArrayList<>();
        Thread caller = Thread.currentThread();
        new BlobScheduler(1).run(List.of(() -> order.add("a"), () -> {
            assertSame(caller, Thread.currentThread());
            order.add("b");
        }));
        assertEquals(List.of("a", "b"), order);
    }

    @Test
    void runtimeFailuresKeepTheirType() {
        List<BlobScheduler.Task> tasks = List.of(
                () -> {
                    throw new IllegalStateException("bug");
                },
                () -> {});
        assertThrows(IllegalStateException.class, () -> new BlobScheduler(2).run(tasks));
    }
}
