package dev.ferry.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

/**
 * Closing the registry client ends the JDK HTTP client's selector thread: otherwise it waits in native code until
 * the client is collected, and the JVM's exit waits 300 ms for it.
 */
class RegistryClientCloseTest {
    @Test
    void closeEndsTheSelectorThread() throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().build();
        String name = RegistryClient.selectorThreadName(client.toString());
        assertNotNull(name, "the JDK client's toString names its id: " + client);
        Thread selector = RegistryClient.stop(client);
        assertNotNull(selector, "a live thread named " + name);
        assertEquals(name, selector.getName());
        selector.join(30_000);
        assertFalse(selector.isAlive(), "the selector thread ended");
    }

    @Test
    void namesOnlyAClientId() {
        assertEquals(
                "HttpClient-12-SelectorManager",
                RegistryClient.selectorThreadName("jdk.internal.net.http.HttpClientImpl@5e9f23b4(12)"));
        assertNull(RegistryClient.selectorThreadName("something else"));
    }
}
