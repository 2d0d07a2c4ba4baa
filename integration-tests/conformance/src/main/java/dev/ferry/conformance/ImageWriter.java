package dev.ferry.conformance;

import dev.ferry.model.Descriptor;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.ImageSink;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The kit's own writer: puts a generated image (or index) into a sink through the SPI alone, in the order the
 * {@link ImageSink} Javadoc gives, calling a hook after each step so the kit can look at the store in between.
 */
final class ImageWriter {
    /** Called after each step of a write, with its name (for example {@code putBlob(layer 2 of 3)}). */
    interface Hook {
        Hook NONE = step -> {};

        void after(String step) throws IOException;
    }

    private ImageWriter() {}

    /** Names of the blobs of {@code image}, in the order they are put. */
    static List<String> stepNames(GeneratedImage image) {
        List<String> names = new ArrayList<>();
        List<Descriptor> blobs = image.blobs();
        for (int i = 0; i < blobs.size(); i++) {
            names.add(blobName(i, blobs.size()));
        }
        return names;
    }

    static String blobName(int i, int count) {
        return i == 0 ? "putBlob(config)" : "putBlob(layer " + i + " of " + (count - 1) + ")";
    }

    /** Puts every blob the sink does not have, one after the other, then the manifest; then commits. */
    static void write(GeneratedImage image, ImageSink sink, Hook hook) throws IOException {
        putBlobs(image, sink, hook, "");
        sink.putManifest(image.manifest());
        hook.after("putManifest");
        sink.commit();
        hook.after("commit");
    }

    static void putBlobs(GeneratedImage image, ImageSink sink, Hook hook, String prefix) throws IOException {
        List<Descriptor> blobs = image.blobs();
        for (int i = 0; i < blobs.size(); i++) {
            Descriptor blob = blobs.get(i);
            if (!sink.hasBlob(blob)) {
                try (InputStream in = image.open(blob.digest())) {
                    sink.putBlob(blob, in);
                }
            }
            hook.after(prefix + blobName(i, blobs.size()));
        }
    }

    /** Puts every blob from its own thread, all at once (the SPI allows it), then the manifest; commits. */
    static void writeConcurrently(GeneratedImage image, ImageSink sink) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Void>> puts = new ArrayList<>();
            for (Descriptor blob : image.blobs()) {
                puts.add(pool.submit(() -> {
                    try (InputStream in = image.open(blob.digest())) {
                        sink.putBlob(blob, in);
                    }
                    return null;
                }));
            }
            for (Future<Void> f : puts) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        sink.putManifest(image.manifest());
        sink.commit();
    }

    /** Writes an index: each child's blobs, each child manifest, then the index; commits. */
    static void writeIndex(ManifestBytes index, List<GeneratedImage> children, ImageSink sink, Hook hook)
            throws IOException {
        for (int c = 0; c < children.size(); c++) {
            putBlobs(children.get(c), sink, hook, "image " + (c + 1) + ": ");
        }
        for (int c = 0; c < children.size(); c++) {
            sink.putChildManifest(children.get(c).manifest());
            hook.after("putChildManifest(image " + (c + 1) + ")");
        }
        sink.putManifest(index);
        hook.after("putManifest(index)");
        sink.commit();
        hook.after("commit");
    }
}
