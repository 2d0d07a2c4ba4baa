package dev.ferry.rootfs;

import dev.ferry.internal.NonClosingOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Writes a root filesystem as a tar stream (PAX for long names, big numbers and xattrs). */
public final class TarRootfsWriter implements RootfsWriter, AutoCloseable {
    private final TarArchiveOutputStream tar;

    /** A tar onto {@code out}, which {@link #close()} flushes but does not close. */
    public TarRootfsWriter(OutputStream out) {
        tar = new TarArchiveOutputStream(new BufferedOutputStream(new NonClosingOutputStream(out), 1 << 16),
                "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    @Override
    public void write(TarArchiveEntry entry, InputStream content) throws IOException {
        tar.putArchiveEntry(entry);
        if (content != null && Entries.isRegular(entry)) {
            long copied = content.transferTo(tar);
            if (copied != entry.getSize()) {
                throw new IOException(entry.getName() + ": " + copied + " bytes instead of " + entry.getSize());
            }
        }
        tar.closeArchiveEntry();
    }

    /** Writes the end of the archive and flushes. */
    @Override
    public void close() throws IOException {
        tar.close();
    }
}
