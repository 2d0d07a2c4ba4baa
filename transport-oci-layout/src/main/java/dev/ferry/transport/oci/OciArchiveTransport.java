package dev.ferry.transport.oci;

import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
