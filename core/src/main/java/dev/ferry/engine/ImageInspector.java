package dev.ferry.engine;

import dev.ferry.model.Descriptor;
import dev.ferry.model.ImageConfig;
import dev.ferry.model.ImageIndex;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.Manifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.Platform;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.IOException;

/** Reads an image's manifest and config from a source, verified, choosing one image of an index. */
public final class ImageInspector {
    /** The largest config Ferry reads into memory. Configs are JSON of a few KiB; this is generous. */
    public static final int MAX_CONFIG_SIZE = 16 * 1024 * 1024;

    /**
     * Inspects the image at {@code source}; from an index, the one for {@code platform}.
     *
     * @throws dev.ferry.spi.FerryException with a message for the user
     */
    public InspectedImage inspect(ImageSource source, Platform platform) throws IOException {
        ManifestBytes top = source.manifest();
        ManifestBytes chosen = top;
        Manifest parsed = ImageCopy.parse(top, source.reference());
        while (parsed instanceof ImageIndex index) {
            Descriptor entry =
                    PlatformSelector.select(index, platform, source.reference().displayName());
            chosen = source.manifest(entry.digest());
            if (!chosen.matches(entry)) {
                throw new DigestMismatchException(entry.digest(), chosen.digest(), entry.size(), chosen.size());
            }
            parsed = ImageCopy.parse(chosen, source.reference());
        }
        ImageManifest image = (ImageManifest) parsed;
        byte[] configBytes = readConfig(source, image.config());
        ImageConfig config = parseConfig(source, image.config(), configBytes);
        return new InspectedImage(top, chosen, image, configBytes, config);
    }

    /** Reads a config blob whole, verified. */
    public static byte[] readConfig(ImageSource source, Descriptor config) throws IOException {
        if (config.size() > MAX_CONFIG_SIZE) {
            throw new CorruptImageException(
                    "config " + config.digest() + " of " + source.reference().displayName() + " claims " + config.size()
                            + " bytes, more than the " + MAX_CONFIG_SIZE + " Ferry accepts");
        }
        try (BlobStream blob = source.blob(config);
                VerifyingInputStream in = VerifyingInputStream.verify(blob.stream(), config)) {
            byte[] bytes = in.readNBytes((int) config.size() + 1);
            if (!in.verified()) {
                in.drainAndVerify();
            }
            return bytes;
        }
    }

    /**
     * Parses {@code bytes}, the config blob {@code config} of {@code source} as {@link #readConfig} read it.
     *
     * @throws CorruptImageException if they are not a valid image config
     */
    static ImageConfig parseConfig(ImageSource source, Descriptor config, byte[] bytes) throws CorruptImageException {
        try {
            return ImageConfig.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException(
                    "config " + config.digest() + " of " + source.reference().displayName() + " is malformed: "
                            + e.getMessage(),
                    e);
        }
    }
}
