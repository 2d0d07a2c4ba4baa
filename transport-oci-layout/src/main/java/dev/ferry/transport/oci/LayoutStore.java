package dev.ferry.transport.oci;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/** Read access to the files of a layout, by their path inside it ({@code index.json}, {@code blobs/sha256/...}). */
interface LayoutStore extends Closeable {
    /** The size of the file at {@code path}, or -1 if there is none. */
    long size(String path) throws IOException;

    /**
     * Opens the file at {@code path}. Streams of one store may be read concurrently.
     *
     * @throws java.nio.file.NoSuchFileException if there is none
     */
    InputStream open(String path) throws IOException;

    /** Where this store is, for messages. */
    String describe();
}
