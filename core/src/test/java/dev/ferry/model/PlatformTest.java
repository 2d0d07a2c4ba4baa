package dev.ferry.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlatformTest {
    @Test
    void parses() {
        Platform p = Platform.parse("linux/arm/v7");
        assertEquals("linux", p.os());
        assertEquals("arm", p.architecture());
        assertEquals("v7", p.variant());
        assertNull(Platform.parse("linux/amd64").variant());
        assertEquals("linux/arm/v7", p.toString());
    }

    @Test
    void rejectsMalformed() {
        for (String bad : new String[] {"linux", "linux/", "/amd64", "a/b/c/d", "linux/amd 64"}) {
            assertThrows(IllegalArgumentException.class, () -> Platform.parse(bad), bad);
        }
    }

    @Test
    void matches() {
        assertTrue(Platform.parse("linux/amd64").matches(Platform.parse("linux/amd64")));
        assertFalse(Platform.parse("linux/amd64").matches(Platform.parse("linux/arm64")));
        assertTrue(Platform.parse("linux/arm").matches(Platform.parse("linux/arm/v6")));
        assertFalse(Platform.parse("linux/arm/v7").matches(Platform.parse("linux/arm/v6")));
        assertTrue(Platform.parse("linux/arm64/v8").matches(Platform.parse("linux/arm64")));
        assertFalse(Platform.parse("linux/arm/v7").matches(Platform.parse("linux/arm")));
    }

    @Test
    void currentIsGoNaming() {
        Platform current = Platform.current();
        assertEquals("linux", current.os());
        assertFalse(current.architecture().equals("x86_64")
                || current.architecture().equals("aarch64"));
    }
}
