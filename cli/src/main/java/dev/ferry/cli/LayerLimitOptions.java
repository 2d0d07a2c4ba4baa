package dev.ferry.cli;

import dev.ferry.rootfs.LayerLimit;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --max-layer-size}: the most bytes one layer may hold once decompressed, for the commands that
 * decompress layers (export, bundle, and build's check of its base). A layer past it stops the command with one
 * line naming the layer and the limit, before anything it made becomes visible.
 */
public class LayerLimitOptions {
    @Option(
            names = "--max-layer-size",
            paramLabel = "SIZE",
            converter = SizeConverter.class,
            description = "The most bytes one layer may hold uncompressed (K, M, G, T suffixes, powers of 1024; or"
                    + " unlimited). A layer past it fails the command: a small compressed layer that expands"
                    + " without end cannot fill the disk. Default: 16G.")
    long maxLayerSize = LayerLimit.DEFAULT;

    /** The limit, in bytes. */
    public long maxLayerSize() {
        return maxLayerSize;
    }

    /** Parses a size as {@link LayerLimit#parse} does. */
    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return LayerLimit.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
