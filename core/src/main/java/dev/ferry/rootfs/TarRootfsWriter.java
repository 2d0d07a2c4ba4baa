package dev.ferry.rootfs;

import dev.ferry.spi.support.NonClosingOutputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a root filesystem as a tar stream (PAX for long names, big numbers and xattrs). An entry with xattrs gets
 * a PAX header written here, byte for byte, since Commons Compress would encode binary values as UTF-8; its
 * name and link then go in that header too, so the entry has exactly one.
 */
public final class TarRootfsWriter implements RootfsWriter, AutoCloseable {
    private static final long MAX_OCTAL_SIZE = 077777777777L;
    private static final long MAX_OCTAL_ID = 07777777L;

    private final TarArchiveOutputStream tar;
    private int paxHeaders;

    /** A tar onto {@code out}, which {@link #close()} flushes but does not close. */
    public TarRootfsWriter(OutputStream out) {
        tar = new TarArchiveOutputStream(new BufferedOutputStream(new NonClosingOutputStream(out), 1 << 16), "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    @Override
    public void write(TarArchiveEntry entry, InputStream content) throws IOException {
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (Map.Entry<String, String> pax :
                Map.copyOf(entry.getExtraPaxHeaders()).entrySet()) {
            if (pax.getKey().startsWith("SCHILY.xattr.")) {
                xattrs.put(pax.getKey(), PaxXattrs.bytes(pax.getValue()));
            }
        }
        if (!xattrs.isEmpty() && (!Entries.isRegular(entry) || entry.getSize() <= MAX_OCTAL_SIZE)) {
            entry = withOwnPaxHeader(entry, xattrs);
        }
        tar.putArchiveEntry(entry);
        if (content != null && Entries.isRegular(entry)) {
            long copied = content.transferTo(tar);
            if (copied != entry.getSize()) {
                throw new IOException(entry.getName() + ": " + copied + " bytes instead of " + entry.getSize());
            }
        }
        tar.closeArchiveEntry();
    }

    /** Writes the entry's PAX header (path, linkpath, ids, xattrs) and returns the entry without need of one. */
    private TarArchiveEntry withOwnPaxHeader(TarArchiveEntry entry, Map<String, byte[]> xattrs) throws IOException {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        record(records, "path", entry.getName().getBytes(StandardCharsets.UTF_8));
        if (entry.isSymbolicLink() || entry.isLink()) {
            record(records, "linkpath", entry.getLinkName().getBytes(StandardCharsets.UTF_8));
        }
        if (entry.getLongUserId() > MAX_OCTAL_ID) {
            record(records, "uid", Long.toString(entry.getLongUserId()).getBytes(StandardCharsets.US_ASCII));
        }
        if (entry.getLongGroupId() > MAX_OCTAL_ID) {
            record(records, "gid", Long.toString(entry.getLongGroupId()).getBytes(StandardCharsets.US_ASCII));
        }
        for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
            record(records, x.getKey(), x.getValue());
        }
        byte[] bytes = records.toByteArray();
        TarArchiveEntry header =
                new TarArchiveEntry("PaxHeaders.0/" + (++paxHeaders), TarArchiveEntry.LF_PAX_EXTENDED_HEADER_LC, true);
        header.setSize(bytes.length);
        tar.putArchiveEntry(header);
        tar.write(bytes);
        tar.closeArchiveEntry();

        byte linkFlag = entry.isDirectory()
                ? TarArchiveEntry.LF_DIR
                : entry.isSymbolicLink()
                        ? TarArchiveEntry.LF_SYMLINK
                        : entry.isLink()
                                ? TarArchiveEntry.LF_LINK
                                : entry.isCharacterDevice()
                                        ? TarArchiveEntry.LF_CHR
                                        : entry.isBlockDevice()
                                                ? TarArchiveEntry.LF_BLK
                                                : entry.isFIFO() ? TarArchiveEntry.LF_FIFO : TarArchiveEntry.LF_NORMAL;
        TarArchiveEntry plain = new TarArchiveEntry(shortName(entry.getName(), entry.isDirectory()), linkFlag, true);
        plain.setMode(entry.getMode());
        plain.setUserId(Math.min(entry.getLongUserId(), MAX_OCTAL_ID));
        plain.setGroupId(Math.min(entry.getLongGroupId(), MAX_OCTAL_ID));
        plain.setModTime(entry.getModTime());
        if (Entries.isRegular(entry)) {
            plain.setSize(entry.getSize());
        }
        if (entry.isSymbolicLink() || entry.isLink()) {
            plain.setLinkName(shortName(entry.getLinkName(), false));
        }
        if (entry.isCharacterDevice() || entry.isBlockDevice()) {
            plain.setDevMajor(entry.getDevMajor());
            plain.setDevMinor(entry.getDevMinor());
        }
        return plain;
    }

    /** An ASCII name short enough for the ustar header; the PAX header holds the real one. */
    private static String shortName(String name, boolean directory) {
        StringBuilder ascii = new StringBuilder();
        for (char c : name.toCharArray()) {
            ascii.append(c >= 0x20 && c < 0x7f ? c : '_');
        }
        String s = ascii.toString();
        if (s.length() > 99) {
            s = s.substring(s.length() - 90);
        }
        return directory && !s.endsWith("/") ? s + "/" : s;
    }

    /** One PAX record, "LEN KEY=VALUE\n", where LEN counts the whole record. */
    private static void record(ByteArrayOutputStream out, String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int body = 1 + k.length + 1 + value.length + 1;
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) {
            length = body + Integer.toString(length).length();
        }
        out.writeBytes(Integer.toString(length).getBytes(StandardCharsets.US_ASCII));
        out.write(' ');
        out.writeBytes(k);
        out.write('=');
        out.writeBytes(value);
        out.write('\n');
    }

    /** Writes the end of the archive and flushes. */
    @Override
    public void close() throws IOException {
        tar.close();
    }
}
