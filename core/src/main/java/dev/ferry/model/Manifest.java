package dev.ferry.model;

import java.util.Map;

/** A parsed manifest: either one image's manifest or an index of several. */
public sealed interface Manifest permits ImageManifest, ImageIndex {
    /** The media type, OCI or Docker. */
    String mediaType();

    /** The manifest's annotations, never null. */
    Map<String, String> annotations();
}
