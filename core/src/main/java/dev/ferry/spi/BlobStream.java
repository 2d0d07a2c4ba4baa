package dev.ferry.spi;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A blob's bytes as a stream, with the size the source knows for them. The caller closes it.
 *
 * @param stream the bytes, unverified
 * @param size the number of bytes the source says the stream holds, or -1 if it does not know
 * @param file the regular file the stream reads, when the source keeps the blob in one that stays unchanged while
 *     the stream is open (a layout's blob, a spool), else null: a sink on the same filesystem may hardlink it
 *     ({@link LinkingSink}) instead of copying the bytes
 */
public record BlobStream(InputStream stream, long size, Path file) implements Closeable {
    public BlobStream {
        requireNonNull(stream, "stream is null");
    }

    /** A blob stream that is not backed by a file the sink may link. */
    public BlobStream(InputStream stream, long size) {
        this(stream, size, null);
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
