package dev.ferry.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
    private static final String EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void parsesAndPrints() {
        Digest d = Digest.parse(EMPTY);
        assertEquals(DigestAlgorithm.SHA256, d.algorithm());
        assertEquals(EMPTY, d.toString());
        assertEquals("e3b0c44298fc", d.shortHex());
        assertEquals(d, Digest.sha256(new byte[0]));
    }

    @Test
    void sha512() {
        byte[] hash = DigestAlgorithm.SHA512.newMessageDigest().digest("abc".getBytes(StandardCharsets.UTF_8));
        Digest d = Digest.fromHash(DigestAlgorithm.SHA512, hash);
        assertEquals(128, d.hex().length());
        assertEquals(d, Digest.parse(d.toString()));
        assertTrue(d.toString().startsWith("sha512:ddaf35a1"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "sha256",
                "sha256:",
                ":abc",
                "md5:d41d8cd98f00b204e9800998ecf8427e",
                "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
                "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "sha256:../../../../etc/passwd"
            })
    void rejectsMalformed(String text) {
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(text));
        assertTrue(Digest.tryParse(text).isEmpty());
    }

    @Test
    void valueSemantics() {
        assertEquals(Digest.parse(EMPTY).hashCode(), Digest.parse(EMPTY).hashCode());
        assertNotEquals(Digest.parse(EMPTY), Digest.sha256(new byte[1]));
    }
}
