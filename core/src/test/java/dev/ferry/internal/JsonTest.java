package dev.ferry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static byte[] nested(int depth) {
        return ("{\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void deepNestingIsOneLineNamingTheDocumentAndTheLimit() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Json.parseObject(nested(100_000), "image config"));
        assertTrue(
                e.getMessage().startsWith("image config nests arrays or objects more than 1000 levels deep"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void nestingUpToTheLimitIsRead() {
        assertEquals(1, Json.parseObject(nested(Json.MAX_DEPTH - 1), "manifest").size());
        assertThrows(IllegalArgumentException.class, () -> Json.parseObject(nested(Json.MAX_DEPTH), "manifest"));
    }

    @Test
    void aDocumentOverTheSizeLimitIsRefusedBeforeParsing() {
        byte[] big = new byte[Json.MAX_DOCUMENT + 1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(big, "index"));
        assertTrue(e.getMessage().startsWith("index is " + big.length + " bytes, more than the "), e.getMessage());
    }

    @Test
    void syntaxErrorsSayWhere() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Json.parseObject("{\"a\":\n tru}".getBytes(StandardCharsets.UTF_8), "manifest"));
        assertTrue(e.getMessage().startsWith("manifest is not valid JSON: "), e.getMessage());
        assertTrue(e.getMessage().contains("at line 2, column"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
