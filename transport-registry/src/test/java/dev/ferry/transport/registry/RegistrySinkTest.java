package dev.ferry.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class RegistrySinkTest {
    @Test
    void uploadsToARegistryOnThisMachineAreLimitedToOnePerCore() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores, RegistrySink.localGate("127.0.0.1:30999").permits());
        assertEquals(cores, RegistrySink.localGate("localhost:30998").permits());
        assertEquals(cores, RegistrySink.localGate("[::1]:30997").permits());
        // one gate per registry, shared by the sinks of a process
        assertSame(RegistrySink.localGate("127.0.0.1:30999"), RegistrySink.localGate("127.0.0.1:30999"));
    }

    @Test
    void uploadsToARemoteRegistryAreNotLimited() {
        assertNull(RegistrySink.localGate("registry.example.com"));
        assertNull(RegistrySink.localGate("10.1.2.3:5000"));
    }
}
