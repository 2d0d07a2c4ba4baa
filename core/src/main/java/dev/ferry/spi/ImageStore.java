package dev.ferry.spi;

import dev.ferry.model.Digest;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Optional capability of an {@link ImageReference} whose image lives in a store of several (a registry repository,
 * a layout, an archive): the store lists the references it holds. A transport whose references implement it
 * declares {@link Capabilities#list()}.
 *
 * <p>Contract: listing does not read blobs, and changes nothing. Each reference returned parses back
 * ({@link Transport#parse}) to an equal reference, names exactly one image, and opens with
 * {@link ImageReference#openSource}. The tag, ref or digest of the reference listed from is ignored: the whole store
 * is listed.
 */
public interface ImageStore extends ImageReference {
    /**
     * The store's name as tools print it: a registry repository {@code HOST/NAME} (skopeo's {@code Repository}), a
     * layout's or archive's path.
     */
    String storeName();

    /**
     * The references the store holds, in the store's order (a registry's tags as its {@code tags/list} pages give
     * them, every page; a layout's {@code index.json} order).
     *
     * @throws ImageNotFoundException if there is no store at this reference
     * @throws FerryException for other failures, with a message for the user
     */
    List<ImageStore> list(OpenContext context) throws IOException;

    /**
     * The name of this reference's image within its store: a registry tag (or digest), a layout's ref; null when the
     * reference names none.
     */
    String refName();

    /**
     * The digest of the top-level manifest this reference names, read at the least cost the store allows (a
     * registry answers a {@code HEAD}), or empty when the store has no image at this reference. Blobs are never
     * read. The default opens the image.
     */
    default Optional<Digest> manifestDigest(OpenContext context) throws IOException {
        try (ImageSource source = openSource(context)) {
            return Optional.of(source.manifest().digest());
        } catch (ImageNotFoundException e) {
            return Optional.empty();
        }
    }
}
