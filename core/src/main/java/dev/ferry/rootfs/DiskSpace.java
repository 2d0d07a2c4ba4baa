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

    private final Path path;
    private LongSupplier usable;
    private long reserve;
    private long sinceCheck;

    /** For tests: when set, the free space every new watcher sees (with a 1 MiB reserve). */
    static volatile LongSupplier fakeUsable;

    /** A watcher of the file system of {@code path}, which exists. */
    static DiskSpace of(Path path) {
        LongSupplier fake = fakeUsable;
        return fake != null ? new DiskSpace(fake, 1L << 20) : new DiskSpace(path);
    }

    /** Watches the file system of {@code path}, which exists; looked up at the first check (it takes a while). */
    private DiskSpace(Path path) {
        this.path = path;
    }

    /** For tests: a file system with {@code usable} bytes free and {@code reserve} to keep. */
    DiskSpace(LongSupplier usable, long reserve) {
        this.path = null;
        this.usable = usable;
        this.reserve = reserve;
    }

    private void lookUp() {
        if (usable != null) {
            return;
        }
        try {
            FileStore store = Files.getFileStore(path);
            reserve = Math.min(MAX_RESERVE, store.getTotalSpace() / 20);
            usable = () -> {
                try {
                    return store.getUsableSpace();
                } catch (IOException e) {
                    return Long.MAX_VALUE; // cannot tell: no guard rather than a false alarm
                }
            };
        } catch (IOException e) {
            usable = () -> Long.MAX_VALUE;
        }
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
        lookUp();
        return usable.getAsLong() < reserve;
    }

    long reserve() {
        lookUp();
        return reserve;
    }

    long usable() {
        lookUp();
        return usable.getAsLong();
    }
}
