package dev.ferry.spi;

import java.util.List;

/** A sink was given a manifest of a media type it does not store. */
public class UnsupportedManifestException extends FerryException {
    private final String mediaType;
    private final List<String> supported;

    public UnsupportedManifestException(String destination, String mediaType, List<String> supported) {
        super(
                destination + " does not store manifests of type " + mediaType + " (it stores: "
                        + String.join(", ", supported) + ")",
                "choose a destination transport that stores " + mediaType);
        this.mediaType = mediaType;
        this.supported = List.copyOf(supported);
    }

    public String mediaType() {
        return mediaType;
    }

    public List<String> supported() {
        return supported;
    }
}
