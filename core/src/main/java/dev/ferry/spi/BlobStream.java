package dev.ferry.spi;

import static java.util.Objects.requireNonNull;

import dev.ferry.model.Digest;
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
 * @param fileDigest the SHA-256 of {@code file}, when this process computed it from the bytes as it wrote the
 *     file into a folder of its own (a spooled save), else null; a linked blob with it needs no second read
 */
public record BlobStream(InputStream stream, long size, Path file, Digest fileDigest) implements Closeable {
    public BlobStream {
        requireNonNull(stream, "stream is null");
        if (fileDigest != null && file == null) {
            throw new IllegalArgumentException("a file digest without a file");
        }
    }

    /** A blob stream that is not backed by a file the sink may link. */
    public BlobStream(InputStream stream, long size) {
        this(stream, size, null, null);
    }

    /** A blob stream backed by {@code file}, whose content the caller has not digested. */
    public BlobStream(InputStream stream, long size, Path file) {
        this(stream, size, file, null);
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
