package dev.ferry.engine;

import static java.util.Objects.requireNonNull;

import dev.ferry.model.Platform;

/**
 * How to copy: which images of an index to take.
 *
 * @param platform the platform whose image is taken from an index
 * @param allPlatforms whether to copy the whole index instead
 */
public record CopyOptions(Platform platform, boolean allPlatforms) {
    public CopyOptions {
        requireNonNull(platform, "platform is null");
    }

    /** The running machine's platform. */
    public static CopyOptions defaults() {
        return new CopyOptions(Platform.current(), false);
    }

    public CopyOptions withPlatform(Platform newPlatform) {
        return new CopyOptions(newPlatform, false);
    }

    public CopyOptions withAllPlatforms() {
        return new CopyOptions(platform, true);
    }
}
