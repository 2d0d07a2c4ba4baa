package dev.ferry.engine;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.ferry.internal.CountingOutputStream;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.support.Digests;
import dev.ferry.spi.support.Gzip;
import dev.ferry.spi.support.NonClosingOutputStream;
import dev.ferry.spi.support.ParallelGzipOutputStream;
import dev.ferry.spi.support.TempFiles;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.zip.ZipException;

/**
 * Changes a layer's compression in one streaming pass: the source bytes are verified against their descriptor,
 * decompressed, checked against the layer's diffID, compressed again and spooled to a temporary file whose
 * digest and size are counted on the way. The file is needed because a manifest names a blob's digest and size
 * before anyone may read it.
 */
final class Recompressor {
    /**
     * A layer written to a temporary file.
     *
     * @param file the temporary file; the caller deletes it
     * @param digest its digest
     * @param size its size
     * @param diffId the digest of the uncompressed layer
     */
    record Spooled(Path file, Digest digest, long size, Digest diffId) {}

    private Recompressor() {}

    static InputStream decompress(InputStream in, Compression compression) throws IOException {
        return switch (compression) {
            case NONE -> in;
            case GZIP -> Gzip.input(in);
            case ZSTD -> new ZstdInputStream(in);
        };
    }

    static OutputStream compress(OutputStream out, Compression compression) throws IOException {
        return switch (compression) {
            case NONE -> out;
            case GZIP -> new ParallelGzipOutputStream(out, ParallelGzipOutputStream.LAYER_LEVEL);
            case ZSTD ->
                new ZstdOutputStream(out, 3).setWorkers(Runtime.getRuntime().availableProcessors());
        };
    }

    /**
     * Recompresses {@code source} (whose bytes are {@code descriptor}) from {@code from} to {@code to}.
     *
     * @param diffId the digest the uncompressed layer must have, or null if unknown
     * @throws CorruptImageException if the uncompressed bytes do not have {@code diffId}, or do not decompress
     */
    static Spooled recompress(
            InputStream source, Descriptor descriptor, Compression from, Compression to, Digest diffId, Path tmpDir)
            throws IOException {
        // a TempFiles name: removed at Ctrl-C/SIGTERM, and swept by the next run after a SIGKILL
        Path file = TempFiles.createFile(tmpDir, "layer");
        boolean ok = false;
        try {
            VerifyingInputStream verified = VerifyingInputStream.verify(source, descriptor);
            MessageDigest uncompressed =
                    Digests.forStream(diffId == null ? DigestAlgorithm.SHA256 : diffId.algorithm());
            // Uncompressed out, the file holds the very bytes the diffID is computed over: one SHA-256 for both.
            boolean same = to == Compression.NONE && (diffId == null || diffId.algorithm() == DigestAlgorithm.SHA256);
            MessageDigest written = same ? null : Digests.forStream(DigestAlgorithm.SHA256);
            CountingOutputStream counting;
            try (OutputStream fileOut = Files.newOutputStream(file);
                    OutputStream digesting = same
                            ? new BufferedOutputStream(fileOut, 1 << 16)
                            : new DigestOutputStream(new BufferedOutputStream(fileOut, 1 << 16), written)) {
                counting = new CountingOutputStream(digesting);
                try (OutputStream compressed = compress(new NonClosingOutputStream(counting), to)) {
                    InputStream plain;
                    try {
                        // The decompressor must not close the source: the rest of it is verified below.
                        plain = decompress(
                                new FilterInputStream(verified) {
                                    @Override
                                    public void close() {
                                        // left open on purpose
                                    }
                                },
                                from);
                    } catch (ZipException e) {
                        throw new CorruptImageException(
                                "layer " + descriptor.digest() + " is not " + from
                                        + "-compressed as its media type says: " + e.getMessage(),
                                e);
                    }
                    try (DigestInputStream hashing = new DigestInputStream(plain, uncompressed)) {
                        hashing.transferTo(compressed);
                    } catch (ZipException e) {
                        throw new CorruptImageException(
                                "layer " + descriptor.digest() + " does not decompress: " + e.getMessage(), e);
                    }
                }
                counting.flush();
            }
            verified.drainAndVerify();
            Digest actual = Digest.fromHash(
                    diffId == null ? DigestAlgorithm.SHA256 : diffId.algorithm(), uncompressed.digest());
            if (diffId != null) {
                if (!actual.equals(diffId)) {
                    throw new CorruptImageException("layer " + descriptor.digest() + " uncompresses to " + actual
                            + ", but the config's diffID is " + diffId);
                }
            }
            Spooled spooled = new Spooled(
                    file,
                    same ? actual : Digest.fromHash(DigestAlgorithm.SHA256, written.digest()),
                    counting.count(),
                    actual);
            ok = true;
            return spooled;
        } finally {
            if (!ok) {
                TempFiles.delete(file);
            }
        }
    }
}
