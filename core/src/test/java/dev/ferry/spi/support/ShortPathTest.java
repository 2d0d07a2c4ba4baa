package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ShortPathTest {
    @Test
    void shortPathsAreWhole() {
        String p = "/" + "a".repeat(ShortPath.MAX - 1);
        assertEquals(p, ShortPath.of(Path.of(p)));
    }

    @Test
    void longPathsKeepTheirEnds() {
        String p = "/start" + "x".repeat(5000) + "/out.tar";
        String shown = ShortPath.of(p);
        assertEquals(ShortPath.KEEP * 2 + 3, shown.length());
        assertTrue(shown.startsWith("/start"), shown);
        assertTrue(shown.endsWith("x/out.tar"), shown);
        assertTrue(shown.contains("..."), shown);
    }

    @Test
    void aCharacterOutsideTheBmpIsNeverCutInTwo() {
        String emoji = "\uD83D\uDE00"; // one character, two chars
        String p = "a".repeat(ShortPath.KEEP - 1) + emoji + "b".repeat(500) + emoji + "c".repeat(ShortPath.KEEP - 1);
        String shown = ShortPath.of(p);
        assertTrue(shown.startsWith("a".repeat(ShortPath.KEEP - 1) + "..."), shown);
        assertTrue(
                shown.endsWith("..." + "c".repeat(ShortPath.KEEP - 1))
                        || shown.endsWith(emoji + "c".repeat(ShortPath.KEEP - 1)),
                shown);
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertTrue(i + 1 < shown.length() && Character.isLowSurrogate(shown.charAt(i + 1)), shown);
            } else if (Character.isLowSurrogate(c)) {
                assertTrue(i > 0 && Character.isHighSurrogate(shown.charAt(i - 1)), shown);
            }
        }
    }
}
