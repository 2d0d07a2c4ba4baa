package dev.ferry.transport.oci;

import dev.ferry.model.Digest;
import dev.ferry.spi.Capabilities;
import dev.ferry.spi.GarbageCollectable;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.Transport;
import java.io.IOException;
import java.util.List;

/** What the directory and archive transports share: the {@code PATH[:REF]} syntax. */
abstract class LayoutTransport implements Transport {
    @Override
    public ImageReference parse(String reference) throws InvalidReferenceException {
        return LayoutReference.parse(this, reference);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.READ_WRITE_MULTI_IMAGE.toBuilder()
                .list(true)
                .delete(true)
                .garbageCollect(true)
                .build();
    }

    @Override
    public String syntax() {
        return name() + ":PATH[:REF]";
    }

    abstract ImageSource openSource(LayoutReference reference) throws IOException;

    abstract ImageSink openSink(LayoutReference reference) throws IOException;

    abstract List<ImageStore> list(LayoutReference reference) throws IOException;

    abstract Digest delete(LayoutReference reference) throws IOException;

    abstract GarbageCollectable.Result collectGarbage(LayoutReference reference) throws IOException;
}
