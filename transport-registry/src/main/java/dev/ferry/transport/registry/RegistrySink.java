package dev.ferry.transport.registry;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.Digests;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image pushed to a registry. Blobs: {@code HEAD} first and skipped when there; mounted from another repository
 * of the same registry that an open source reads (see {@link BlobOrigins}); else uploaded: blobs up to
 * {@value #CHUNK} bytes in one {@code POST} + {@code PUT ?digest=}, larger ones streamed in one {@code PATCH} and
 * resent, when it fails, from the offset the registry acknowledged (within the last {@value #CHUNK} bytes). One blob is never uploaded into one repository
 * twice at once. Manifests are put last: the children of an index as they come (by digest, untagged), the top-level
 * one at {@link #commit()} under the tag: nothing is tagged before every blob is in.
 */
final class RegistrySink implements ImageSink {
    /** The largest blob read whole before its upload, and how far back a streamed upload can resume. */
    static final int CHUNK = 8 * 1024 * 1024;
    /** How long one upload request may take, its body included: a chunk at 16 KB/s. */
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);

    private static final Pattern RANGE = Pattern.compile("(?:bytes=)?0-(\\d+)");
    private static final ConcurrentHashMap<String, ReentrantLock> UPLOADS = new ConcurrentHashMap<>();
    /**
     * Streamed uploads to a registry on this machine: one per core at once, the largest first. Such a registry hashes
     * and writes what it takes on the cores this process shares with it, one core per upload at most, so more uploads
     * than cores only slow each other down, and the largest blob, which the copy waits for, most.
     */
    private static final ConcurrentHashMap<String, UploadGate> LOCAL_GATES = new ConcurrentHashMap<>();

    private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

    private final RegistryReference reference;
    private final RegistryClient client;
    private ManifestBytes top;
    private boolean committed;

    private RegistrySink(RegistryReference reference, RegistryClient client) {
        this.reference = reference;
        this.client = client;
    }

    static RegistrySink open(RegistryReference reference, RegistrySettings settings, OpenContext context)
            throws IOException {
        RegistryClient client = RegistryCatalog.client(
                reference.registry(), reference.endpoint(), reference.repository(), settings, context);
        warmUpDigests();
        try {
            client.url("/v2/"); // reach the registry now: a wrong host or certificate fails before anything is read
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
        return new RegistrySink(reference, client);
    }

    /**
     * Loads the native digest library on another thread, while this one reaches the registry and the source's
     * manifest is read: uploads verify every blob they send, and loading it when the first blob is uploaded puts
     * some 30 ms on the way of every push (measured on a cold JVM pushing a 95 MB layer).
     */
    private static void warmUpDigests() {
        if (!WARMED_UP.compareAndSet(false, true)) {
            return;
        }
        Thread warm = new Thread(Digests::nativeAvailable, "ferry-digest-warm-up");
        warm.setDaemon(true);
        warm.start();
    }

    @Override
    public RegistryReference reference() {
        return reference;
    }

    @Override
    public List<String> supportedManifestTypes() {
        return List.of(
                MediaTypes.OCI_MANIFEST,
                MediaTypes.DOCKER_MANIFEST,
                MediaTypes.OCI_INDEX,
                MediaTypes.DOCKER_MANIFEST_LIST);
    }

    private String repositoryPath() {
        return "/v2/" + reference.repository();
    }

    private List<String> push() {
        return RegistryClient.scopes(RegistryClient.scope(reference.repository(), "pull,push"));
    }

    @Override
    public boolean hasBlob(Descriptor descriptor) throws IOException {
        // announced before the HEAD, in the order the copy asks: the largest upload starts first (UploadGate)
        UploadGate gate = descriptor.size() > CHUNK ? localGate(reference.endpoint()) : null;
        String key = reference.endpoint() + "@" + descriptor.digest();
        if (gate != null) {
            gate.announce(key, descriptor.size());
        }
        boolean has;
        try {
            has = exists(descriptor) || mountFromKnown(descriptor);
        } catch (IOException | RuntimeException e) {
            if (gate != null) {
                gate.forget(key);
            }
            throw e;
        }
        if (has) {
            if (gate != null) {
                gate.forget(key);
            }
            BlobOrigins.stored(reference.endpoint(), reference.repository(), descriptor.digest());
        }
        return has;
    }

    /** Mounts the blob from a repository of this registry known to hold it. */
    private boolean mountFromKnown(Descriptor descriptor) throws IOException {
        for (String from :
                BlobOrigins.repositoriesWith(reference.endpoint(), descriptor.digest(), reference.repository())) {
            if (mount(descriptor, from)) {
                return true;
            }
        }
        return false;
    }

    /** {@code HEAD} the blob: whether the repository holds it, with the descriptor's size. */
    private boolean exists(Descriptor descriptor) throws IOException {
        RegistryClient.Call call =
                RegistryClient.Call.of("HEAD", client.url(repositoryPath() + "/blobs/" + descriptor.digest()), push());
        HttpResponse<InputStream> response = client.send(call);
        try (InputStream body = RegistryClient.reusing(response.body())) {
            int status = response.statusCode();
            if (status == 200) {
                long length =
                        response.headers().firstValueAsLong("Content-Length").orElse(descriptor.size());
                return length == descriptor.size();
            }
            if (status == 404) {
                return false;
            }
            throw client.failure(response, body, "HEAD blob " + descriptor.digest(), reference.repository());
        }
    }

    /** Mounts the blob from {@code from}; false (having left nothing open) when the registry does not. */
    private boolean mount(Descriptor descriptor, String from) throws IOException {
        URI uri = client.url(repositoryPath() + "/blobs/uploads/?mount="
                + enc(descriptor.digest().toString()) + "&from=" + enc(from));
        List<String> scopes = RegistryClient.scopes(
                RegistryClient.scope(reference.repository(), "pull,push"), RegistryClient.scope(from, "pull"));
        HttpResponse<InputStream> response;
        try {
            response = client.send(RegistryClient.Call.of("POST", uri, scopes));
        } catch (RegistryAuthException e) {
            return false; // no right to read the other repository: upload instead
        }
        try (InputStream body = RegistryClient.reusing(response.body())) {
            int status = response.statusCode();
            if (status == 201) {
                return true;
            }
            if (status == 202) {
                cancel(location(response, uri));
            }
            return false;
        }
    }

    @Override
    public void putBlob(Descriptor descriptor, InputStream in) throws IOException {
        VerifyingInputStream verifying = VerifyingInputStream.verify(in, descriptor);
        // one upload of a blob into one registry at a time: the next one, into another repository, mounts it
        String key = reference.endpoint() + "@" + descriptor.digest();
        ReentrantLock lock = UPLOADS.computeIfAbsent(key, k -> new ReentrantLock());
        boolean waited = !lock.tryLock();
        if (waited) {
            try {
                lock.lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(
                        "interrupted while waiting for another upload of " + descriptor.digest());
            }
        }
        try {
            // another upload stored it here while this one waited, or since this sink looked (two images of a sync
            // into one repository: asked again, not trusted, as the registry may have dropped it), or stored it
            // into another repository of this registry
            boolean held = BlobOrigins.held(reference.endpoint(), reference.repository(), descriptor.digest());
            if (((waited || held) && exists(descriptor)) || mountFromKnown(descriptor)) {
                verifying.drainAndVerify();
                BlobOrigins.stored(reference.endpoint(), reference.repository(), descriptor.digest());
                return;
            }
            if (descriptor.size() <= CHUNK) {
                uploadWhole(descriptor, verifying);
            } else {
                UploadGate gate = localGate(reference.endpoint());
                acquire(gate, key, descriptor);
                try {
                    uploadStreaming(descriptor, verifying);
                } finally {
                    if (gate != null) {
                        gate.release();
                    }
                }
            }
            BlobOrigins.stored(reference.endpoint(), reference.repository(), descriptor.digest());
        } finally {
            UploadGate gate = descriptor.size() > CHUNK ? localGate(reference.endpoint()) : null;
            if (gate != null) {
                gate.forget(key); // it did not come to the gate (it was there, or failed before)
            }
            lock.unlock();
        }
    }

    /**
     * The gate of streamed uploads to {@code endpoint} (see {@link #LOCAL_GATES}): one upload per core, the largest
     * first, when the registry runs on this machine; null (no limit) elsewhere, where more uploads at once use more of
     * the network.
     */
    static UploadGate localGate(String endpoint) {
        if (!RegistryClient.loopback(endpoint)) {
            return null;
        }
        return LOCAL_GATES.computeIfAbsent(
                endpoint,
                k -> new UploadGate(Math.max(1, Runtime.getRuntime().availableProcessors()), 1, TimeUnit.SECONDS));
    }

    private static void acquire(UploadGate gate, String key, Descriptor descriptor) throws InterruptedIOException {
        if (gate == null) {
            return;
        }
        try {
            gate.acquire(key, descriptor.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to upload " + descriptor.digest());
        }
    }

    /** Reads a small blob whole (verified), then POST and PUT; both are sent again on transient failures. */
    private void uploadWhole(Descriptor descriptor, VerifyingInputStream in) throws IOException {
        byte[] data = in.readNBytes((int) descriptor.size());
        if (in.read() >= 0 || !in.verified()) {
            in.drainAndVerify(); // throws: more bytes than the size
        }
        URI location = start();
        try {
            finish(descriptor, location, data, data.length);
        } catch (IOException | RuntimeException e) {
            cancel(location);
            throw e;
        }
    }

    /**
     * Streams a large blob in one PATCH (as docker and skopeo do: a registry handles chunks slowly), keeping the last
     * {@value #CHUNK} bytes read; when the request fails, asks the registry what it holds and sends the rest from
     * there, if that is within the bytes kept.
     */
    private void uploadStreaming(Descriptor descriptor, VerifyingInputStream in) throws IOException {
        URI location = start();
        try {
            ReplayInputStream replay = new ReplayInputStream(in, CHUNK);
            Retry retry = client.retry();
            long acknowledged = 0;
            for (int attempt = 0; ; attempt++) {
                long from = acknowledged;
                RegistryClient.Call call = RegistryClient.Call.of("PATCH", location, push())
                        .once()
                        .timeout(null)
                        .header("Content-Type", "application/octet-stream")
                        .header("Content-Range", from + "-" + (descriptor.size() - 1))
                        .stream(replay.from(from), descriptor.size() - from);
                String failure;
                Duration delay = null;
                try {
                    HttpResponse<InputStream> response = client.send(call);
                    try (InputStream body = RegistryClient.reusing(response.body())) {
                        if (response.statusCode() == 202) {
                            location = location(response, location);
                            break;
                        }
                        if (!Retry.RETRYABLE.contains(response.statusCode())
                                && response.statusCode() != 416
                                && response.statusCode() != 401) {
                            throw client.failure(
                                    response, body, "PATCH blob " + descriptor.digest(), reference.repository());
                        }
                        failure = "answered " + response.statusCode();
                        delay = retry.delay(attempt, response.headers());
                    }
                } catch (IOException e) {
                    rethrowMismatch(e);
                    if (!(e instanceof RegistryException r)
                            || r.status() != 0
                            || !(e.getCause() instanceof IOException cause)
                            || !RegistryClient.transientFailure(cause)) {
                        throw e;
                    }
                    failure = "failed: " + e.getMessage();
                }
                if (!retry.mayRetry(attempt)) {
                    throw new RegistryException(
                            "upload of blob " + descriptor.digest() + " to " + reference.displayName() + " " + failure
                                    + " (" + (attempt + 1) + " tries)",
                            "check the network; --retry-times N tries more often",
                            client.registry(),
                            reference.repository(),
                            0,
                            null,
                            null);
                }
                retry.waitBefore(
                        attempt,
                        "upload of blob " + descriptor.digest().shortHex() + " " + failure
                                + "; resuming from the offset the registry acknowledged",
                        delay != null ? delay : retry.delay(attempt, null));
                acknowledged = uploaded(location, from, replay.consumed());
                if (acknowledged < replay.oldest()) {
                    throw new RegistryException(
                            "upload of blob " + descriptor.digest() + " to "
                                    + reference.displayName() + " broke, and the registry kept " + acknowledged
                                    + " bytes: too far back to resume (" + replay.consumed() + " were read)",
                            "run the copy again",
                            client.registry(),
                            reference.repository(),
                            0,
                            null,
                            null);
                }
            }
            if (!in.verified()) {
                throw new FerryException("blob " + descriptor.digest() + " was not read whole", null);
            }
            finish(descriptor, location, null, 0);
        } catch (IOException | RuntimeException e) {
            cancel(location);
            throw e;
        }
    }

    /** A digest mismatch found while the HTTP client read the blob: the blob's fault, not the network's. */
    private static void rethrowMismatch(IOException e) throws DigestMismatchException {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DigestMismatchException m) {
                throw m;
            }
        }
    }

    /** {@code POST .../blobs/uploads/}: the upload's location. */
    private URI start() throws IOException {
        URI uri = client.url(repositoryPath() + "/blobs/uploads/");
        HttpResponse<InputStream> response = client.send(RegistryClient.Call.of("POST", uri, push()));
        try (InputStream body = RegistryClient.reusing(response.body())) {
            if (response.statusCode() != 202) {
                throw client.failure(response, body, "POST blob upload", reference.repository());
            }
            return location(response, uri);
        }
    }

    private URI location(HttpResponse<InputStream> response, URI request) throws IOException {
        String location = response.headers().firstValue("Location").orElse(null);
        if (location == null || location.isBlank()) {
            throw new RegistryException(
                    "registry " + client.registry() + " started an upload without a Location",
                    null,
                    client.registry(),
                    reference.repository(),
                    response.statusCode(),
                    null,
                    null);
        }
        return request.resolve(location);
    }

    /** How many bytes the upload at {@code location} holds, between {@code min} and {@code max}. */
    private long uploaded(URI location, long min, long max) throws IOException {
        HttpResponse<InputStream> response = client.send(RegistryClient.Call.of("GET", location, push()));
        try (InputStream body = RegistryClient.reusing(response.body())) {
            if (response.statusCode() != 204 && response.statusCode() != 200) {
                throw client.failure(response, body, "GET blob upload status", reference.repository());
            }
            String range = response.headers().firstValue("Range").orElse(null);
            long size = 0;
            if (range != null) {
                Matcher m = RANGE.matcher(range.strip());
                if (m.matches()) {
                    long end = Long.parseLong(m.group(1));
                    size = end == 0 && min == 0 ? 0 : end + 1;
                }
            }
            if (size < min || size > max) {
                throw new RegistryException(
                        "registry " + client.registry() + " lost part of an upload (it holds " + size + " bytes, " + min
                                + " were acknowledged)",
                        "run the copy again",
                        client.registry(),
                        reference.repository(),
                        response.statusCode(),
                        null,
                        null);
            }
            return size;
        }
    }

    /** {@code PUT LOCATION?digest=}: with the last bytes, if any. */
    private void finish(Descriptor descriptor, URI location, byte[] data, int n) throws IOException {
        String uri = location.toString();
        URI put = URI.create(uri + (uri.contains("?") ? "&" : "?") + "digest="
                + enc(descriptor.digest().toString()));
        RegistryClient.Call call = RegistryClient.Call.of("PUT", put, push())
                .timeout(UPLOAD_TIMEOUT)
                .header("Content-Type", "application/octet-stream");
        if (data != null) {
            call = call.body(data, 0, n);
        }
        HttpResponse<InputStream> response = client.send(call);
        try (InputStream body = RegistryClient.reusing(response.body())) {
            if (response.statusCode() != 201) {
                throw client.failure(response, body, "PUT blob " + descriptor.digest(), reference.repository());
            }
        }
    }

    /** Ends an unfinished upload, so the registry forgets it; failures are ignored. */
    private void cancel(URI location) {
        try {
            HttpResponse<InputStream> response = client.send(
                    RegistryClient.Call.of("DELETE", location, push()).once());
            RegistryClient.closeQuietly(response.body());
        } catch (IOException | RuntimeException e) {
            // the registry expires it
        }
    }

    @Override
    public void putChildManifest(ManifestBytes manifest) throws IOException {
        put(manifest, manifest.digest().toString());
    }

    @Override
    public void putManifest(ManifestBytes manifest) throws IOException {
        if (!supportedManifestTypes().contains(manifest.mediaType())) {
            throw new UnsupportedManifestException(
                    reference.displayName(), manifest.mediaType(), supportedManifestTypes());
        }
        if (reference.digest() != null && !reference.digest().equals(manifest.digest())) {
            throw new FerryException(
                    "the manifest to write has digest " + manifest.digest() + ", not the " + reference.digest()
                            + " that " + reference.displayName() + " names",
                    "name the destination by tag, or by the digest of what is written");
        }
        top = manifest;
    }

    private void put(ManifestBytes manifest, String ref) throws IOException {
        if (!supportedManifestTypes().contains(manifest.mediaType())) {
            throw new UnsupportedManifestException(
                    reference.displayName(), manifest.mediaType(), supportedManifestTypes());
        }
        byte[] bytes = manifest.bytes();
        RegistryClient.Call call = RegistryClient.Call.of(
                        "PUT", client.url(repositoryPath() + "/manifests/" + ref), push())
                .header("Content-Type", manifest.mediaType())
                .body(bytes, 0, bytes.length);
        HttpResponse<InputStream> response = client.send(call);
        try (InputStream body = RegistryClient.reusing(response.body())) {
            if (response.statusCode() != 201 && response.statusCode() != 200) {
                throw client.failure(response, body, "PUT manifest " + ref, reference.repository());
            }
        }
    }

    @Override
    public void commit() throws IOException {
        if (top == null) {
            throw new IllegalStateException("commit before putManifest");
        }
        if (!committed) {
            put(top, reference.manifestReference());
            committed = true;
        }
    }

    @Override
    public void close() {
        // uploads finished or cancelled as they went; an untagged blob is the registry's to collect
        client.close();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** For tests: the digest of bytes. */
    static Digest digestOf(byte[] bytes) {
        return Digest.sha256(bytes);
    }
}
