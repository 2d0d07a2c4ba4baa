package dev.ferry.transport.oci;

import static java.util.Objects.requireNonNull;

import dev.ferry.model.Digest;
import dev.ferry.spi.DeletableImage;
import dev.ferry.spi.GarbageCollectable;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code PATH[:REF]}: a layout (a directory or an archive) and optionally the
 * {@code org.opencontainers.image.ref.name} of one of its images. Split at the first colon, so PATH cannot hold
 * one, as with skopeo.
 */
final class LayoutReference implements ImageStore, DeletableImage, GarbageCollectable {
    /** The ref grammar of the OCI image spec's {@code org.opencontainers.image.ref.name} annotation. */
    private static final Pattern REF = Pattern.compile(
            "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*");

    private final LayoutTransport transport;
    private final String pathText;
    private final String ref;

    private LayoutReference(LayoutTransport transport, String pathText, String ref) {
        this.transport = transport;
        this.pathText = pathText;
        this.ref = ref;
    }

    static LayoutReference parse(LayoutTransport transport, String text) throws InvalidReferenceException {
        requireNonNull(text, "text is null");
        String full = transport.name() + ":" + text;
        int colon = text.indexOf(':');
        String path = colon < 0 ? text : text.substring(0, colon);
        String ref = colon < 0 ? null : text.substring(colon + 1);
        if (path.isBlank()) {
            throw new InvalidReferenceException(full, "the path is empty", "write " + transport.syntax());
        }
        if (path.indexOf('\0') >= 0) {
            throw new InvalidReferenceException(full, "the path holds a NUL character", null);
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidReferenceException(full, "the path holds a control character", null);
        }
        try {
            Path.of(path);
        } catch (InvalidPathException e) {
            throw new InvalidReferenceException(full, "invalid path: " + e.getReason(), null);
        }
        if (ref != null && !REF.matcher(ref).matches()) {
            throw new InvalidReferenceException(
                    full,
                    "\"" + ref + "\" is not a valid image ref name",
                    "a ref is letters and digits separated by one of - . _ : @ + or by / (for example latest,"
                            + " v1.2, library/app:1.0)");
        }
        return new LayoutReference(transport, path, ref);
    }

    @Override
    public LayoutTransport transport() {
        return transport;
    }

    /** The layout's path, absolute. */
    Path path() {
        return Path.of(pathText).toAbsolutePath().normalize();
    }

    /** The ref name, or null when the reference names none. */
    @Override
    public String refName() {
        return ref;
    }

    /** The ref name, or null when the reference names none. */
    String ref() {
        return ref;
    }

    @Override
    public String stringWithinTransport() {
        return ref == null ? pathText : pathText + ":" + ref;
    }

    @Override
    public ImageSource openSource(OpenContext context) throws IOException {
        return transport.openSource(this);
    }

    @Override
    public ImageSink openSink(OpenContext context) throws IOException {
        return transport.openSink(this);
    }

    /** The path as the user wrote it. */
    String pathText() {
        return pathText;
    }

    /** The same layout's image {@code newRef}. */
    LayoutReference withRef(String newRef) {
        return new LayoutReference(transport, pathText, newRef);
    }

    @Override
    public String storeName() {
        return pathText;
    }

    @Override
    public List<ImageStore> list(OpenContext context) throws IOException {
        return transport.list(this);
    }

    @Override
    public Digest delete(OpenContext context) throws IOException {
        return transport.delete(this);
    }

    @Override
    public Result collectGarbage(OpenContext context) throws IOException {
        return transport.collectGarbage(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayoutReference other
                && other.transport.name().equals(transport.name())
                && other.pathText.equals(pathText)
                && Objects.equals(other.ref, ref);
    }

    @Override
    public int hashCode() {
        return Objects.hash(transport.name(), pathText, ref);
    }

    @Override
    public String toString() {
        return displayName();
    }
}
