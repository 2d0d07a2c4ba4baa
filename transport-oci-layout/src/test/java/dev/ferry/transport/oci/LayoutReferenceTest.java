package dev.ferry.transport.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.spi.ImageReference;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayoutReferenceTest {
    private final OciTransport oci = new OciTransport();
    private final OciArchiveTransport archive = new OciArchiveTransport();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/tmp/layout",
                "/tmp/layout:latest",
                "rel/dir:v1.2.3",
                "x:library/app:1.0",
                "x:a--b",
                "x:sha256@x",
                "./l:a+b"
            })
    void roundTrips(String text) throws Exception {
        for (var transport : new Transport[] {oci, archive}) {
            ImageReference ref = transport.parse(text);
            assertEquals(text, ref.stringWithinTransport());
            assertEquals(ref, transport.parse(ref.stringWithinTransport()));
            assertEquals(transport.name() + ":" + text, ref.displayName());
        }
    }

    @Test
    void splitsPathAndRefAtTheFirstColon() throws Exception {
        LayoutReference ref = (LayoutReference) oci.parse("/a/b:repo/name:tag");
        assertEquals("/a/b", ref.path().toString());
        assertEquals("repo/name:tag", ref.ref());
        assertNull(((LayoutReference) oci.parse("/a/b")).ref());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                ":latest",
                "/tmp/x:",
                "/tmp/x:-bad",
                "/tmp/x:bad-",
                "/tmp/x:a b",
                "/tmp/x:a//b",
                "/tmp/x:ä",
                "/tmp/x:a..b",
                "/tmp/x:../../etc"
            })
    void rejectsBadSyntax(String text) {
        InvalidReferenceException e = assertThrows(InvalidReferenceException.class, () -> oci.parse(text));
        assertEquals("oci:" + text, e.reference());
    }
}
