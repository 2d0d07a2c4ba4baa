package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.support.Streams;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** A tar of files of awkward sizes (PAX xattrs on some, a long name), at {@code file}. */
    private static void awkwardTar(Path file) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(file), "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            int[] sizes = {0, 1, 511, 512, 513, 100_000, 3};
            for (int i = 0; i < sizes.length; i++) {
                String name = i == 5 ? "long/" + "n".repeat(150) + i : "f" + i;
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setSize(sizes[i]);
                if (i % 2 == 1) {
                    entry.addPaxHeader("SCHILY.xattr.user.n", "v" + i);
                }
                tar.putArchiveEntry(entry);
                byte[] content = new byte[sizes[i]];
                Arrays.fill(content, (byte) ('a' + i));
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
    }

    /** Counts the bytes read through it; skips are passed on (to the file, which then moves its position). */
    private static final class Counting extends FilterInputStream {
        long read;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            read += Math.max(0, n);
            return n;
        }
    }

    /** Each entry, with its content's first byte and length when {@code readContent} says so. */
    private static List<String> entries(TarReader reader, IntPredicate readContent) throws IOException {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (TarArchiveEntry e = reader.next(); e != null; e = reader.next(), i++) {
            String line = e.getName() + " " + e.getSize() + " " + e.getExtraPaxHeaders();
            if (readContent.test(i)) {
                byte[] content = reader.content().readAllBytes();
                line += " read " + content.length + (content.length > 0 ? " " + (char) content[0] : "");
            }
            out.add(line);
        }
        return out;
    }

    /**
     * From a file, the content of entries left unread is skipped, not read: the same entries, xattrs and the
     * contents read, as from a stream read through, with far fewer bytes read.
     */
    @Test
    void contentLeftUnreadInAFileIsSkipped(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("t.tar");
        awkwardTar(file);
        for (IntPredicate readContent : List.<IntPredicate>of(i -> false, i -> i % 2 == 0, i -> true)) {
            List<String> expected;
            try (TarReader reader = new TarReader(new ByteArrayInputStream(Files.readAllBytes(file)))) {
                expected = entries(reader, readContent);
            }
            Counting counting = new Counting(Streams.fileInput(file));
            try (TarReader reader = new TarReader(new BufferedInputStream(counting, 4096), true)) {
                assertEquals(expected, entries(reader, readContent));
            }
            if (!readContent.test(5)) {
                assertTrue(counting.read < 100_000, "the 100,000 bytes of an unread entry were read: " + counting.read);
            }
        }
    }
}
