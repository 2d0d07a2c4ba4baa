package dev.ferry.transport.registry;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;

/**
 * An image in a registry, read: manifests with the full Accept list, kept byte for byte (and verified when asked for
 * by digest; 4 MiB at most), blobs streamed and resumed with a Range request when the connection breaks.
 */
final class RegistrySource implements ImageSource {
    /** Every manifest type Ferry reads, as the Accept header lists them. */
    static final List<String> ACCEPT = List.of(
            MediaTypes.OCI_INDEX,
            MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST,
            MediaTypes.DOCKER_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_V1_SIGNED,
            MediaTypes.DOCKER_MANIFEST_V1);

    private final RegistryReference reference;
    private final RegistryClient client;
    private final BlobOrigins.Origin origin;
    private ManifestBytes top;

    private RegistrySource(RegistryReference reference, RegistryClient client) {
        this.reference = reference;
        this.client = client;
        this.origin = BlobOrigins.register(reference.endpoint(), reference.repository());
    }

    static RegistrySource open(RegistryReference reference, RegistrySettings settings, OpenContext context)
            throws IOException {
        RegistryClient client = RegistryCatalog.client(
                reference.registry(), reference.endpoint(), reference.repository(), settings, context);
        RegistrySource source = new RegistrySource(reference, client);
        try {
            source.top = source.fetch(reference.manifestReference(), reference.digest(), true);
            return source;
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    @Override
    public RegistryReference reference() {
        return reference;
    }

    private String repositoryPath() {
        return "/v2/" + reference.repository();
    }

    private List<String> pull() {
        return RegistryClient.scopes(RegistryClient.scope(reference.repository(), "pull"));
    }

    @Override
    public ManifestBytes manifest() {
        return top;
    }

    @Override
    public ManifestBytes manifest(Digest digest) throws IOException {
        return fetch(digest.toString(), digest, false);
    }

    private ManifestBytes fetch(String ref, Digest expected, boolean isTop) throws IOException {
        RegistryClient.Call call = RegistryClient.Call.of(
                        "GET", client.url(repositoryPath() + "/manifests/" + ref), pull())
                .header("Accept", String.join(", ", ACCEPT));
        HttpResponse<InputStream> response = client.send(call);
        try (InputStream body = RegistryClient.reusing(response.body())) {
            int status = response.statusCode();
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            if (contentType.toLowerCase(Locale.ROOT).contains("html") && status != 401 && status != 403) {
                throw new RegistryException(
                        "GET manifest " + ref + " on " + reference.qualifiedName()
                                + " answered an HTML page where the registry API answers JSON",
                        "check the host: a web server, proxy or captive portal answered instead of a registry",
                        reference.registry(),
                        reference.repository(),
                        status,
                        null,
                        null);
            }
            if (status == 404) {
                IOException failure = client.failure(response, body, "GET manifest " + ref, reference.repository());
                String code = failure instanceof RegistryException r ? r.code() : null;
                if (!isTop) {
                    throw new BlobNotFoundException(expected, reference.displayName());
                }
                String reason = "NAME_UNKNOWN".equals(code)
                        ? "the registry has no repository " + reference.repository()
                        : "the registry has no manifest " + ref + " in " + reference.repository();
                throw new ImageNotFoundException(
                        reference.displayName(),
                        reason,
                        "check the name and tag (`skopeo list-tags " + reference.displayName() + "` lists tags)");
            }
            if (status != 200) {
                throw client.failure(response, body, "GET manifest " + ref, reference.repository());
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (length > ManifestBytes.MAX_SIZE) {
                throw tooLarge(ref, length);
            }
            byte[] bytes = body.readNBytes(ManifestBytes.MAX_SIZE + 1);
            if (bytes.length > ManifestBytes.MAX_SIZE) {
                throw tooLarge(ref, bytes.length);
            }
            String type =
                    mediaType(response.headers().firstValue("Content-Type").orElse(null));
            if (expected != null && !MediaTypes.DOCKER_MANIFEST_V1_SIGNED.equals(type)) {
                Digest actual = Digest.fromHash(
                        expected.algorithm(),
                        expected.algorithm().newMessageDigest().digest(bytes));
                if (!actual.equals(expected)) {
                    throw new DigestMismatchException(expected, actual, bytes.length, bytes.length);
                }
            }
            ManifestBytes manifest;
            try {
                manifest = ManifestBytes.of(bytes, type);
            } catch (IllegalArgumentException e) {
                throw new CorruptImageException(
                        "manifest " + ref + " of " + reference.displayName() + " is not a manifest: " + e.getMessage(),
                        e);
            }
            origin.sawManifest(manifest);
            return manifest;
        }
    }

    private CorruptImageException tooLarge(String ref, long size) {
        return new CorruptImageException("manifest " + ref + " of " + reference.displayName() + " has " + size
                + " bytes, more than the " + ManifestBytes.MAX_SIZE + " a manifest may have");
    }

    /** The media type of a Content-Type, or null when it names no manifest type (then the JSON tells). */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .strip()
                .toLowerCase(Locale.ROOT);
        return ACCEPT.contains(type) ? type : null;
    }

    @Override
    public BlobStream blob(Descriptor descriptor) throws IOException {
        RegistryClient.Call call = RegistryClient.Call.of(
                        "GET", client.url(repositoryPath() + "/blobs/" + descriptor.digest()), pull())
                .redirects();
        ResumingBlobStream stream = new ResumingBlobStream(client, call, descriptor, reference);
        try {
            long size = stream.open();
            return new BlobStream(stream, size >= 0 ? size : descriptor.size());
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    @Override
    public void close() {
        BlobOrigins.unregister(origin);
        client.close();
    }
}
