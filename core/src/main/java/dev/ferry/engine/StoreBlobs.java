package dev.ferry.engine;

import dev.ferry.model.Digest;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The blobs one destination store is known to hold during a sync: those of the images committed there by this sync.
 * The copies that follow skip them without asking the store (a registry's {@code HEAD} per blob and image). Only
 * committed images count: a blob a failed copy left staged may be gone. At most {@value #MAX} digests are kept per
 * sync store (a few MiB); past that the store is asked, as without it.
 */
final class StoreBlobs {
    static final int MAX = 50_000;

    private final Set<Digest> committed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger size = new AtomicInteger();

    /** Whether an image committed into the store by this sync holds {@code blob}. */
    boolean has(Digest blob) {
        return committed.contains(blob);
    }

    /** Notes the blobs of an image just committed into the store. */
    void committed(Collection<Digest> blobs) {
        for (Digest d : blobs) {
            if (size.get() >= MAX) {
                return;
            }
            if (committed.add(d)) {
                size.incrementAndGet();
            }
        }
    }
}
