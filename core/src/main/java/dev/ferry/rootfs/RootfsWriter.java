package dev.ferry.rootfs;

import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Receives a flattened root filesystem, entry by entry, parents before children and hardlink targets before
 * their links. Names are clean relative paths ({@code etc/passwd}), never absolute and never with {@code ..}.
 * Xattrs are the PAX headers {@code SCHILY.xattr.NAME}, their values raw bytes carried as ISO-8859-1 strings
 * (see {@link PaxXattrs}).
 */
public interface RootfsWriter {
    /**
     * One entry.
     *
     * @param entry the header: name, kind, mode, owner, mtime, link target, PAX headers (xattrs)
     * @param content a regular file's bytes ({@code entry.getSize()} of them), or null for other kinds; valid only
     *     during this call
     */
    void write(TarArchiveEntry entry, InputStream content) throws IOException;
}
