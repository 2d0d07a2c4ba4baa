package dev.ferry.transport.oci;

import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
