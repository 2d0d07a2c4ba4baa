package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LayerLimitTest {
    @Test
    void sizes() {
        assertEquals(10L << 30, LayerLimit.parse("10G"));
        assertEquals(512L << 20, LayerLimit.parse("512M"));
        assertEquals(100L << 20, LayerLimit.parse("100m"));
        assertEquals(100L << 20, LayerLimit.parse("100MiB"));
        assertEquals(3L << 29, LayerLimit.parse("1.5G"));
        assertEquals(4096, LayerLimit.parse("4096"));
        assertEquals(2L << 40, LayerLimit.parse("2T"));
        assertEquals(LayerLimit.NONE, LayerLimit.parse("unlimited"));
        assertEquals(LayerLimit.NONE, LayerLimit.parse("99999999T"));
        for (String bad : new String[] {"", "0", "-1G", "G", "ten", "1.5.5G", "10X"}) {
            assertThrows(IllegalArgumentException.class, () -> LayerLimit.parse(bad), bad);
        }
        assertEquals("16G", LayerLimit.format(LayerLimit.DEFAULT));
        assertEquals("100M", LayerLimit.format(100L << 20));
        assertEquals("1536M", LayerLimit.format(3L << 29));
        assertEquals("1000", LayerLimit.format(1000));
        assertEquals("unlimited", LayerLimit.format(LayerLimit.NONE));
    }
}
