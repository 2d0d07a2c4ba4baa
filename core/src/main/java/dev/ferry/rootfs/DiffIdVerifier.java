package dev.ferry.rootfs;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.support.BlockPipe;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A compressed layer's bytes passed through unchanged while a second thread decompresses a copy of them and
 * checks it against the layer's diffID and the {@linkplain LayerLimit limit}: for a layer that goes somewhere
 * compressed (a build's base layer, copied to the destination) but must be proved to be what the config says.
 * The end of the stream (the read that returns -1) is reported only once the digest and the diffID are right;
 * otherwise that read throws, so a sink that stores what it read whole never keeps such a layer. A layer past
 * the limit fails the read that feeds it. One read of the layer; memory is a few blocks.
 */
public final class DiffIdVerifier extends FilterInputStream {
    private final Descriptor layer;
    private final BlockPipe pipe = new BlockPipe(1 << 16, 4);
    private final OutputStream copy = pipe.output();
    private final Thread thread;
    private volatile IOException failure;
    private volatile boolean tooLarge;
    private boolean ended;

    /**
     * @param in the layer's bytes, as stored (compressed or not)
     * @param layer the layer: its digest is verified too, and its media type says how to decompress it
     * @param index its position among the image's layers, for messages
     * @param diffId the digest its uncompressed tar must have, from the config
     * @param limit the most uncompressed bytes allowed
     */
    public DiffIdVerifier(InputStream in, Descriptor layer, int index, Digest diffId, long limit) {
        this(in, layer, index, diffId, limit, Flattener::decompress);
    }

    /** How the checking thread decompresses the layer's copy ({@link Flattener#decompress}; a test's failing one). */
    @FunctionalInterface
    interface Decompressor {
        InputStream open(InputStream in, Descriptor layer) throws IOException;
    }

    DiffIdVerifier(InputStream in, Descriptor layer, int index, Digest diffId, long limit, Decompressor decompressor) {
        super(VerifyingInputStream.verify(in, layer));
        this.layer = layer;
        InputStream piped = pipe.input();
        thread = new Thread(
                () -> {
                    try (UncompressedLayer plain =
                            new UncompressedLayer(decompressor.open(piped, layer), layer, limit, diffId)) {
                        plain.drain();
                        plain.verifyDiffId(index);
                    } catch (LayerTooLargeException e) {
                        failure = e;
                        tooLarge = true;
                    } catch (FerryException e) {
                        failure = e;
                    } catch (IOException e) {
                        failure = new CorruptImageException(
                                "layer " + layer.digest() + " does not decompress: " + e.getMessage(), e);
                    } catch (RuntimeException | Error e) {
                        // the diffID was not checked: never the clean end of an unchecked layer
                        failure = new FerryException(
                                "checking the diffID of layer " + layer.digest() + " failed: " + e, null, e);
                    } finally {
                        try {
                            byte[] buf = new byte[1 << 16];
                            while (piped.read(buf) >= 0) {
                                // keep draining, so the writer never blocks on a reader that stopped
                            }
                            piped.close();
                        } catch (IOException e) {
                            // the writer is gone too
                        }
                    }
                },
                "ferry-diffid-check");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (tooLarge) {
            throw failure;
        }
        int n = in.read(buf, off, len); // at the end, throws if the digest is wrong
        if (n < 0) {
            finish();
            return n;
        }
        if (n > 0) {
            try {
                copy.write(buf, off, n);
            } catch (IOException e) {
                if (failure != null) {
                    throw failure;
                }
                throw e;
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        return Streams.skipByReading(this, n); // every byte passes through read
    }

    @Override
    public int available() {
        return 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void finish() throws IOException {
        if (ended) {
            return;
        }
        IOException closing = null;
        try {
            copy.close();
        } catch (IOException e) {
            closing = e; // the checking thread stopped reading: its own failure says why
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while checking layer " + layer.digest(), null, e);
        }
        if (failure != null) {
            throw failure;
        }
        if (closing != null) {
            throw closing;
        }
        ended = true;
    }

    @Override
    public void close() throws IOException {
        try {
            in.close();
        } finally {
            if (!ended) {
                pipe.fail(new IOException("closed before the end"));
            }
        }
    }
}
