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
 * @param link whether a blob the source holds in a file may be hardlinked into the destination, where the sink can
 *     (same filesystem), instead of copied; it is verified either way
 * @param jobs how many blobs to copy at once (at least 1)
 */
public record CopyOptions(
        Platform platform,
        boolean allPlatforms,
        ManifestFormat format,
        Compression compression,
        OpenContext context,
        boolean link,
        int jobs) {
    /** The default number of blobs copied at once. */
    public static final int DEFAULT_JOBS = 4;

    public CopyOptions {
        requireNonNull(platform, "platform is null");
        requireNonNull(context, "context is null");
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        }
    }

    public CopyOptions(
            Platform platform,
            boolean allPlatforms,
            ManifestFormat format,
            Compression compression,
            OpenContext context) {
        this(platform, allPlatforms, format, compression, context, true, DEFAULT_JOBS);
    }

    /** The running machine's platform, no conversion asked, default settings. */
    public static CopyOptions defaults() {
        return new CopyOptions(Platform.current(), false, null, null, OpenContext.defaults());
    }

    public CopyOptions withLink(boolean newLink) {
        return new CopyOptions(platform, allPlatforms, format, compression, context, newLink, jobs);
    }

    public CopyOptions withJobs(int newJobs) {
        return new CopyOptions(platform, allPlatforms, format, compression, context, link, newJobs);
    }

    public CopyOptions withPlatform(Platform newPlatform) {
        return new CopyOptions(newPlatform, false, format, compression, context, link, jobs);
    }

    public CopyOptions withAllPlatforms() {
        return new CopyOptions(platform, true, format, compression, context, link, jobs);
    }

    public CopyOptions withFormat(ManifestFormat newFormat) {
        return new CopyOptions(platform, allPlatforms, newFormat, compression, context, link, jobs);
    }

    public CopyOptions withCompression(Compression newCompression) {
        return new CopyOptions(platform, allPlatforms, format, newCompression, context, link, jobs);
    }

    public CopyOptions withContext(OpenContext newContext) {
        return new CopyOptions(platform, allPlatforms, format, compression, newContext, link, jobs);
    }
}
