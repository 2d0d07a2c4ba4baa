package dev.ferry.model;

import java.util.List;
import java.util.stream.IntStream;

/**
 * One image, resolved and read: the top-level manifest as stored, the manifest of the image chosen from it
 * (the same bytes when the top is not an index), and the config, verified.
 *
 * @param top the top-level manifest or index, as stored
 * @param manifest the chosen image's manifest bytes
 * @param image the parsed manifest
 * @param configBytes the config, exactly as stored, verified against the manifest
 * @param config the parsed config
 */
public record InspectedImage(
        ManifestBytes top, ManifestBytes manifest, ImageManifest image, byte[] configBytes, ImageConfig config) {

    /**
     * A layer with its diffID.
     *
     * @param descriptor the layer blob
     * @param diffId the digest of its uncompressed tar, from the config, or null if the config lacks it
     */
    public record Layer(Descriptor descriptor, Digest diffId) {}

    /** The layers, each paired with its diffID from the config's {@code rootfs.diff_ids}. */
    public List<Layer> layers() {
        List<Digest> diffIds = config.diffIds();
        return IntStream.range(0, image.layers().size())
                .mapToObj(i -> new Layer(image.layers().get(i), i < diffIds.size() ? diffIds.get(i) : null))
                .toList();
    }
}
