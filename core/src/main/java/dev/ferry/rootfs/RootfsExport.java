package dev.ferry.rootfs;

import dev.ferry.model.InspectedImage;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.support.NonClosingOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The export use case: an image's root filesystem as one tar stream, with linuxkit's options
 * ({@link ExportOptions}). Callable from Java; {@code ferry export} parses its arguments and calls it. The caller
 * owns the output: it writes to a file atomically and removes it when this throws.
 */
public final class RootfsExport {
    private RootfsExport() {}

    /**
     * Writes the root filesystem of {@code image}, read from {@code source}, to {@code out} (not closed): the
     * layers are flattened without extracting anything, each checked against its digest and diffID.
     *
     * @param tmpDir where the flattening index and a decompressed base layer may go, or null to keep the index on
     *     the heap
     * @param maxLayerSize the most bytes a layer may decompress to ({@link LayerLimit#DEFAULT})
     */
    public static void write(
            ImageSource source,
            InspectedImage image,
            ExportOptions options,
            OutputStream out,
            Path tmpDir,
            long maxLayerSize)
            throws IOException {
        try (TarRootfsWriter tar = new TarRootfsWriter(out)) {
            ExportFilter filter = new ExportFilter(options, tar);
            Flattener.flatten(source, image, filter, tmpDir, maxLayerSize);
            filter.finish();
        }
    }

    /**
     * Filters a root filesystem tar made elsewhere (a container's {@code docker export}) through {@code options}
     * into {@code out} (not closed). With no option that changes anything, the tar is copied as it is (its
     * structure checked).
     */
    public static void filter(InputStream rootfsTar, ExportOptions options, OutputStream out) throws IOException {
        if (options.equals(ExportOptions.none())) {
            // nothing to change: the tar's own bytes, its structure checked as they pass ({@link TarCopy})
            BufferedOutputStream buffered = new BufferedOutputStream(new NonClosingOutputStream(out), 1 << 18);
            TarCopy.copy(rootfsTar, buffered);
            buffered.flush();
            return;
        }
        try (TarRootfsWriter tar = new TarRootfsWriter(out)) {
            ExportFilter filter = new ExportFilter(options, tar);
            TarReader in = new TarReader(rootfsTar);
            for (TarArchiveEntry e = in.next(); e != null; e = in.next()) {
                filter.write(e, Entries.isRegular(e) ? in.content() : null);
            }
            filter.finish();
        }
    }
}
