package dev.ferry.spi;

import java.util.List;

/**
 * A way to reach images: a storage format or a daemon. Found with {@link java.util.ServiceLoader}; an
 * implementation needs a public no-argument constructor and must be cheap to construct (no I/O).
 *
 * <p>A reference is written {@code name:rest}: Ferry splits the user's text at the first colon, finds the
 * transport with that {@link #name()} and hands it {@code rest}.
 */
public interface Transport {
    /**
     * The prefix of this transport's references, for example {@code oci}: lowercase letters, digits and
     * {@code -}. Names are unique; two transports with one name is a configuration error.
     */
    String name();

    /**
     * Parses the part of a reference after {@code name:}. Parsing does no I/O: a reference to something that does
     * not exist parses, and opening it fails.
     *
     * @param reference the text after the transport prefix
     * @return an immutable reference whose {@link ImageReference#stringWithinTransport()} parses back to an
     *     equal reference
     * @throws InvalidReferenceException if the text is not valid syntax for this transport
     */
    ImageReference parse(String reference) throws InvalidReferenceException;

    /** What this transport can do. The default is read and write of single images. */
    default Capabilities capabilities() {
        return Capabilities.READ_WRITE;
    }

    /**
     * The options this transport reads from its {@link OpenContext} (none by default). Front ends offer each one
     * without knowing the transport: {@code ferry} as {@code --NAME}, {@code --src-NAME} and {@code --dest-NAME}.
     */
    default List<TransportOption> options() {
        return List.of();
    }

    /** One line on the reference syntax, for {@code ferry transports} and error messages. */
    default String syntax() {
        return name() + ":...";
    }
}
