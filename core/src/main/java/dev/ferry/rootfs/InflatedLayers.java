package dev.ferry.rootfs;

import dev.ferry.internal.Futures;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.support.ReadAheadStream;
import dev.ferry.spi.support.TempFiles;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The compressed layers of an image, each inflated once into a temporary tar, several at a time (one thread per
 * core), top layer first as the flattener's first pass wants them: both passes then read the tar instead of
 * inflating the layer twice. Each copy is complete only once the layer's digest, its diffID and the
 * {@linkplain LayerLimit limit} are checked; a layer that fails one of them fails {@link #await} with that error.
 * A copy is abandoned (and the layer then read as before, inflated by each pass) when its file system runs low
 * ({@link DiskSpace}) or a write fails: the copies only save time, and never fill a disk. Heap: a few buffers per
 * thread. The copies are {@link TempFiles}: removed by {@link #close}, at Ctrl-C and SIGTERM, and by the next
 * run's sweep after a SIGKILL.
 */
final class InflatedLayers implements Closeable {
    /** A layer's copy: the verified tar, or null when it was abandoned. */
    private record Copy(Path file) {}

    private final ImageSource source;
    private final List<Descriptor> layers;
    private final List<Digest> diffIds;
    private final long limit;
    private final Path tmpDir;
    private final ExecutorService pool;
    private final List<Future<Copy>> copies = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private volatile boolean closed;
    /** Whether each layer is inflated on a thread of its own, beside the one hashing and writing it. */
    private final boolean pumped;

    /**
     * Starts inflating every compressed layer of {@code layers} into {@code tmpDir}, top layer first, on
     * {@code threads} threads.
     */
    InflatedLayers(
            ImageSource source, List<Descriptor> layers, List<Digest> diffIds, long limit, Path tmpDir, int threads) {
        this.source = source;
        this.layers = layers;
        this.diffIds = diffIds;
        this.limit = limit;
        this.tmpDir = tmpDir;
        int compressed = 0;
        for (Descriptor layer : layers) {
            copies.add(null);
            files.add(null);
            if (compressed(layer)) {
                compressed++;
            }
        }
        this.pumped = compressed < threads;
        this.pool = compressed == 0
                ? null
                : Executors.newFixedThreadPool(Math.max(1, Math.min(threads, compressed)), r -> {
                    Thread t = new Thread(r, "ferry-inflate");
                    t.setDaemon(true);
                    return t;
                });
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (compressed(layers.get(i))) {
                int layer = i;
                copies.set(i, pool.submit(() -> inflate(layer)));
            }
        }
    }

    private static boolean compressed(Descriptor layer) {
        return MediaTypes.layerCompression(layer.mediaType()) != MediaTypes.Compression.NONE;
    }

    /**
     * The verified tar of layer {@code i}, once it is inflated; null for a layer that is not compressed or whose
     * copy was abandoned (read it from the source then).
     *
     * @throws IOException the layer's failure: its digest or diffID differs, it passes the limit, or it does not
     *     decompress
     */
    Path await(int i) throws IOException {
        Future<Copy> copy = copies.get(i);
        if (copy == null) {
            return null;
        }
        return Futures.await(copy, "inflating layer " + layers.get(i).digest()).file();
    }

    /** Inflates layer {@code i} into a new temporary file; on a thread of the pool. */
    private Copy inflate(int i) throws IOException {
        Descriptor layer = layers.get(i);
        Path file = TempFiles.createFile(tmpDir, "layer-tar");
        synchronized (files) {
            files.set(i, file);
        }
        boolean kept = false;
        try {
            DiskSpace space = DiskSpace.of(file);
            if (closed || space.low()) {
                return new Copy(null);
            }
            try (BlobStream blob = source.blob(layer)) {
                VerifyingInputStream verifier =
                        VerifyingInputStream.verify(new BufferedInputStream(blob.stream(), 1 << 16), layer);
                // the decompressor, closed at the end to free an inflater's native memory now (not at a GC); closing
                // it leaves the verifier open, which is drained and checked after it
                AtomicReference<InputStream> inflater = new AtomicReference<>();
                ReadAheadStream.Opener open = () -> {
                    inflater.set(Flattener.decompress(
                            new FilterInputStream(verifier) {
                                @Override
                                public void close() {}
                            },
                            layer));
                    return inflater.get();
                };
                ReadAheadStream pump = pumped ? new ReadAheadStream(open, "ferry-inflate-pump", 1 << 18, 4) : null;
                try {
                    UncompressedLayer plain =
                            new UncompressedLayer(pump != null ? pump : open.open(), layer, limit, diffIds.get(i));
                    if (!copy(plain, file, space, layer, verifier, pump)) {
                        return new Copy(null);
                    }
                    if (pump != null) {
                        pump.close();
                    }
                    verifier.drainAndVerify();
                    plain.verifyDiffId(i);
                } finally {
                    if (pump != null) {
                        pump.close(); // its thread has ended: the decompressor is this thread's
                    }
                    InputStream decompressor = inflater.get();
                    if (decompressor != null) {
                        decompressor.close();
                    }
                }
            }
            kept = true;
            return new Copy(file);
        } finally {
            if (!kept) {
                TempFiles.delete(file);
                synchronized (files) {
                    files.set(i, null);
                }
            }
        }
    }

    /**
     * Writes {@code plain} into {@code file}; false when the copy is abandoned (closed, or its file system runs
     * low, or a write fails).
     */
    private boolean copy(
            UncompressedLayer plain,
            Path file,
            DiskSpace space,
            Descriptor layer,
            VerifyingInputStream verifier,
            ReadAheadStream pump)
            throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            byte[] buf = new byte[1 << 16];
            for (int n = plain.read(buf, 0, buf.length); n >= 0; n = plain.read(buf, 0, buf.length)) {
                if (closed) {
                    return false;
                }
                try {
                    out.write(buf, 0, n);
                    if (space.wrote(n)) {
                        return false; // the passes read this layer from the source
                    }
                } catch (IOException e) {
                    return false; // a full disk, say: the copy only saves time
                }
            }
        } catch (FerryException e) {
            throw e;
        } catch (IOException e) {
            if (pump != null) {
                pump.close(); // the verifier is this thread's again
            }
            throw unreadable(layer, verifier, e);
        }
        return true;
    }

    /** As the flattener says it: the digest mismatch if the bytes are not the layer's, else a corrupt layer. */
    private static IOException unreadable(Descriptor layer, VerifyingInputStream verifier, IOException e) {
        try {
            verifier.drainAndVerify();
        } catch (FerryException mismatch) {
            return mismatch;
        } catch (IOException ignored) {
            // the source fails too: report the first failure
        }
        return new CorruptImageException("layer " + layer.digest() + " is not a readable tar: " + e.getMessage(), e);
    }

    /** Stops the inflating still under way and removes every copy. */
    @Override
    public void close() throws IOException {
        closed = true;
        if (pool != null) {
            pool.shutdownNow();
            try {
                // A task reading a file stops at once; one blocked on a network source ends when its read does,
                // and removes its own file then.
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        IOException failure = null;
        synchronized (files) {
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                if (file != null) {
                    try {
                        TempFiles.delete(file);
                    } catch (IOException e) {
                        failure = e;
                    }
                    files.set(i, null);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
