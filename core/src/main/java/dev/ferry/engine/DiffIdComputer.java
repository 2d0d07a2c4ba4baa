package dev.ferry.engine;

import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.support.BlockPipe;
import dev.ferry.spi.support.Digests;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Computes a compressed layer's diffID while the layer streams elsewhere: {@link #tee} passes the bytes through
 * and feeds a copy, through a pipe, to a thread that decompresses and hashes them. One read of the layer, as
 * when Docker v2s1 images (which carry no diffIDs) are converted.
 */
final class DiffIdComputer implements AutoCloseable {
    private final BlockPipe blocks = new BlockPipe(1 << 16, 4);
    private final OutputStream pipe = blocks.output();
    private final Thread thread;
    private volatile Digest result;
    private volatile IOException failure;

    DiffIdComputer(Compression compression) throws IOException {
        InputStream in = blocks.input();
        thread = new Thread(
                () -> {
                    MessageDigest md = Digests.forStream(DigestAlgorithm.SHA256);
                    byte[] buf = new byte[1 << 16];
                    try (InputStream plain = Recompressor.decompress(in, compression)) {
                        int n;
                        while ((n = plain.read(buf)) >= 0) {
                            md.update(buf, 0, n);
                        }
                        result = Digest.fromHash(DigestAlgorithm.SHA256, md.digest());
                    } catch (IOException e) {
                        failure = e;
                    } finally {
                        try {
                            while (in.read(buf) >= 0) {
                                // keep draining, so the writer never blocks on a dead reader
                            }
                            in.close();
                        } catch (IOException e) {
                            // the writer is gone too
                        }
                    }
                },
                "ferry-diffid");
        thread.setDaemon(true);
        thread.start();
    }

    /** {@code in}, with every byte read also fed to this computer. */
    InputStream tee(InputStream in) {
        OutputStream copy = pipe;
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                    copy.write(b);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    copy.write(b, off, n);
                }
                return n;
            }
        };
    }

    /** The diffID of everything teed. */
    Digest finish(Digest layer) throws IOException {
        pipe.close();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while computing a diffID", e);
        }
        if (failure != null || result == null) {
            throw new CorruptImageException(
                    "layer " + layer + " does not decompress: " + (failure == null ? "no data" : failure.getMessage()),
                    failure);
        }
        return result;
    }

    @Override
    public void close() throws IOException {
        pipe.close();
    }
}
