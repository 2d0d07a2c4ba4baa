package dev.ferry.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work handed to a pool, with its failure thrown as the caller's. */
public final class Futures {
    private Futures() {}

    /**
     * The result of {@code future}. What the work threw is thrown again: an {@link IOException} or a
     * {@link RuntimeException} as it is, anything else wrapped in an IOException. Interrupted, the thread stays
     * interrupted and an {@link InterruptedIOException} says "interrupted while {@code doing}".
     */
    public static <T> T await(Future<T> future, String doing) throws IOException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + doing);
        }
    }
}
