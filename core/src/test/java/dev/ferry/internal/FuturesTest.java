package dev.ferry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class FuturesTest {
    @Test
    void givesTheResult() throws IOException {
        assertEquals("done", Futures.await(CompletableFuture.completedFuture("done"), "waiting"));
    }

    @Test
    void throwsWhatTheWorkThrewAsTheCallers() {
        IOException io = new IOException("disk full");
        assertSame(io, assertThrows(IOException.class, () -> Futures.await(CompletableFuture.failedFuture(io), "x")));
        IllegalStateException state = new IllegalStateException("bad");
        assertSame(
                state,
                assertThrows(
                        IllegalStateException.class, () -> Futures.await(CompletableFuture.failedFuture(state), "x")));
        AssertionError error = new AssertionError("other");
        IOException wrapped =
                assertThrows(IOException.class, () -> Futures.await(CompletableFuture.failedFuture(error), "x"));
        assertSame(error, wrapped.getCause());
    }

    @Test
    void anInterruptedWaitSaysWhatItWaitedForAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            InterruptedIOException e = assertThrows(
                    InterruptedIOException.class, () -> Futures.await(new CompletableFuture<>(), "listing"));
            assertEquals("interrupted while listing", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
