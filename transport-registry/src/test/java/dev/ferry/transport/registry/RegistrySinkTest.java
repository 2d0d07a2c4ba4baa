package dev.ferry.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class RegistrySinkTest {
    @Test
    void uploadsToARegistryOnThisMachineAreLimitedToOnePerCore() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores, RegistrySink.localStreams("127.0.0.1:30999").availablePermits());
        assertEquals(cores, RegistrySink.localStreams("localhost:30998").availablePermits());
        assertEquals(cores, RegistrySink.localStreams("[::1]:30997").availablePermits());
        // one limit per registry, shared by the sinks of a process
        assertSame(RegistrySink.localStreams("127.0.0.1:30999"), RegistrySink.localStreams("127.0.0.1:30999"));
    }

    @Test
    void uploadsToARemoteRegistryAreNotLimited() {
        assertNull(RegistrySink.localStreams("registry.example.com"));
        assertNull(RegistrySink.localStreams("10.1.2.3:5000"));
    }
}
