package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.FerryException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

/** Names in layers are decoded as UTF-8, strictly, whatever the JVM's default charset. */
class TarReaderTest {
    /** A tar of empty files, names in the headers encoded with {@code charset}, or in PAX records. */
    private static byte[] tar(String charset, boolean pax, String... names) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, charset)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(pax);
            for (String name : names) {
                tar.putArchiveEntry(new TarArchiveEntry(name));
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A PAX header whose path record holds {@code path} as raw bytes, then a file. */
    private static byte[] paxPath(byte[] path) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8")) {
            byte[] key = "path".getBytes(StandardCharsets.US_ASCII);
            int body = 1 + key.length + 1 + path.length + 1;
            int length = body + Integer.toString(body + 2).length();
            ByteArrayOutputStream record = new ByteArrayOutputStream();
            record.writeBytes((length + " path=").getBytes(StandardCharsets.US_ASCII));
            record.writeBytes(path);
            record.write('\n');
            TarArchiveEntry header =
                    new TarArchiveEntry("PaxHeaders/x", TarArchiveEntry.LF_PAX_EXTENDED_HEADER_LC, true);
            header.setSize(record.size());
            tar.putArchiveEntry(header);
            tar.write(record.toByteArray());
            tar.closeArchiveEntry();
            tar.putArchiveEntry(new TarArchiveEntry("x"));
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static List<String> names(byte[] tar) throws IOException {
        List<String> names = new ArrayList<>();
        try (TarReader reader = new TarReader(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = reader.next(); e != null; e = reader.next()) {
                names.add(e.getName());
            }
        }
        return names;
    }

    @Test
    void namesInHeadersAndInPaxRecordsAreUtf8() throws Exception {
        List<String> expected = List.of("café", "日本/ファイル", "plain", "x".repeat(150) + "/é");
        assertEquals(expected, names(tar("UTF-8", false, expected.toArray(String[]::new))));
        assertEquals(expected, names(tar("UTF-8", true, expected.toArray(String[]::new))));
        assertEquals(List.of("caf\uFFFD"), names(tar("UTF-8", false, "caf\uFFFD")), "a real U+FFFD is a name");
    }

    @Test
    void aHeaderNameThatIsNotUtf8IsAnError() throws Exception {
        byte[] latin1 = tar("ISO-8859-1", false, "ok", "caf\u00e9");
        FerryException e = assertThrows(FerryException.class, () -> names(latin1));
        assertTrue(e.getMessage().contains("not valid UTF-8: 'caf?'"), e.getMessage());
    }

    @Test
    void aPaxPathThatIsNotUtf8IsAnError() throws Exception {
        byte[] tar = paxPath(new byte[] {'c', 'a', 'f', (byte) 0xe9});
        FerryException e = assertThrows(FerryException.class, () -> names(tar));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        assertEquals(List.of("日本"), names(paxPath("日本".getBytes(StandardCharsets.UTF_8))));
    }
}
