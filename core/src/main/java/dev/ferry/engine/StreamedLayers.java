package dev.ferry.engine;

import dev.ferry.model.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which gzip layers a copy inflates straight into the sink ({@link InflatedLayer}) instead of spooling them, and
 * the sizes it learnt: shared by the attempts of one copy. A first attempt streams every layer whose gzip trailer
 * gives a plausible size. When a layer turns out larger or smaller than announced, the sink (broken in the middle
 * of that layer) is discarded and the copy made once more ({@link #retry()}): then the layers whose size is known
 * (measured, or checked as they streamed) stream with it, and the others, never reached, are spooled.
 */
final class StreamedLayers {
    private final boolean retry;
    /** Compressed digest -> uncompressed size, checked against the diffID. */
    private final Map<Digest, Long> known;

    private volatile boolean mismatched;

    private StreamedLayers(boolean retry, Map<Digest, Long> known) {
        this.retry = retry;
        this.known = known;
    }

    /** For a copy's first attempt. */
    static StreamedLayers first() {
        return new StreamedLayers(false, new ConcurrentHashMap<>());
    }

    /** For the attempt after one that met a layer of another size than announced: what was learnt. */
    StreamedLayers retry() {
        return new StreamedLayers(true, new ConcurrentHashMap<>(known));
    }

    /** Whether a layer's size differed from the one announced, so that the copy should be made again. */
    boolean needsRetry() {
        return mismatched && !retry;
    }

    /**
     * The size to announce for the gzip layer {@code digest}, read from {@code file} ({@code size} bytes), or -1 to
     * spool it.
     */
    long announce(Digest digest, Path file, long size) throws IOException {
        Long measured = known.get(digest);
        if (measured != null) {
            return measured;
        }
        return retry ? -1 : InflatedLayer.trailerSize(file, size);
    }

    /** The layer {@code digest} inflated to {@code size} bytes, checked. */
    void verified(Digest digest, long size) {
        known.put(digest, size);
    }

    /** The layer {@code digest} inflated to {@code size} bytes, checked, and not to the size announced. */
    void mismatched(Digest digest, long size) {
        known.put(digest, size);
        mismatched = true;
    }
}
