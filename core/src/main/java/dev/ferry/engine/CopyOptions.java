package dev.ferry.engine;

import static java.util.Objects.requireNonNull;

import dev.ferry.model.ManifestFormat;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.model.Platform;
import dev.ferry.spi.OpenContext;

/**
 * How to copy.
 *
 * @param platform the platform whose image is taken from an index
 * @param allPlatforms whether to copy the whole index instead
 * @param format the manifest format to write, or null to keep the source's when the destination takes it
 * @param compression the layer compression to write, or null to keep the source's when the destination takes it
 * @param context the user's settings for the transports
 */
public record CopyOptions(Platform platform, boolean allPlatforms, ManifestFormat format, Compression compression,
                          OpenContext context) {
    public CopyOptions {
        requireNonNull(platform, "platform is null");
        requireNonNull(context, "context is null");
    }

    /** The running machine's platform, no conversion asked, default settings. */
    public static CopyOptions defaults() {
        return new CopyOptions(Platform.current(), false, null, null, OpenContext.defaults());
    }

    public CopyOptions withPlatform(Platform newPlatform) {
        return new CopyOptions(newPlatform, false, format, compression, context);
    }

    public CopyOptions withAllPlatforms() {
        return new CopyOptions(platform, true, format, compression, context);
    }

    public CopyOptions withFormat(ManifestFormat newFormat) {
        return new CopyOptions(platform, allPlatforms, newFormat, compression, context);
    }

    public CopyOptions withCompression(Compression newCompression) {
        return new CopyOptions(platform, allPlatforms, format, newCompression, context);
    }

    public CopyOptions withContext(OpenContext newContext) {
        return new CopyOptions(platform, allPlatforms, format, compression, newContext);
    }
}
