package dev.ferry.engine;

import dev.ferry.model.Descriptor;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.LinkingSink;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.OperationNotSupportedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies an image from any source to any sink. Every blob streams once, verified (size and digest) while it
 * passes; blobs the sink already has are skipped; manifests are written after their blobs, the top-level one
 * last, and nothing is visible at the destination until the sink commits. Memory stays flat whatever the
 * image's size: only manifests and configs are held.
 *
 * <p>When asked ({@link CopyOptions#format()}, {@link CopyOptions#compression()}), or when the sink does not take
 * the source's manifest format or layer compression, the image is converted on the way: manifest and config
 * between OCI and Docker v2s2, layers recompressed (each layer is then spooled once to a temporary file, since
 * its new digest must be known before it is stored), except a gzip layer in a file that the sink takes
 * uncompressed: its digest is the diffID, its size the gzip trailer's, and it streams, inflated, into the sink; if
 * it turns out of another size (a multi-member gzip, over 4 GiB), the sink is discarded and the copy made again
 * with the size measured (the listener is told to take back what the discarded attempt reported: {@link
 * CopyListener#attemptDiscarded}). DiffIDs never change, and are checked while converting.
 *
 * <p>The parts, each with its own tests: {@link ConversionPlanner} decides formats and compressions,
 * {@link ImageConverter} converts, {@link BlobTransfer} moves and verifies one blob, {@link BlobScheduler} runs
 * transfers in parallel, and {@link ImageCopy} walks one copy.
 */
public final class CopyEngine {

    /**
     * Opens the source of a copy, once the sink is open, with the context it should use: the options'
     * {@linkplain CopyOptions#sourceContext() source context}, with a scratch folder on the destination's filesystem
     * when the user chose none.
     */
    @FunctionalInterface
    public interface SourceOpener {
        ImageSource open(OpenContext context) throws IOException;
    }

    /**
     * Copies {@code from} to {@code to}.
     *
     * @throws dev.ferry.spi.FerryException with a message for the user on any failure; the destination is then as it
     *     was
     */
    public CopyResult copy(ImageReference from, ImageReference to, CopyOptions options, CopyListener listener)
            throws IOException {
        checkWrites(to);
        if (!from.transport().capabilities().read()) {
            throw new OperationNotSupportedException(from.transport().name(), "read images");
        }
        return copy(from::openSource, to, options, listener);
    }

    /**
     * Copies the image {@code opener} opens to {@code to}. The sink is opened first: when the user chose no
     * temporary folder and the sink offers a scratch folder on its filesystem ({@link LinkingSink}), the source
     * gets that one, so that what it spools there (a daemon's save, a built layer) is linked, not copied.
     */
    public CopyResult copy(SourceOpener opener, ImageReference to, CopyOptions options, CopyListener listener)
            throws IOException {
        return copy(opener, to, options, listener, new BlobScheduler(options.jobs()));
    }

    /** As {@link #copy(SourceOpener, ImageReference, CopyOptions, CopyListener)}, blobs run on {@code scheduler}. */
    CopyResult copy(
            SourceOpener opener, ImageReference to, CopyOptions options, CopyListener listener, BlobScheduler scheduler)
            throws IOException {
        return copy(opener, to, options, listener, scheduler, null);
    }

    /**
     * As above, skipping the blobs {@code known} says the destination's store holds, and telling it what this copy
     * committed (null: none).
     */
    CopyResult copy(
            SourceOpener opener,
            ImageReference to,
            CopyOptions options,
            CopyListener listener,
            BlobScheduler scheduler,
            StoreBlobs known)
            throws IOException {
        StreamedLayers streamed = StreamedLayers.first();
        while (true) {
            Attempt attempt = new Attempt(listener);
            try (ImageSink sink = openSink(to, options)) {
                OpenContext context = options.sourceContext();
                if (sink instanceof LinkingSink linking) {
                    Path scratch = linking.scratchDirectory();
                    if (scratch != null) {
                        context = context.withDefaultTmpDir(scratch);
                    }
                }
                if (options.compression() == Compression.GZIP) {
                    context = context.withOption(ImageSource.COMPRESS_HINT, "gzip"); // gzip while a save streams
                }
                try (ImageSource source = opener.open(context)) {
                    return new ImageCopy(source, sink, options, attempt, scheduler, known, streamed).run();
                }
            } catch (IOException | RuntimeException e) {
                if (!streamed.needsRetry()) {
                    throw e;
                }
                streamed = retry(streamed, to, attempt);
            }
        }
    }

    /**
     * The layers to stream in the next attempt, after one that met a layer of another size than its gzip trailer
     * gives, and failed (its sink is closed: nothing of it at the destination). One attempt more at most: it knows the
     * sizes it needs ({@link StreamedLayers#needsRetry()} is false for it).
     */
    private static StreamedLayers retry(StreamedLayers streamed, ImageReference to, Attempt attempt) {
        attempt.discard();
        attempt.listener.note("a gzip layer's trailer did not give its size (a multi-member gzip, or over 4 GiB):"
                + " writing " + to.displayName() + " again with the size measured");
        return streamed.retry();
    }

    /**
     * The listener for one attempt of a copy: passes everything on and counts the bytes of progress, so that a
     * discarded attempt can tell the listener what to take back; once discarded, it passes nothing more on (a blob
     * of it still winding down). Progress, called for every chunk of every blob from every copying thread, takes
     * no lock (one monitor for it made a push of 881 MB 0.4 s slower): an atomic count and a flag. The attempt is
     * discarded once its copy has failed and its tasks have ended, so no progress of it races the take-back.
     */
    private static final class Attempt implements CopyListener {
        final CopyListener listener;
        private final AtomicLong bytes = new AtomicLong();
        private volatile boolean discarded;

        Attempt(CopyListener listener) {
            this.listener = listener;
        }

        /** Tells the listener to take back what this attempt reported. */
        synchronized void discard() {
            discarded = true;
            listener.attemptDiscarded(bytes.get());
        }

        @Override
        public synchronized void blobStarted(Descriptor blob) {
            if (!discarded) {
                listener.blobStarted(blob);
            }
        }

        @Override
        public void blobProgress(Descriptor blob, long n) {
            if (!discarded) {
                bytes.addAndGet(n);
                listener.blobProgress(blob, n);
            }
        }

        @Override
        public synchronized void blobDone(Descriptor blob, boolean skipped) {
            if (!discarded) {
                listener.blobDone(blob, skipped);
            }
        }

        @Override
        public synchronized void blobFinished(Descriptor blob, Outcome outcome) {
            if (!discarded) {
                listener.blobFinished(blob, outcome);
            }
        }

        @Override
        public synchronized void note(String message) {
            if (!discarded) {
                listener.note(message);
            }
        }

        @Override
        public void attemptDiscarded(long n) {
            listener.attemptDiscarded(n);
        }
    }

    /**
     * Copies the image {@code source} serves (which the caller closes) to {@code to}: for images that are not
     * behind a reference, such as one being built.
     */
    public CopyResult copy(ImageSource source, ImageReference to, CopyOptions options, CopyListener listener)
            throws IOException {
        StreamedLayers streamed = StreamedLayers.first();
        while (true) {
            Attempt attempt = new Attempt(listener);
            try (ImageSink sink = openSink(to, options)) {
                return new ImageCopy(source, sink, options, attempt, new BlobScheduler(options.jobs()), null, streamed)
                        .run();
            } catch (IOException | RuntimeException e) {
                if (!streamed.needsRetry()) {
                    throw e;
                }
                streamed = retry(streamed, to, attempt);
            }
        }
    }

    private static ImageSink openSink(ImageReference to, CopyOptions options) throws IOException {
        checkWrites(to);
        return to.openSink(options.destinationContext());
    }

    private static void checkWrites(ImageReference to) throws OperationNotSupportedException {
        if (!to.transport().capabilities().write()) {
            throw new OperationNotSupportedException(to.transport().name(), "write images");
        }
    }
}
