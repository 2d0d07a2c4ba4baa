package dev.ferry.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RegistryCatalogTest {
    private static final URI PAGE = URI.create("http://127.0.0.1:5000/v2/team/app/tags/list?n=2");

    @Test
    void nextPageFromTheLinkHeaderRelativeOrAbsolute() {
        assertEquals(
                URI.create("http://127.0.0.1:5000/v2/team/app/tags/list?last=b&n=2"),
                RegistryCatalog.next(PAGE, "</v2/team/app/tags/list?last=b&n=2>; rel=\"next\""));
        assertEquals(
                URI.create("https://cdn.example/v2/x/tags/list?last=b"),
                RegistryCatalog.next(PAGE, "<https://cdn.example/v2/x/tags/list?last=b>; rel=next"));
    }

    @Test
    void noNextPage() {
        assertNull(RegistryCatalog.next(PAGE, null));
        assertNull(RegistryCatalog.next(PAGE, "</v2/team/app/tags/list?last=b>; rel=\"prev\""));
    }

    @Test
    void aRegistryHostAloneIsACatalog() {
        RegistryTransport t = new RegistryTransport();
        assertTrue(t.isCatalog("//127.0.0.1:5000"));
        assertTrue(t.isCatalog("//registry.example/"));
        assertTrue(t.isCatalog("//localhost"));
        assertFalse(t.isCatalog("//busybox"));
        assertFalse(t.isCatalog("//registry.example/team/app"));
        assertTrue(t.capabilities().list());
        assertTrue(t.capabilities().delete());
        assertFalse(t.capabilities().garbageCollect());
    }
}
