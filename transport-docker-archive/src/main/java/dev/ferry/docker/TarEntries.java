package dev.ferry.docker;

import java.io.IOException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** The entries Ferry's archive writers emit: root-owned, mtime zero, so the same image gives the same archive. */
final class TarEntries {
    private TarEntries() {}

    /** A regular file entry, mode 0644. */
    static TarArchiveEntry file(String name, long size) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(size);
        entry.setMode(0100644);
        entry.setModTime(0);
        return entry;
    }

    /** Writes a small file whole. */
    static void writeFile(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        tar.putArchiveEntry(file(name, bytes.length));
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    /** Writes a folder entry, mode 0755; {@code name} ends with '/'. */
    static void writeDirectory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(040755);
        entry.setModTime(0);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }
}
