package dev.ferry.engine;

import static java.util.Objects.requireNonNull;

import dev.ferry.model.ManifestFormat;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.model.Platform;
import dev.ferry.spi.OpenContext;
import java.util.Objects;

/**
 * How to copy: an immutable value, made from {@link #defaults()} and changed with the {@code with...} methods (so
 * that a setting added later has a default and no caller breaks).
 */
public final class CopyOptions {
    /** The default number of blobs copied at once. */
    public static final int DEFAULT_JOBS = 4;

    private final Platform platform;
    private final boolean allPlatforms;
    private final ManifestFormat format;
    private final Compression compression;
    private final OpenContext sourceContext;
    private final OpenContext destinationContext;
    private final boolean link;
    private final int jobs;

    private CopyOptions(
            Platform platform,
            boolean allPlatforms,
            ManifestFormat format,
            Compression compression,
            OpenContext sourceContext,
            OpenContext destinationContext,
            boolean link,
            int jobs) {
        this.platform = requireNonNull(platform, "platform is null");
        this.allPlatforms = allPlatforms;
        this.format = format;
        this.compression = compression;
        this.sourceContext = requireNonNull(sourceContext, "sourceContext is null");
        this.destinationContext = requireNonNull(destinationContext, "destinationContext is null");
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        }
        this.link = link;
        this.jobs = jobs;
    }

    /** The running machine's platform, no conversion asked, default settings on both sides, linking allowed. */
    public static CopyOptions defaults() {
        OpenContext context = OpenContext.defaults();
        return new CopyOptions(Platform.current(), false, null, null, context, context, true, DEFAULT_JOBS);
    }

    /** The platform whose image is taken from an index. */
    public Platform platform() {
        return platform;
    }

    /** Whether the whole index is copied instead. */
    public boolean allPlatforms() {
        return allPlatforms;
    }

    /** The manifest format to write, or null to keep the source's when the destination takes it. */
    public ManifestFormat format() {
        return format;
    }

    /** The layer compression to write, or null to keep the source's when the destination takes it. */
    public Compression compression() {
        return compression;
    }

    /** The user's settings for the source's transport. */
    public OpenContext sourceContext() {
        return sourceContext;
    }

    /** The user's settings for the destination's transport. */
    public OpenContext destinationContext() {
        return destinationContext;
    }

    /**
     * Whether a blob the source holds in a file may be hardlinked into the destination, where the sink can (same
     * filesystem), instead of copied; it is verified either way.
     */
    public boolean link() {
        return link;
    }

    /** How many blobs are copied at once (at least 1). */
    public int jobs() {
        return jobs;
    }

    public CopyOptions withLink(boolean newLink) {
        return new CopyOptions(
                platform, allPlatforms, format, compression, sourceContext, destinationContext, newLink, jobs);
    }

    public CopyOptions withJobs(int newJobs) {
        return new CopyOptions(
                platform, allPlatforms, format, compression, sourceContext, destinationContext, link, newJobs);
    }

    public CopyOptions withPlatform(Platform newPlatform) {
        return new CopyOptions(newPlatform, false, format, compression, sourceContext, destinationContext, link, jobs);
    }

    public CopyOptions withAllPlatforms() {
        return new CopyOptions(platform, true, format, compression, sourceContext, destinationContext, link, jobs);
    }

    public CopyOptions withFormat(ManifestFormat newFormat) {
        return new CopyOptions(
                platform, allPlatforms, newFormat, compression, sourceContext, destinationContext, link, jobs);
    }

    public CopyOptions withCompression(Compression newCompression) {
        return new CopyOptions(
                platform, allPlatforms, format, newCompression, sourceContext, destinationContext, link, jobs);
    }

    /** These options with {@code context} for both sides. */
    public CopyOptions withContext(OpenContext context) {
        return new CopyOptions(platform, allPlatforms, format, compression, context, context, link, jobs);
    }

    /** These options with {@code context} for the source. */
    public CopyOptions withSourceContext(OpenContext context) {
        return new CopyOptions(platform, allPlatforms, format, compression, context, destinationContext, link, jobs);
    }

    /** These options with {@code context} for the destination. */
    public CopyOptions withDestinationContext(OpenContext context) {
        return new CopyOptions(platform, allPlatforms, format, compression, sourceContext, context, link, jobs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CopyOptions c
                && c.platform.equals(platform)
                && c.allPlatforms == allPlatforms
                && c.format == format
                && c.compression == compression
                && c.sourceContext.equals(sourceContext)
                && c.destinationContext.equals(destinationContext)
                && c.link == link
                && c.jobs == jobs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(platform, allPlatforms, format, compression, sourceContext, destinationContext, link, jobs);
    }

    @Override
    public String toString() {
        return "CopyOptions[platform=" + platform + ", allPlatforms=" + allPlatforms + ", format=" + format
                + ", compression=" + compression + ", source=" + sourceContext + ", destination="
                + destinationContext + ", link=" + link + ", jobs=" + jobs + "]";
    }
}
