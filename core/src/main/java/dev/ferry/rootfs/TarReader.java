package dev.ferry.rootfs;

import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a tar stream entry by entry, as Commons Compress does, but with xattr values as raw bytes: each
 * {@code SCHILY.xattr.*} PAX header of an entry is replaced by its exact bytes, carried as an ISO-8859-1 string.
 * Names are decoded as UTF-8 whatever the locale, and one that is not valid UTF-8 is an error, never a U+FFFD.
 */
public final class TarReader implements AutoCloseable {
    private final PaxXattrs observer;
    private final TarArchiveInputStream tar;
    private int index;

    public TarReader(InputStream in) {
        this.observer = new PaxXattrs(in);
        this.tar = new TarArchiveInputStream(observer, "UTF-8");
    }

    /**
     * The next entry, or null at the end.
     *
     * @throws FerryException if a name in it (its path, link, owner or group) is not valid UTF-8
     */
    public TarArchiveEntry next() throws IOException {
        TarArchiveEntry e;
        try {
            e = tar.getNextEntry();
        } catch (CharacterCodingException x) {
            // a name in a header (Commons Compress decodes them strictly; PAX values are checked below)
            throw notUtf8("of entry " + (index + 1));
        }
        if (e == null) {
            return null;
        }
        if (e.getName().indexOf('\uFFFD') >= 0 || e.getLinkName().indexOf('\uFFFD') >= 0) {
            // a PAX path or linkpath, which Commons Compress decodes leniently, putting U+FFFD for what is not UTF-8
            throw notUtf8("'" + e.getName().replace('\uFFFD', '?') + "'");
        }
        Map<String, byte[]> raw = observer.of(index++);
        for (Map.Entry<String, String> pax : Map.copyOf(e.getExtraPaxHeaders()).entrySet()) {
            if (pax.getKey().startsWith("SCHILY.xattr.")) {
                byte[] bytes = raw.get(pax.getKey().substring(13));
                e.addPaxHeader(pax.getKey(), PaxXattrs.latin1(bytes != null ? bytes
                        : pax.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        return e;
    }

    private static FerryException notUtf8(String which) {
        return new FerryException("a name in a layer (" + which + ") is not valid UTF-8",
                "Ferry reads names in layers as UTF-8, as Docker, containerd and umoci write them; rename the file in"
                        + " the image");
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
