package dev.ferry.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UploadGateTest {
    @Test
    void aSmallerUploadWaitsForALargerAnnouncedOne() throws Exception {
        UploadGate gate = new UploadGate(1, 10, TimeUnit.MINUTES);
        gate.announce("big", 20);
        gate.announce("small", 10);
        List<String> started = new CopyOnWriteArrayList<>();
        Thread small = new Thread(() -> {
            try {
                gate.acquire("small", 10); // reached the gate first, with a permit free: still waits for "big"
                started.add("small");
                gate.release();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        small.start();
        // until "small" waits at the gate (or, were the gate wrong, has gone through it)
        while (small.getState() != Thread.State.TIMED_WAITING && small.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        gate.acquire("big", 20);
        started.add("big");
        gate.release();
        small.join();
        assertEquals(List.of("big", "small"), started);
    }

    @Test
    void noMoreUploadsRunThanPermits() throws Exception {
        UploadGate gate = new UploadGate(2, 10, TimeUnit.MINUTES);
        gate.acquire("a", 30);
        gate.acquire("b", 20);
        List<String> started = new CopyOnWriteArrayList<>();
        Thread c = new Thread(() -> {
            try {
                gate.acquire("c", 10);
                started.add("c");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        c.start();
        started.add("a done");
        gate.release();
        c.join();
        assertEquals(List.of("a done", "c"), started);
    }

    @Test
    void anAnnouncedUploadThatDoesNotComeIsGivenUpOn() throws Exception {
        UploadGate gate = new UploadGate(1, 10, TimeUnit.MILLISECONDS);
        gate.announce("never", 100);
        gate.acquire("small", 1); // returns once the patience is over
        gate.release();
        gate.forget("never");
    }

    @Test
    void aForgottenUploadIsNotWaitedFor() throws Exception {
        UploadGate gate = new UploadGate(1, 10, TimeUnit.MINUTES);
        gate.announce("there", 100);
        gate.forget("there"); // the blob was in the registry
        gate.acquire("small", 1);
        gate.release();
    }
}
