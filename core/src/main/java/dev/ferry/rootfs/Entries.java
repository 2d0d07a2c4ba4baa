package dev.ferry.rootfs;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/** Tar entry kinds, precisely: Commons Compress's {@code isFile()} is true for every entry that is not a folder. */
public final class Entries {
    private Entries() {}

    /** Whether the entry is a regular file, with content. */
    public static boolean isRegular(TarArchiveEntry e) {
        return !e.isDirectory()
                && !e.isSymbolicLink()
                && !e.isLink()
                && !e.isCharacterDevice()
                && !e.isBlockDevice()
                && !e.isFIFO();
    }
}
