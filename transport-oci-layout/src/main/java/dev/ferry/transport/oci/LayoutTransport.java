package dev.ferry.transport.oci;

import dev.ferry.spi.Capabilities;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.Transport;
import java.io.IOException;

/** What the directory and archive transports share: the {@code PATH[:REF]} syntax. */
abstract class LayoutTransport implements Transport {
    @Override
    public ImageReference parse(String reference) throws InvalidReferenceException {
        return LayoutReference.parse(this, reference);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.READ_WRITE_MULTI_IMAGE;
    }

    @Override
    public String syntax() {
        return name() + ":PATH[:REF]";
    }

    abstract ImageSource openSource(LayoutReference reference) throws IOException;

    abstract ImageSink openSink(LayoutReference reference) throws IOException;
}
