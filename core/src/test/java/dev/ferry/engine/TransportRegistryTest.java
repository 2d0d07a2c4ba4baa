package dev.ferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.UnknownTransportException;
import dev.ferry.testing.MemoryTransport;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransportRegistryTest {
    private final MemoryTransport memory = new MemoryTransport();

    @Test
    void splitsAtTheFirstColon() throws Exception {
        TransportRegistry registry = TransportRegistry.of(List.of(TransportRegistry.Entry.of(memory)));
        assertEquals("a:b:c", registry.parse("memory:a:b:c").stringWithinTransport());
        assertEquals("memory:a:b:c", registry.parse("memory:a:b:c").displayName());
    }

    @Test
    void unknownTransportListsTheKnownOnes() throws Exception {
        TransportRegistry registry = TransportRegistry.of(List.of(TransportRegistry.Entry.of(memory)));
        UnknownTransportException e = assertThrows(UnknownTransportException.class, () -> registry.parse("nope:x"));
        assertEquals("nope", e.transportName());
        assertEquals(List.of("memory"), e.known());
        assertTrue(e.getMessage().contains("known: memory"), e.getMessage());
    }

    @Test
    void noPrefixIsAnError() throws Exception {
        TransportRegistry registry = TransportRegistry.of(List.of(TransportRegistry.Entry.of(memory)));
        assertThrows(InvalidReferenceException.class, () -> registry.parse("just-a-path"));
        assertThrows(InvalidReferenceException.class, () -> registry.parse(":x"));
    }

    @Test
    void duplicateNamesNameBothOrigins() {
        DuplicateTransportException e = assertThrows(
                DuplicateTransportException.class,
                () -> TransportRegistry.of(List.of(
                        new TransportRegistry.Entry(memory, "/plugins/a.jar", null),
                        new TransportRegistry.Entry(new MemoryTransport(), "/plugins/b.jar", null))));
        assertTrue(
                e.getMessage().contains("/plugins/a.jar") && e.getMessage().contains("/plugins/b.jar"), e.getMessage());
    }

    @Test
    void serviceLoaderFindsWhatTheClassPathRegisters() throws Exception {
        // core holds no transport; its tests register the in-memory one in META-INF/services
        assertEquals(
                List.of("memory"),
                TransportRegistry.load(getClass().getClassLoader()).entries().stream()
                        .map(e -> e.transport().name())
                        .toList());
    }
}
