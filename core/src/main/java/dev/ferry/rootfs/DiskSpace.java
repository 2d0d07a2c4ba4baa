package dev.ferry.rootfs;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Watches the free space of the file system being written, so that a layer that expands without end (up to a
 * generous {@link LayerLimit}) stops with a clear error, or drops a copy that only saves time, before the disk is
 * full, which would hurt every other process on the machine. Checked every {@value #CHECK_EVERY_MIB} MiB
 * written: a write that small never fails on it.
 *
 * <p>The reserve kept free is the smaller of 512 MiB and 5% of the file system.
 */
final class DiskSpace {
    static final int CHECK_EVERY_MIB = 64;
    private static final long CHECK_EVERY = (long) CHECK_EVERY_MIB << 20;
    private static final long MAX_RESERVE = 512L << 20;

    private final LongSupplier usable;
    private final long reserve;
    private long sinceCheck;

    /** Watches the file system of {@code path}, which exists. */
    DiskSpace(Path path) throws IOException {
        FileStore store = Files.getFileStore(path);
        this.reserve = Math.min(MAX_RESERVE, store.getTotalSpace() / 20);
        this.usable = () -> {
            try {
                return store.getUsableSpace();
            } catch (IOException e) {
                return Long.MAX_VALUE; // cannot tell: no guard rather than a false alarm
            }
        };
    }

    /** For tests: a file system with {@code usable} bytes free and {@code reserve} to keep. */
    DiskSpace(LongSupplier usable, long reserve) {
        this.usable = usable;
        this.reserve = reserve;
    }

    /** Counts {@code n} bytes written; true when the file system has less than the reserve left. */
    boolean wrote(long n) {
        sinceCheck += n;
        if (sinceCheck < CHECK_EVERY) {
            return false;
        }
        sinceCheck = 0;
        return low();
    }

    boolean low() {
        return usable.getAsLong() < reserve;
    }

    long reserve() {
        return reserve;
    }

    long usable() {
        return usable.getAsLong();
    }
}
