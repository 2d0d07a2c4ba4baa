package dev.ferry.transport.oci;

import dev.ferry.spi.support.TarIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;

/** An OCI archive's files, served in place through a {@link TarIndex}. */
final class TarStore implements LayoutStore {
    private final TarIndex index;

    private TarStore(TarIndex index) {
        this.index = index;
    }

    static TarStore open(Path file) throws IOException {
        return new TarStore(TarIndex.open(file));
    }

    Set<String> names() {
        return index.names();
    }

    @Override
    public long size(String path) {
        return index.size(path);
    }

    @Override
    public InputStream open(String path) throws IOException {
        return index.open(path);
    }

    @Override
    public String describe() {
        return index.file().toString();
    }

    @Override
    public void close() throws IOException {
        index.close();
    }
}
