package dev.ferry.cli;

import dev.ferry.engine.CopyListener;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A source whose blob reads are reported to a listener (for commands that read blobs without the copy engine). A
 * blob is reported once: flattening reads an uncompressed layer twice (a pass for the paths, a pass for the
 * content), which is one layer to the user.
 */
final class WatchedSource implements ImageSource {
    private final ImageSource source;
    private final CopyListener listener;
    private final Set<Digest> reported = ConcurrentHashMap.newKeySet();

    WatchedSource(ImageSource source, CopyListener listener) {
        this.source = source;
        this.listener = listener;
    }

    @Override
    public ImageReference reference() {
        return source.reference();
    }

    @Override
    public ManifestBytes manifest() throws IOException {
        return source.manifest();
    }

    @Override
    public ManifestBytes manifest(Digest digest) throws IOException {
        return source.manifest(digest);
    }

    @Override
    public BlobStream blob(Descriptor descriptor) throws IOException {
        BlobStream stream = source.blob(descriptor);
        if (descriptor.mediaType() != null && descriptor.mediaType().contains("config")) { // not a layer
            return stream;
        }
        if (!reported.add(descriptor.digest())) {
            return stream; // read again
        }
        listener.blobStarted(descriptor);
        InputStream counted = new FilterInputStream(stream.stream()) {
            private long read;
            private boolean finished;

            @Override
            public int read() throws IOException {
                int b = super.read();
                count(b < 0 ? -1 : 1);
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                count(n);
                return n;
            }

            private void count(int n) {
                if (n > 0) {
                    read += n;
                    listener.blobProgress(descriptor, n);
                }
                if ((n < 0 || read >= descriptor.size()) && !finished) {
                    finished = true;
                    listener.blobFinished(descriptor, CopyListener.Outcome.COPIED);
                }
            }
        };
        return new BlobStream(counted, stream.size(), null, null);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
