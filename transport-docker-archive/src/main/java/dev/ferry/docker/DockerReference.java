package dev.ferry.docker;

import static java.util.Objects.requireNonNull;

import dev.ferry.model.Digest;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.Transport;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image in Docker's naming: {@code NAME[:TAG]} (the tag defaults to {@code latest}), or an image ID
 * {@code @sha256:HEX}. Names follow the distribution reference grammar: an optional registry host (with port),
 * then lowercase path components.
 */
public final class DockerReference {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String HOST = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*"
            + "[a-zA-Z0-9])?)*(?::[0-9]+)?|localhost(?::[0-9]+)?)";
    private static final Pattern HOST_PATTERN = Pattern.compile(HOST);
    private static final Pattern COMPONENT_PATTERN = Pattern.compile(COMPONENT);
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    private final String name;
    private final String tag;
    private final Digest id;

    private DockerReference(String name, String tag, Digest id) {
        this.name = name;
        this.tag = tag;
        this.id = id;
    }

    /**
     * Parses {@code NAME[:TAG]} or {@code @sha256:HEX}.
     *
     * @throws IllegalArgumentException with the reason, if the text is neither
     */
    public static DockerReference parse(String text) {
        requireNonNull(text, "text is null");
        if (text.startsWith("@")) {
            try {
                return new DockerReference(null, null, Digest.parse(text.substring(1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not an image ID: " + e.getMessage());
            }
        }
        if (text.contains("@")) {
            throw new IllegalArgumentException(
                    "NAME@DIGEST references are not supported here; use NAME:TAG or" + " @sha256:ID");
        }
        int slash = text.lastIndexOf('/');
        int colon = text.lastIndexOf(':');
        String name = text;
        String tag = "latest";
        if (colon > slash) {
            name = text.substring(0, colon);
            tag = text.substring(colon + 1);
        }
        if (name.length() > 255 || !validName(name)) {
            throw new IllegalArgumentException("\"" + name + "\" is not a valid image name (lowercase letters,"
                    + " digits and separators, optionally after a registry host)");
        }
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("\"" + tag + "\" is not a valid tag");
        }
        return new DockerReference(name, tag, null);
    }

    /**
     * As Docker reads a name: the first component is a registry host only when it has a '.' or a ':' or is
     * {@code localhost}; every other component is lowercase.
     */
    private static boolean validName(String name) {
        String[] parts = name.split("/", -1);
        int first = 0;
        if (parts.length > 1 && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost"))) {
            if (!HOST_PATTERN.matcher(parts[0]).matches()) {
                return false;
            }
            first = 1;
        }
        for (int i = first; i < parts.length; i++) {
            if (!COMPONENT_PATTERN.matcher(parts[i]).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses the rest of a daemon transport's reference.
     *
     * @throws dev.ferry.spi.InvalidReferenceException naming the transport's syntax, when it does not parse
     */
    public static DockerReference parseFor(Transport transport, String text) throws InvalidReferenceException {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidReferenceException(
                    transport.name() + ":" + text, e.getMessage(), "write " + transport.syntax());
        }
    }

    /**
     * The tags a daemon sink records for this reference ({@code name:tag}).
     *
     * @throws dev.ferry.spi.FerryException for an image ID, which names an image that exists
     */
    public List<String> tagsToWrite(ImageReference where) throws FerryException {
        if (id != null) {
            throw new FerryException(
                    "cannot write to " + where.displayName() + ": an image ID names" + " an image that exists",
                    "write " + where.transport().name() + ":NAME:TAG");
        }
        return List.of(forDocker());
    }

    /** The image ID this reference names, if it is an ID. */
    public Optional<Digest> id() {
        return Optional.ofNullable(id);
    }

    /** The repository name, or null for an ID. */
    public String name() {
        return name;
    }

    /** The tag, or null for an ID. */
    public String tag() {
        return tag;
    }

    /** {@code name:tag}, or the ID. What {@code docker save} and {@code docker inspect} take. */
    public String forDocker() {
        return id != null ? id.toString() : name + ":" + tag;
    }

    /**
     * Whether a {@code RepoTags} entry of a {@code docker save} archive names this image. Docker writes short
     * names ({@code busybox:1}) for Docker Hub images; both forms match.
     */
    public boolean matchesRepoTag(String repoTag) {
        if (id != null || repoTag == null) {
            return false;
        }
        return shortForm(repoTag).equals(shortForm(forDocker()));
    }

    /** Docker's familiar form: Docker Hub's host and its {@code library/} namespace left out. */
    private static String shortForm(String reference) {
        String r = reference;
        for (String host : new String[] {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
            if (r.startsWith(host)) {
                r = r.substring(host.length());
                break;
            }
        }
        int slash = r.indexOf('/');
        boolean onHub = slash < 0 || !isHost(r.substring(0, slash));
        if (onHub && r.startsWith("library/") && r.indexOf('/', "library/".length()) < 0) {
            r = r.substring("library/".length());
        }
        return r;
    }

    private static boolean isHost(String component) {
        return component.contains(".") || component.contains(":") || component.equals("localhost");
    }

    /** As written: {@code name:tag} or {@code @sha256:...}. */
    @Override
    public String toString() {
        return id != null ? "@" + id : name + ":" + tag;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DockerReference other
                && Objects.equals(other.name, name)
                && Objects.equals(other.tag, tag)
                && Objects.equals(other.id, id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, tag, id);
    }
}
