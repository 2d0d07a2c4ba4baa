package dev.ferry.transport.oci;

import dev.ferry.model.Digest;
import dev.ferry.spi.GarbageCollectable;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code oci:PATH[:REF]}: an OCI image layout directory, read and written in place. */
public final class OciTransport extends LayoutTransport {
    @Override
    public String name() {
        return "oci";
    }

    @Override
    ImageSource openSource(LayoutReference reference) throws IOException {
        Path dir = reference.path();
        if (!Files.isDirectory(dir)) {
            throw new ImageNotFoundException(
                    reference.displayName(),
                    dir + " is not a directory",
                    "check the path; an OCI layout is a directory with oci-layout, index.json and blobs/");
        }
        DirectoryStore store = new DirectoryStore(dir);
        return LayoutSource.open(reference, store);
    }

    @Override
    ImageSink openSink(LayoutReference reference) throws IOException {
        return DirectorySink.open(reference);
    }

    @Override
    List<ImageStore> list(LayoutReference reference) throws IOException {
        if (!Files.isDirectory(reference.path())) {
            throw new ImageNotFoundException(reference.displayName(), reference.path() + " is not a directory", null);
        }
        return LayoutMaintenance.list(reference, new DirectoryStore(reference.path()));
    }

    @Override
    Digest delete(LayoutReference reference) throws IOException {
        return LayoutMaintenance.deleteInDirectory(reference);
    }

    @Override
    GarbageCollectable.Result collectGarbage(LayoutReference reference) throws IOException {
        return LayoutMaintenance.collectInDirectory(reference);
    }
}
