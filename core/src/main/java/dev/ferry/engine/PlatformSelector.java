package dev.ferry.engine;

import dev.ferry.model.Descriptor;
import dev.ferry.model.ImageIndex;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.Platform;
import dev.ferry.spi.FerryException;
import java.util.List;
import java.util.Objects;

/** Picks one image of an index for a platform. */
public final class PlatformSelector {
    private PlatformSelector() {}

    /**
     * The first entry of {@code index} that is an image for {@code wanted}; an exact variant match is preferred.
     *
     * @throws FerryException if no entry matches, listing the platforms there are
     */
    public static Descriptor select(ImageIndex index, Platform wanted, String where) throws FerryException {
        List<Descriptor> images = index.manifests().stream()
                .filter(d -> MediaTypes.isImageManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType()))
                .toList();
        for (Descriptor d : images) {
            if (d.platform() != null
                    && d.platform().matches(wanted)
                    && Objects.equals(d.platform().variant(), wanted.variant())) {
                return d;
            }
        }
        for (Descriptor d : images) {
            if (d.platform() != null && d.platform().matches(wanted)) {
                return d;
            }
        }
        List<String> available = images.stream()
                .map(d -> d.platform() == null ? "(no platform)" : d.platform().toString())
                .distinct()
                .toList();
        throw new FerryException(
                "no image for " + wanted + " in " + where + " (it has: "
                        + (available.isEmpty() ? "no images" : String.join(", ", available)) + ")",
                "pick one with --platform os/arch[/variant], or copy them all with --all");
    }
}
