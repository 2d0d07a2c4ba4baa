package dev.ferry.transport.registry;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Lets a number of uploads run at once, the largest first: an upload waits while a larger one has been announced
 * (its blob asked for with {@code HEAD}, found missing) and has not started yet, so that the largest blob, which the
 * copy waits for, is not queued behind smaller ones that reached the gate a little earlier. An announced upload that
 * does not come within the patience is given up on (whoever asked for it did not upload it).
 *
 * <p>Thread-safe.
 */
final class UploadGate {
    private final int permits;
    private final long patienceNanos;
    private final Map<String, Long> announced = new HashMap<>();
    private int running;

    UploadGate(int permits, long patience, TimeUnit unit) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, got " + permits);
        }
        this.permits = permits;
        this.patienceNanos = unit.toNanos(patience);
    }

    int permits() {
        return permits;
    }

    /** An upload of {@code size} bytes that will probably come (idempotent). */
    synchronized void announce(String key, long size) {
        announced.put(key, size);
    }

    /** An announced upload that will not come after all (the blob was there, or failed before its upload). */
    synchronized void forget(String key) {
        if (announced.remove(key) != null) {
            notifyAll();
        }
    }

    /** Waits for a permit and for every larger announced upload to have started; then holds a permit. */
    synchronized void acquire(String key, long size) throws InterruptedException {
        announced.put(key, size);
        long deadline = System.nanoTime() + patienceNanos;
        try {
            while (true) {
                if (running >= permits) {
                    wait();
                    continue;
                }
                String larger = larger(key, size);
                if (larger == null) {
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    announced.remove(larger); // did not come: not waited for again
                    continue;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            announced.remove(key);
            notifyAll();
            throw e;
        }
        announced.remove(key);
        running++;
        notifyAll(); // the next largest may start too, if permits are left
    }

    /** Gives back the permit of a finished upload. */
    synchronized void release() {
        running--;
        notifyAll();
    }

    /** An announced upload that goes before {@code key}: larger, or as large and first by key. */
    private String larger(String key, long size) {
        String found = null;
        for (Map.Entry<String, Long> e : announced.entrySet()) {
            long other = e.getValue();
            if (!e.getKey().equals(key)
                    && (other > size || (other == size && e.getKey().compareTo(key) < 0))) {
                found = e.getKey();
                break;
            }
        }
        return found;
    }
}
