package dev.ferry.rootfs;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a tar stream entry by entry, as Commons Compress does, but with xattr values as raw bytes: each
 * {@code SCHILY.xattr.*} PAX header of an entry is replaced by its exact bytes, carried as an ISO-8859-1 string.
 */
public final class TarReader implements AutoCloseable {
    private final PaxXattrs observer;
    private final TarArchiveInputStream tar;
    private int index;

    public TarReader(InputStream in) {
        this.observer = new PaxXattrs(in);
        this.tar = new TarArchiveInputStream(observer);
    }

    /** The next entry, or null at the end. */
    public TarArchiveEntry next() throws IOException {
        TarArchiveEntry e = tar.getNextEntry();
        if (e == null) {
            return null;
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

    /** The current entry's content. */
    public InputStream content() {
        return tar;
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
