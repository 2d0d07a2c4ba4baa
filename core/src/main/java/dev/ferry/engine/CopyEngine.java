package dev.ferry.engine;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageIndex;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.Manifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OperationNotSupportedException;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * Copies an image from any source to any sink. Every blob streams once, verified (size and digest) while it
 * passes; blobs the sink already has are skipped; manifests are written after their blobs, the top-level one
 * last, and nothing is visible at the destination until the sink commits. Memory stays flat whatever the
 * image's size: only manifests are held.
 */
public final class CopyEngine {

    /**
     * Copies {@code from} to {@code to}.
     *
     * @throws FerryException with a message for the user on any failure; the destination is then as it was
     */
    public CopyResult copy(ImageReference from, ImageReference to, CopyOptions options, CopyListener listener)
            throws IOException {
        if (!to.transport().capabilities().write()) {
            throw new OperationNotSupportedException(to.transport().name(), "write images");
        }
        if (!from.transport().capabilities().read()) {
            throw new OperationNotSupportedException(from.transport().name(), "read images");
        }
        try (ImageSource source = from.openSource(); ImageSink sink = to.openSink()) {
            Run run = new Run(source, sink, listener);
            ManifestBytes top = source.manifest();
            ManifestBytes written;
            if (top.isIndex()) {
                ImageIndex index = parseIndex(top, from);
                if (options.allPlatforms()) {
                    if (!to.transport().capabilities().multiImage()) {
                        throw new OperationNotSupportedException(to.transport().name(),
                                "store an image index (--all); pick one image with --platform");
                    }
                    requireSupported(sink, top);
                    run.copyIndexChildren(index);
                    sink.putManifest(top);
                    written = top;
                } else {
                    Descriptor chosen = PlatformSelector.select(index, options.platform(), from.displayName());
                    ManifestBytes child = run.childManifest(chosen);
                    if (child.isIndex()) {
                        throw new CorruptImageException("index " + top.digest() + " of " + from.displayName()
                                + " lists another index for " + options.platform());
                    }
                    written = run.copyImage(child);
                }
            } else {
                written = run.copyImage(top);
            }
            sink.commit();
            return new CopyResult(written.digest(), written.mediaType(), run.copied, run.skipped, run.bytes);
        }
    }

    private static ImageIndex parseIndex(ManifestBytes bytes, ImageReference where) throws CorruptImageException {
        return (ImageIndex) parse(bytes, where);
    }

    static Manifest parse(ManifestBytes bytes, ImageReference where) throws CorruptImageException {
        try {
            return bytes.parse();
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException("manifest " + bytes.digest() + " of " + where.displayName()
                    + " is malformed: " + e.getMessage(), e);
        }
    }

    private static void requireSupported(ImageSink sink, ManifestBytes manifest) throws UnsupportedManifestException {
        if (!sink.supportedManifestTypes().contains(manifest.mediaType())) {
            throw new UnsupportedManifestException(sink.reference().displayName(), manifest.mediaType(),
                    sink.supportedManifestTypes());
        }
    }

    /** The state of one copy. */
    private static final class Run {
        private final ImageSource source;
        private final ImageSink sink;
        private final CopyListener listener;
        private final Set<Digest> done = new HashSet<>();
        int copied;
        int skipped;
        long bytes;

        Run(ImageSource source, ImageSink sink, CopyListener listener) {
            this.source = source;
            this.sink = sink;
            this.listener = listener;
        }

        ManifestBytes childManifest(Descriptor entry) throws IOException {
            ManifestBytes child = source.manifest(entry.digest());
            if (!child.matches(entry)) {
                throw new DigestMismatchException(entry.digest(), child.digest(), entry.size(), child.size());
            }
            if (!child.mediaType().equals(entry.mediaType())) {
                throw new CorruptImageException("manifest " + entry.digest() + " of "
                        + source.reference().displayName() + " is " + child.mediaType() + " but its index says "
                        + entry.mediaType());
            }
            return child;
        }

        void copyIndexChildren(ImageIndex index) throws IOException {
            for (Descriptor entry : index.manifests()) {
                ManifestBytes child = childManifest(entry);
                requireSupported(sink, child);
                if (child.isIndex()) {
                    copyIndexChildren(parseIndex(child, source.reference()));
                } else {
                    copyBlobs((ImageManifest) parse(child, source.reference()));
                }
                if (done.add(child.digest())) {
                    sink.putChildManifest(child);
                }
            }
        }

        ManifestBytes copyImage(ManifestBytes manifest) throws IOException {
            requireSupported(sink, manifest);
            Manifest parsed = parse(manifest, source.reference());
            if (!(parsed instanceof ImageManifest image)) {
                throw new CorruptImageException("expected an image manifest, got " + manifest.mediaType());
            }
            copyBlobs(image);
            sink.putManifest(manifest);
            return manifest;
        }

        private void copyBlobs(ImageManifest image) throws IOException {
            for (Descriptor blob : image.blobs()) {
                if (!done.add(blob.digest())) {
                    continue;
                }
                if (sink.hasBlob(blob)) {
                    skipped++;
                    listener.blobDone(blob, true);
                    continue;
                }
                copyBlob(blob);
            }
        }

        private void copyBlob(Descriptor blob) throws IOException {
            listener.blobStarted(blob);
            try (BlobStream stream = source.blob(blob)) {
                if (stream.size() >= 0 && stream.size() != blob.size()) {
                    throw new DigestMismatchException(blob.digest(), null, blob.size(), stream.size());
                }
                VerifyingInputStream verifying = VerifyingInputStream.verify(
                        new ProgressStream(stream.stream(), blob, listener), blob);
                sink.putBlob(blob, verifying);
                if (!verifying.verified()) {
                    throw new FerryException("transport " + sink.reference().transport().name()
                            + " stored blob " + blob.digest() + " without reading it whole",
                            "the transport breaks the ImageSink contract; report it to its author");
                }
            }
            copied++;
            bytes += blob.size();
            listener.blobDone(blob, false);
        }
    }

    /** Reports bytes read to a listener. */
    private static final class ProgressStream extends FilterInputStream {
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
}
