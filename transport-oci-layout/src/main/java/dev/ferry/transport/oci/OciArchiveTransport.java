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

/**
 * {@code oci-archive:PATH[:REF]}: a tar of an OCI image layout. Read in place (one pass over the headers, then
 * blobs by offset; never unpacked), written as one stream to a temporary file renamed over PATH at commit.
 */
public final class OciArchiveTransport extends LayoutTransport {
    @Override
    public String name() {
        return "oci-archive";
    }

    @Override
    ImageSource openSource(LayoutReference reference) throws IOException {
        Path file = reference.path();
        if (!Files.isRegularFile(file)) {
            throw new ImageNotFoundException(
                    reference.displayName(),
                    Files.isDirectory(file) ? file + " is a directory, not a tar file" : file + " does not exist",
                    Files.isDirectory(file) ? "use oci:" + file + " for a layout directory" : "check the path");
        }
        TarStore store = TarStore.open(file);
        try {
            return LayoutSource.open(reference, store);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    @Override
    ImageSink openSink(LayoutReference reference) throws IOException {
        return ArchiveSink.open(reference);
    }

    @Override
    List<ImageStore> list(LayoutReference reference) throws IOException {
        if (!Files.isRegularFile(reference.path())) {
            throw new ImageNotFoundException(reference.displayName(), reference.path() + " does not exist", null);
        }
        try (TarStore store = TarStore.open(reference.path())) {
            return LayoutMaintenance.list(reference, store);
        }
    }

    @Override
    Digest delete(LayoutReference reference) throws IOException {
        return LayoutMaintenance.deleteInArchive(reference);
    }

    @Override
    GarbageCollectable.Result collectGarbage(LayoutReference reference) throws IOException {
        return LayoutMaintenance.collectInArchive(reference);
    }
}
