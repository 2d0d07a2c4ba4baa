package dev.ferry.rootfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.CorruptImageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class TarCopyTest {
    /** A tar with what a container's export holds: folders, files, links, a device, a long name, xattrs. */
    private static byte[] tar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.putArchiveEntry(new TarArchiveEntry("etc/"));
            tar.closeArchiveEntry();
            Random random = new Random(3);
            for (int size : new int[] {0, 1, 511, 512, 513, 300_000}) {
                byte[] content = new byte[size];
                random.nextBytes(content);
                TarArchiveEntry file = new TarArchiveEntry("etc/f" + size);
                file.setSize(size);
                tar.putArchiveEntry(file);
                tar.write(content);
                tar.closeArchiveEntry();
            }
            TarArchiveEntry link = new TarArchiveEntry("etc/link", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("f1");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            TarArchiveEntry hard = new TarArchiveEntry("etc/hard", TarArchiveEntry.LF_LINK);
            hard.setLinkName("etc/f1");
            tar.putArchiveEntry(hard);
            tar.closeArchiveEntry();
            TarArchiveEntry device = new TarArchiveEntry("dev/null", TarArchiveEntry.LF_CHR);
            device.setDevMajor(1);
            device.setDevMinor(3);
            tar.putArchiveEntry(device);
            tar.closeArchiveEntry();
            TarArchiveEntry longName = new TarArchiveEntry("usr/" + "x".repeat(300));
            longName.setSize(3);
            longName.addPaxHeader("SCHILY.xattr.security.capability", "abc");
            tar.putArchiveEntry(longName);
            tar.write(new byte[] {1, 2, 3});
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static byte[] copy(byte[] tar) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarCopy.copy(new ByteArrayInputStream(tar), out);
        return out.toByteArray();
    }

    @Test
    void copiesEveryByteOfAValidTar() throws IOException {
        byte[] tar = tar();
        assertArrayEquals(tar, copy(tar));
    }

    @Test
    void aTarCutShortAnywhereFails() throws IOException {
        byte[] tar = tar();
        int end = tar.length;
        while (end > 0 && tar[end - 1] == 0) {
            end--;
        }
        // inside the last file's data, inside a header, just before the end-of-archive blocks, between them
        for (int cut : new int[] {end - 1, 700, 512 * 3 + 100, roundUp(end), roundUp(end) + 512}) {
            byte[] shorter = Arrays.copyOf(tar, cut);
            assertThrows(CorruptImageException.class, () -> copy(shorter), "cut at " + cut);
        }
    }

    @Test
    void anythingAfterTheEndBlocksFails() throws IOException {
        byte[] tar = tar();
        byte[] error = "{\"message\":\"export failed\"}".getBytes(StandardCharsets.UTF_8);
        byte[] appended = Arrays.copyOf(tar, tar.length + error.length);
        System.arraycopy(error, 0, appended, tar.length, error.length);
        assertThrows(CorruptImageException.class, () -> copy(appended));
        byte[] zeros = Arrays.copyOf(tar, tar.length + 4096); // a record's padding is fine
        assertArrayEquals(zeros, copy(zeros));
    }

    @Test
    void aDamagedHeaderFails() throws IOException {
        byte[] tar = tar();
        int name = new String(tar, StandardCharsets.ISO_8859_1).indexOf("etc/f1");
        assertTrue(name > 0 && name % 512 == 0, "a header's name");
        tar[name + 4] ^= 0x20; // "etc/F1": its checksum no longer matches
        assertThrows(CorruptImageException.class, () -> copy(tar));
    }

    @Test
    void dataInTheMiddleOfAnEntryIsNotTakenForAHeader() throws IOException {
        // a file whose content looks like a tar header and the end blocks: copied as content
        byte[] inner = tar();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry file = new TarArchiveEntry("inner.tar");
            file.setSize(inner.length);
            tar.putArchiveEntry(file);
            tar.write(inner);
            tar.closeArchiveEntry();
        }
        byte[] outer = bytes.toByteArray();
        assertArrayEquals(outer, copy(outer));
    }

    @Test
    void aPaxSizeRecordGivesTheEntrysSize() throws IOException {
        // as Go and GNU tar write a file over 8 GiB: its size in a PAX record, the header's size field 0
        byte[] data = new byte[1000];
        new Random(5).nextBytes(data);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] record = "13 size=1000\n".getBytes(StandardCharsets.US_ASCII);
        bytes.write(header("PaxHeaders/big", 'x', record.length));
        bytes.write(Arrays.copyOf(record, 512));
        bytes.write(header("big", '0', 0));
        bytes.write(Arrays.copyOf(data, 1024));
        bytes.write(new byte[1024]);
        byte[] tar = bytes.toByteArray();
        assertArrayEquals(tar, copy(tar));
        TarArchiveInputStream check = new TarArchiveInputStream(new ByteArrayInputStream(tar));
        assertTrue(check.getNextEntry().getSize() == 1000, "the test's tar is what readers read");
        // without the record, the data would be taken for headers
        byte[] noRecord = Arrays.copyOfRange(tar, 1024, tar.length);
        assertThrows(CorruptImageException.class, () -> copy(noRecord));
    }

    @Test
    void aBase256SizeIsRead() throws IOException {
        byte[] data = new byte[700];
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] h = header("binary", '0', 0);
        Arrays.fill(h, 124, 136, (byte) 0);
        h[124] = (byte) 0x80;
        h[134] = (byte) (700 >> 8);
        h[135] = (byte) (700 & 0xff);
        checksum(h);
        bytes.write(h);
        bytes.write(Arrays.copyOf(data, 1024));
        bytes.write(new byte[1024]);
        byte[] tar = bytes.toByteArray();
        assertArrayEquals(tar, copy(tar));
    }

    private static int roundUp(int n) {
        return (n + 511) / 512 * 512;
    }

    /** A ustar header: name, type, size in octal, checksum filled in. */
    private static byte[] header(String name, char type, int size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        checksum(h);
        return h;
    }

    private static void checksum(byte[] h) {
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
