package dev.ferry.transport.registry;

import static java.util.Objects.requireNonNull;

import dev.ferry.model.Digest;
import dev.ferry.spi.DeletableImage;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code //[HOST[:PORT]/]NAME[:TAG|@DIGEST]}: an image in a registry, normalized as Docker does. No host means
 * {@value #DOCKER_HUB}; a one-component name there means {@code library/NAME}; neither tag nor digest means
 * {@code latest}. The first component of the name is a host only when it holds a {@code .} or a {@code :}, or is
 * {@code localhost}. Immutable; equal references print the same.
 */
public final class RegistryReference implements ImageStore, DeletableImage {
    /** The registry of references that name none. */
    public static final String DOCKER_HUB = "docker.io";
    /** Where {@value #DOCKER_HUB} answers the registry API. */
    static final String DOCKER_HUB_ENDPOINT = "registry-1.docker.io";

    static final String DEFAULT_TAG = "latest";

    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern DOMAIN_COMPONENT = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?");
    private static final Pattern HOST = Pattern.compile("(?:" + DOMAIN_COMPONENT.pattern() + "(?:\\."
            + DOMAIN_COMPONENT.pattern() + ")*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final int MAX_NAME = 255;

    private final RegistryTransport transport;
    private final String registry;
    private final String repository;
    private final String tag;
    private final Digest digest;

    private RegistryReference(
            RegistryTransport transport, String registry, String repository, String tag, Digest digest) {
        this.transport = requireNonNull(transport, "transport is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.repository = requireNonNull(repository, "repository is null");
        this.tag = tag;
        this.digest = digest;
    }

    /**
     * Parses the text after {@code docker:}.
     *
     * @throws InvalidReferenceException if it is not {@code //NAME[:TAG|@DIGEST]} with a valid name
     */
    static RegistryReference parse(RegistryTransport transport, String text) throws InvalidReferenceException {
        requireNonNull(text, "text is null");
        String full = transport.name() + ":" + text;
        String hint = "write " + transport.syntax() + ", for example docker://registry.example:5000/team/app:1.0";
        if (!text.startsWith("//")) {
            throw new InvalidReferenceException(full, "a registry reference starts with //", hint);
        }
        String rest = text.substring(2);
        if (rest.isEmpty()) {
            throw new InvalidReferenceException(full, "the image name is empty", hint);
        }
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String digestText = rest.substring(at + 1);
            digest = Digest.tryParse(digestText)
                    .orElseThrow(() -> new InvalidReferenceException(
                            full,
                            "\"" + digestText + "\" is not a digest",
                            "a digest is sha256: and 64 lowercase hex characters"));
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new InvalidReferenceException(
                        full,
                        "\"" + tag + "\" is not a valid tag",
                        "a tag is up to 128 letters, digits, _ . and -, not starting with . or -");
            }
        }
        if (tag != null && digest != null) {
            throw new InvalidReferenceException(
                    full,
                    "a reference with both a tag and a digest is not supported",
                    "keep one: NAME:TAG or NAME@DIGEST");
        }
        String registry = DOCKER_HUB;
        String name = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (isHost(first)) {
                if (!HOST.matcher(first).matches()) {
                    throw new InvalidReferenceException(full, "\"" + first + "\" is not a valid registry host", hint);
                }
                registry = first;
                name = rest.substring(slash + 1);
            }
        }
        if (registry.equals("index.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (!NAME.matcher(name).matches()) {
            String reason = name.isEmpty()
                    ? "the image name is empty"
                    : !name.equals(name.toLowerCase(Locale.ROOT))
                            ? "repository name \"" + name + "\" must be lowercase"
                            : "\"" + name + "\" is not a valid repository name";
            throw new InvalidReferenceException(
                    full,
                    reason,
                    "a name is lowercase letters and digits, separated by"
                            + " . _ __ - within a component and / between components");
        }
        if (registry.equals(DOCKER_HUB) && name.indexOf('/') < 0) {
            name = "library/" + name;
        }
        if (registry.length() + 1 + name.length() > MAX_NAME) {
            throw new InvalidReferenceException(full, "the name is longer than " + MAX_NAME + " characters", null);
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new RegistryReference(transport, registry, name, tag, digest);
    }

    /** Whether the first component of a name is a registry host, as Docker decides. */
    static boolean isHost(String component) {
        return component.indexOf('.') >= 0 || component.indexOf(':') >= 0 || component.equals("localhost");
    }

    @Override
    public RegistryTransport transport() {
        return transport;
    }

    /** The registry as the user names it, with its port: {@code docker.io}, {@code 127.0.0.1:5000}. */
    public String registry() {
        return registry;
    }

    /** The host (and port) that answers the registry API for {@link #registry()}. */
    public String endpoint() {
        return registry.equals(DOCKER_HUB) ? DOCKER_HUB_ENDPOINT : registry;
    }

    /** The repository within the registry, {@code library/busybox} for {@code busybox}. */
    public String repository() {
        return repository;
    }

    /** The tag, or null when the reference names a digest. */
    public String tag() {
        return tag;
    }

    /** The digest, or null when the reference names a tag. */
    public Digest digest() {
        return digest;
    }

    /** The tag or the digest, as the API takes it in {@code /manifests/REF}. */
    String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    /** {@code registry/repository}, as errors name an image's repository. */
    public String qualifiedName() {
        return registry + "/" + repository;
    }

    /** The name as Docker prints it: without {@code docker.io/} and {@code library/} where they are implied. */
    String familiarName() {
        if (!registry.equals(DOCKER_HUB)) {
            return registry + "/" + repository;
        }
        String name = repository;
        if (name.startsWith("library/") && name.indexOf('/', "library/".length()) < 0) {
            name = name.substring("library/".length());
        }
        int slash = name.indexOf('/');
        if (slash > 0 && isHost(name.substring(0, slash))) {
            return DOCKER_HUB + "/" + name;
        }
        return name;
    }

    @Override
    public String stringWithinTransport() {
        return "//" + familiarName() + (digest != null ? "@" + digest : ":" + tag);
    }

    @Override
    public ImageSource openSource(OpenContext context) throws IOException {
        return RegistrySource.open(this, RegistrySettings.of(context, registry), context);
    }

    @Override
    public ImageSink openSink(OpenContext context) throws IOException {
        return RegistrySink.open(this, RegistrySettings.of(context, registry), context);
    }

    /** This repository's image {@code tag}. */
    RegistryReference withTag(String newTag) {
        return new RegistryReference(transport, registry, repository, newTag, null);
    }

    @Override
    public String refName() {
        return manifestReference();
    }

    /** {@code registry/repository}, as skopeo's list-tags prints it. */
    @Override
    public String storeName() {
        return qualifiedName();
    }

    /** Every tag of the repository ({@code tags/list}, every page); tags that are not valid tag syntax are left out. */
    @Override
    public List<ImageStore> list(OpenContext context) throws IOException {
        RegistryClient client = RegistryCatalog.client(registry, endpoint(), context);
        List<ImageStore> refs = new ArrayList<>();
        for (String t : RegistryCatalog.tags(client, repository)) {
            if (TAG.matcher(t).matches()) {
                refs.add(withTag(t));
            }
        }
        return refs;
    }

    /** One {@code HEAD} of the manifest. */
    @Override
    public Optional<Digest> manifestDigest(OpenContext context) throws IOException {
        RegistryClient client = RegistryCatalog.client(registry, endpoint(), context);
        return RegistryCatalog.manifestDigest(client, repository, manifestReference(), "pull");
    }

    /** Deletes the manifest by digest (a tag is resolved first: every tag of that manifest goes with it). */
    @Override
    public Digest delete(OpenContext context) throws IOException {
        RegistryClient client = RegistryCatalog.client(registry, endpoint(), context);
        Digest target = digest;
        if (target == null) {
            target = RegistryCatalog.manifestDigest(client, repository, tag, "pull")
                    .orElseThrow(() -> new ImageNotFoundException(
                            displayName(),
                            "the registry has no tag " + tag + " in " + repository,
                            "`ferry list-tags docker://" + familiarName() + "` lists the tags"));
        }
        RegistryCatalog.deleteManifest(client, repository, target, displayName());
        return target;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegistryReference other
                && other.registry.equals(registry)
                && other.repository.equals(repository)
                && Objects.equals(other.tag, tag)
                && Objects.equals(other.digest, digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registry, repository, tag, digest);
    }

    @Override
    public String toString() {
        return displayName();
    }
}
