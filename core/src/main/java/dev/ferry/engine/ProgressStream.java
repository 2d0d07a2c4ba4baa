package dev.ferry.engine;

import dev.ferry.model.Descriptor;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reports the bytes of a blob read through it to a listener. */
final class ProgressStream extends FilterInputStream {
    private final Descriptor blob;
    private final CopyListener listener;

    ProgressStream(InputStream in, Descriptor blob, CopyListener listener) {
        super(in);
        this.blob = blob;
        this.listener = listener;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            listener.blobProgress(blob, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        if (n > 0) {
            listener.blobProgress(blob, n);
        }
        return n;
    }
}
