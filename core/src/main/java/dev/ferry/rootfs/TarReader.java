package dev.ferry.rootfs;

import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a tar stream entry by entry, as Commons Compress does, but with xattr values as raw bytes: each
 * {@code SCHILY.xattr.*} PAX header of an entry is replaced by its exact bytes, carried as an ISO-8859-1 string.
 * Names (path, link, owner and group) are decoded as UTF-8 whatever the locale, strictly: one that is not valid
 * UTF-8 is an error, never a {@code ?} or a U+FFFD (Commons Compress would put one or the other in its place).
 * So headers are read as ISO-8859-1 (one char per byte, lossless) and their names decoded here, as are the raw
 * bytes of the PAX records.
 */
public final class TarReader implements AutoCloseable {
    private final PaxXattrs observer;
    private final TarArchiveInputStream tar;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private int index;
    private TarArchiveEntry current;

    public TarReader(InputStream in) {
        this(in, false);
    }

    /**
     * A reader of {@code in}; when {@code seekable} (a file, whose skip does not read), the content of entries
     * left unread is skipped rather than read and thrown away (a headers-only pass then reads the headers only).
     */
    public TarReader(InputStream in, boolean seekable) {
        this.observer = new PaxXattrs(in, seekable);
        this.tar = new TarArchiveInputStream(observer, "ISO-8859-1");
    }

    /**
     * The next entry, or null at the end.
     *
     * @throws FerryException if a name in it (its path, link, owner or group) is not valid UTF-8
     */
    public TarArchiveEntry next() throws IOException {
        if (current != null && !current.isSparse()) {
            observer.discardRest(); // what is left of its content, Commons Compress reads only to throw away
        }
        TarArchiveEntry e = tar.getNextEntry();
        current = e;
        if (e == null) {
            return null;
        }
        int number = index++;
        Map<String, byte[]> raw = observer.take(number);
        Map<String, byte[]> names = observer.takeNames(number);
        String name = utf8(names.get("path"), e.getName(), e);
        if (!name.equals(e.getName())) {
            e.setName(name);
        }
        e.setLinkName(utf8(names.get("linkpath"), e.getLinkName(), e));
        e.setUserName(utf8(names.get("uname"), e.getUserName(), e));
        e.setGroupName(utf8(names.get("gname"), e.getGroupName(), e));
        for (Map.Entry<String, String> pax : Map.copyOf(e.getExtraPaxHeaders()).entrySet()) {
            if (pax.getKey().startsWith("SCHILY.xattr.")) {
                byte[] bytes = raw.get(pax.getKey().substring(13));
                e.addPaxHeader(
                        pax.getKey(),
                        PaxXattrs.latin1(bytes != null ? bytes : pax.getValue().getBytes(StandardCharsets.UTF_8)));
            }
        }
        return e;
    }

    /**
     * A name, from the raw bytes of its PAX record when the entry has one, else from its header (as Commons Compress
     * read it: ISO-8859-1, one char per byte), decoded strictly as UTF-8.
     */
    private String utf8(byte[] pax, String header, TarArchiveEntry e) throws FerryException {
        if (pax == null && ascii(header)) {
            return header; // the usual case: nothing to decode
        }
        byte[] bytes = pax != null ? pax : header.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return decoder.reset().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException x) {
            String shown = new String(bytes, StandardCharsets.UTF_8).replace('\uFFFD', '?');
            throw new FerryException(
                    "a name in a layer is not valid UTF-8: '"
                            + (shown.length() > 200 ? shown.substring(0, 200) + "..." : shown) + "' (entry " + (index)
                            + ", "
                            + (e.isDirectory() ? "a folder" : e.isSymbolicLink() ? "a symlink" : "a file") + ")",
                    "Ferry reads the names in layers as UTF-8, as Docker, containerd and umoci write them; rename"
                            + " the file in the image");
        }
    }

    private static boolean ascii(String s) {
        if (s == null) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The current entry's content. */
    public InputStream content() {
        return tar;
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
