package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.FerryException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Names meet paths: with a path encoding that is not UTF-8, a non-ASCII name is one clear error. */
class FileNamesTest {
    @Test
    void aNonAsciiNameNeedsAUtf8PathEncoding() throws Exception {
        assertEquals("café", FileNames.check("café", StandardCharsets.UTF_8));
        assertEquals("plain/name", FileNames.check("plain/name", StandardCharsets.US_ASCII));
        FerryException e = assertThrows(FerryException.class, () -> FileNames.check("日本", StandardCharsets.US_ASCII));
        assertTrue(e.hint().contains("LC_ALL=C.UTF-8"), e.hint());
        // ISO-8859-1 could make "é", but as byte E9, not as the name's UTF-8 bytes
        assertThrows(FerryException.class, () -> FileNames.check("café", StandardCharsets.ISO_8859_1));
    }

    @Test
    void aPathReadWithoutAUtf8EncodingIsAnErrorNotAReplacementCharacter() throws Exception {
        assertEquals("日本/ファイル", FileNames.of("日本/ファイル", StandardCharsets.UTF_8));
        FerryException e =
                assertThrows(FerryException.class, () -> FileNames.of("caf\uFFFD\uFFFD", StandardCharsets.US_ASCII));
        assertTrue(e.hint().contains("LC_ALL=C.UTF-8"), e.hint());
        e = assertThrows(FerryException.class, () -> FileNames.of("caf\uFFFD", StandardCharsets.UTF_8));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }
}
