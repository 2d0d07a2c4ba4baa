package dev.ferry.transport.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** A layout directory's files. */
final class DirectoryStore implements LayoutStore {
    private final Path root;

    DirectoryStore(Path root) {
        this.root = root;
    }

    private Path resolve(String path) {
        return root.resolve(path);
    }

    @Override
    public long size(String path) throws IOException {
        Path file = resolve(path);
        return Files.isRegularFile(file) ? Files.size(file) : -1;
    }

    @Override
    public InputStream open(String path) throws IOException {
        Path file = resolve(path);
        if (Files.isSymbolicLink(file) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            // A layout's own files are never links; refusing them keeps reads inside the layout.
            throw new IOException(file + " is a symbolic link; an OCI layout holds regular files only");
        }
        return Files.newInputStream(file);
    }

    /** The file at {@code path} if it is a regular file (not a link), else null. */
    Path regularFile(String path) {
        Path file = resolve(path);
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? file : null;
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public void close() {
        // nothing held
    }
}
