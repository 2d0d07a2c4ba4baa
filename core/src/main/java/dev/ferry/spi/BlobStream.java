package dev.ferry.spi;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * A blob's bytes as a stream, with the size the source knows for them. The caller closes it.
 *
 * @param stream the bytes, unverified
 * @param size the number of bytes the source says the stream holds, or -1 if it does not know
 */
public record BlobStream(InputStream stream, long size) implements Closeable {
    public BlobStream {
        requireNonNull(stream, "stream is null");
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
