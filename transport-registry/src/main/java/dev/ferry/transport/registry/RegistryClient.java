package dev.ferry.transport.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.spi.FerryException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;

/**
 * Talks the distribution API to one registry for one side of a copy: finds whether it speaks HTTPS (or HTTP, only
 * with {@code tls-verify=false}), authenticates (anonymous, Basic, or Bearer tokens per scope, cached for their
 * lifetime and fetched again on 401), follows redirects (the Authorization header goes to the registry only), and
 * tries again on transient failures. Bodies stream: responses as input streams, requests from byte ranges the
 * caller holds (so that a request can be sent again).
 *
 * <p>Thread-safe: the blobs of one copy go through one client, several at once, over reused connections.
 */
final class RegistryClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** For requests without a large body: the time until the response headers arrive. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final String registry;
    private final String endpoint;
    private final RegistrySettings settings;
    private final Http1Client http;
    private final Retry retry;
    private final CredentialStore store;
    private final String defaultRepository;

    private volatile URI base;
    private volatile Challenge challenge;
    private volatile boolean credentialsLooked;
    private volatile Credentials credentials;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    private record Token(String value, Instant expires) {}

    /** A request: a body is a byte range so that it can be sent again. */
    record Call(
            String method,
            URI uri,
            Map<String, String> headers,
            byte[] body,
            int offset,
            int length,
            List<String> scopes,
            boolean followRedirects,
            Duration timeout,
            boolean retries,
            InputStream stream,
            long streamLength) {
        Call(
                String method,
                URI uri,
                Map<String, String> headers,
                byte[] body,
                int offset,
                int length,
                List<String> scopes,
                boolean followRedirects,
                Duration timeout,
                boolean retries) {
            this(method, uri, headers, body, offset, length, scopes, followRedirects, timeout, retries, null, 0);
        }

        static Call of(String method, URI uri, List<String> scopes) {
            return new Call(method, uri, Map.of(), null, 0, 0, scopes, false, REQUEST_TIMEOUT, true);
        }

        /** A body read once from {@code in} ({@code length} bytes): never sent again, whatever happens. */
        Call stream(InputStream in, long length) {
            return new Call(method, uri, headers, null, 0, 0, scopes, followRedirects, timeout, false, in, length);
        }

        Call header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Call(
                    method,
                    uri,
                    h,
                    body,
                    offset,
                    length,
                    scopes,
                    followRedirects,
                    timeout,
                    retries,
                    stream,
                    streamLength);
        }

        Call body(byte[] bytes, int off, int len) {
            return new Call(method, uri, headers, bytes, off, len, scopes, followRedirects, timeout, retries);
        }

        Call redirects() {
            return new Call(
                    method, uri, headers, body, offset, length, scopes, true, timeout, retries, stream, streamLength);
        }

        Call timeout(Duration t) {
            return new Call(
                    method,
                    uri,
                    headers,
                    body,
                    offset,
                    length,
                    scopes,
                    followRedirects,
                    t,
                    retries,
                    stream,
                    streamLength);
        }

        /** This call sent once: the caller decides what a failure means (a PATCH that may have been taken). */
        Call once() {
            return new Call(
                    method,
                    uri,
                    headers,
                    body,
                    offset,
                    length,
                    scopes,
                    followRedirects,
                    timeout,
                    false,
                    stream,
                    streamLength);
        }

        Call at(URI newUri) {
            return new Call(
                    method,
                    newUri,
                    headers,
                    body,
                    offset,
                    length,
                    scopes,
                    followRedirects,
                    timeout,
                    retries,
                    stream,
                    streamLength);
        }
    }

    RegistryClient(
            String registry,
            String endpoint,
            String defaultRepository,
            RegistrySettings settings,
            CredentialStore store)
            throws IOException {
        this.registry = registry;
        this.endpoint = endpoint;
        this.defaultRepository = defaultRepository;
        this.settings = settings;
        this.store = store;
        this.retry = new Retry(settings.retryTimes(), settings.retryDelay(), System.err);
        // TLS is set up on the first https connection only (plain HTTP on loopback needs none), except that a
        // --cert-dir that cannot be read fails now, before anything is read
        Http1Client.TlsFactory tls = () -> Tls.context(settings, registry).getSocketFactory();
        if (settings.certDir() != null) {
            SSLSocketFactory made = Tls.context(settings, registry).getSocketFactory();
            tls = () -> made;
        }
        this.http = new Http1Client(tls, EnvProxySelector.from(System.getenv()), CONNECT_TIMEOUT, settings.tlsVerify());
    }

    String registry() {
        return registry;
    }

    /** Closes the connections kept for reuse. */
    @Override
    public void close() {
        if (!shared) {
            http.close();
        }
    }

    /** Whether this client belongs to a session (a sync's images share it): closing a source or sink keeps it. */
    private volatile boolean shared;

    /** Marks this client as a session's: {@link #close()} then keeps its connections for the next image. */
    RegistryClient shareInSession() {
        shared = true;
        return this;
    }

    String endpoint() {
        return endpoint;
    }

    Retry retry() {
        return retry;
    }

    RegistrySettings settings() {
        return settings;
    }

    /** {@code repository:NAME:ACTIONS}. */
    static String scope(String repository, String actions) {
        return "repository:" + repository + ":" + actions;
    }

    /** The API URL of {@code path} (which starts with {@code /v2/}), with the scheme the registry answered on. */
    URI url(String path) throws IOException {
        return base().resolve(path);
    }

    private URI base() throws IOException {
        URI b = base;
        if (b == null) {
            synchronized (this) {
                if (base == null) {
                    ping();
                }
                b = base;
            }
        }
        return b;
    }

    /**
     * {@code GET /v2/}: which scheme answers and which authentication it wants. HTTPS first; plain HTTP only with
     * {@code tls-verify=false}, as docker and skopeo do.
     */
    private void ping() throws IOException {
        List<String> schemes = settings.tlsVerify()
                ? List.of("https")
                : loopback(endpoint) ? List.of("http", "https") : List.of("https", "http");
        IOException last = null;
        for (String scheme : schemes) {
            URI uri = URI.create(scheme + "://" + endpoint + "/v2/");
            HttpResponse<InputStream> response;
            boolean lastScheme = scheme.equals(schemes.get(schemes.size() - 1));
            try {
                // only the last scheme is tried again: a refused connection on the first means "try the other"
                response = withRetries("GET " + uri, lastScheme, attempt -> send(Call.of("GET", uri, List.of()), null));
            } catch (SSLException e) {
                last = e;
                if (settings.tlsVerify()) {
                    throw new RegistryTlsException(registry, reason(e), e);
                }
                continue;
            } catch (IOException e) {
                if (e instanceof FerryException
                        || (e instanceof InterruptedIOException
                                && !(e instanceof HttpTimeoutException)
                                && !(e instanceof SocketTimeoutException))) {
                    throw e;
                }
                last = e; // refused, reset, timed out: try the other scheme, or say so below
                continue;
            }
            try (InputStream body = RegistryClient.reusing(response.body())) {
                int status = response.statusCode();
                if (status == 401) {
                    challenge = Challenge.preferred(
                            Challenge.parse(response.headers().allValues("WWW-Authenticate")));
                    base = URI.create(scheme + "://" + endpoint);
                    return;
                }
                if (status >= 200 && status < 300) {
                    base = URI.create(scheme + "://" + endpoint);
                    return;
                }
                IOException failure = failure(response, body, "GET /v2/", null);
                if (scheme.equals(schemes.get(schemes.size() - 1))) {
                    throw failure;
                }
                last = failure; // an HTTPS server answering plain HTTP, say: try the other scheme
            }
        }
        if (last instanceof RegistryException r && r.status() != 0) {
            throw r;
        }
        if (last instanceof SSLException && !settings.tlsVerify()) {
            throw new RegistryException(
                    "cannot reach registry " + registry + ": " + reason(last), null, registry, null, 0, null, last);
        }
        throw new RegistryException(
                "cannot connect to registry " + registry + ": " + reason(last),
                "check the host and port, and that the registry runs"
                        + (settings.tlsVerify() ? " (a registry on plain HTTP needs --tls-verify=false)" : ""),
                registry,
                null,
                0,
                null,
                last);
    }

    /**
     * Whether {@code endpoint} is this machine. Without TLS verification, plain HTTP is tried first there (nothing
     * leaves the machine, and a TLS handshake costs a cold JVM most of a second); elsewhere HTTPS is tried first.
     */
    static boolean loopback(String endpoint) {
        String host = endpoint;
        if (host.startsWith("[")) {
            host = host.substring(1, host.indexOf(']') > 0 ? host.indexOf(']') : host.length());
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        if (e instanceof SSLHandshakeException && message != null && message.contains("PKIX")) {
            return "its certificate is not signed by a trusted CA";
        }
        if (message != null && message.contains("No subject alternative")) {
            return "its certificate does not name this host";
        }
        if (message != null && message.contains("Unsupported or unrecognized SSL message")) {
            return "it does not speak TLS (plain HTTP?)";
        }
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T run(int attempt) throws IOException, InterruptedException;
    }

    /** Runs {@code attempt}, trying again on connection failures and timeouts, never on an answer. */
    private <T> T withRetries(String what, boolean retries, Attempt<T> attempt) throws IOException {
        for (int i = 0; ; i++) {
            try {
                return attempt.run(i);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted during " + what);
            } catch (IOException e) {
                if (!retries || !transientFailure(e) || !retry.mayRetry(i)) {
                    throw e;
                }
                retry.waitBefore(i, strip(what) + " failed: " + reason(e), retry.delay(i, null));
            }
        }
    }

    /** Whether an exception from sending is worth another try: not ours, not TLS, not an interrupt. */
    static boolean transientFailure(IOException e) {
        if (e instanceof FerryException || e instanceof SSLException) {
            return false;
        }
        if (e instanceof InterruptedIOException
                && !(e instanceof HttpTimeoutException)
                && !(e instanceof SocketTimeoutException)) {
            return false;
        }
        return !Thread.currentThread().isInterrupted();
    }

    /** A URL without its query (which may hold signed parameters or upload state). */
    private static String strip(String what) {
        int q = what.indexOf('?');
        return q < 0 ? what : what.substring(0, q);
    }

    /**
     * Sends {@code call}: authenticated, following redirects when asked, sent again on transient failures and the
     * statuses of {@link Retry#RETRYABLE}. The caller closes the body.
     */
    HttpResponse<InputStream> send(Call call) throws IOException {
        base();
        for (int i = 0; ; i++) {
            HttpResponse<InputStream> response;
            try {
                response = sendAuthenticated(call);
            } catch (SSLException e) {
                throw new RegistryTlsException(registry, reason(e), e);
            } catch (IOException e) {
                if (!transientFailure(e) || !call.retries() || !retry.mayRetry(i)) {
                    if (e instanceof FerryException || e instanceof InterruptedIOException) {
                        throw e;
                    }
                    throw new RegistryException(
                            call.method() + " " + strip(call.uri().toString()) + " failed: " + reason(e)
                                    + (i > 0 ? " (after " + (i + 1) + " tries)" : ""),
                            "check the network; --retry-times N tries more often",
                            registry,
                            null,
                            0,
                            null,
                            e);
                }
                retry.waitBefore(
                        i,
                        call.method() + " " + strip(call.uri().getPath()) + " failed: " + reason(e),
                        retry.delay(i, null));
                continue;
            }
            int status = response.statusCode();
            if (Retry.RETRYABLE.contains(status) && call.retries() && retry.mayRetry(i)) {
                closeQuietly(response.body());
                retry.waitBefore(
                        i,
                        call.method() + " " + strip(call.uri().getPath()) + " answered " + status,
                        retry.delay(i, response.headers()));
                continue;
            }
            return response;
        }
    }

    private HttpResponse<InputStream> sendAuthenticated(Call call) throws IOException {
        boolean refreshed = call.stream() != null; // a streamed body cannot be sent again after a 401
        URI uri = call.uri();
        for (int redirects = 0; ; ) {
            boolean toRegistry = sameOrigin(uri);
            String authorization = toRegistry ? authorization(call.scopes()) : null;
            HttpResponse<InputStream> response;
            response = send(call.at(uri), authorization);
            int status = response.statusCode();
            if (status == 401 && toRegistry && !refreshed) {
                List<Challenge> challenges = Challenge.parse(response.headers().allValues("WWW-Authenticate"));
                Challenge fresh = Challenge.preferred(challenges);
                if (fresh != null) {
                    closeQuietly(response.body());
                    refreshed = true;
                    challenge = fresh;
                    tokens.remove(tokenKey(fresh, call.scopes()));
                    continue;
                }
            }
            if (call.followRedirects()
                    && status >= 300
                    && status < 400
                    && status != 304
                    && response.headers().firstValue("Location").isPresent()) {
                if (++redirects > MAX_REDIRECTS) {
                    closeQuietly(response.body());
                    throw new RegistryException(
                            "more than " + MAX_REDIRECTS + " redirects for " + call.method() + " "
                                    + strip(call.uri().getPath()),
                            null,
                            registry,
                            null,
                            status,
                            null,
                            null);
                }
                URI next = uri.resolve(response.headers().firstValue("Location").get());
                closeQuietly(response.body());
                uri = next;
                continue;
            }
            return response;
        }
    }

    /** Whether {@code uri} is the registry itself (scheme, host and port), which alone gets credentials. */
    private boolean sameOrigin(URI uri) {
        URI b = base;
        return b != null
                && b.getScheme().equalsIgnoreCase(uri.getScheme())
                && b.getHost() != null
                && b.getHost().equalsIgnoreCase(uri.getHost())
                && port(b) == port(uri);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private HttpResponse<InputStream> send(Call call, String authorization) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>(call.headers());
        headers.put("User-Agent", "ferry");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        Http1Client.Body body = call.stream() != null
                ? new Http1Client.Body(null, 0, 0, call.stream(), call.streamLength())
                : call.body() == null
                        ? Http1Client.Body.NONE
                        : new Http1Client.Body(call.body(), call.offset(), call.length(), null, -1);
        return http.send(call.method(), call.uri(), headers, body, call.timeout());
    }

    /**
     * Checks that this client's credentials open the registry: {@code GET /v2/} with them (Basic), or a token
     * asked for with them (Bearer).
     *
     * @throws RegistryAuthException if they are refused
     */
    void checkLogin() throws IOException {
        base();
        if (challenge == null) {
            return; // the registry asks for no credentials
        }
        HttpResponse<InputStream> response = send(Call.of("GET", url("/v2/"), List.of()));
        try (InputStream body = reusing(response.body())) {
            if (response.statusCode() != 200) {
                throw failure(response, body, "GET /v2/", null);
            }
        }
    }

    /** The credentials for this registry, looked up once. */
    Credentials credentials() throws IOException {
        if (!credentialsLooked) {
            synchronized (this) {
                if (!credentialsLooked) {
                    credentials =
                            store.find(settings, registry, defaultRepository).orElse(null);
                    credentialsLooked = true;
                }
            }
        }
        return credentials;
    }

    private String authorization(List<String> scopes) throws IOException {
        Challenge c = challenge;
        if (c == null) {
            return null;
        }
        if (c.isBasic()) {
            Credentials creds = credentials();
            return creds == null || creds.identityToken() ? null : creds.basicHeader();
        }
        if (c.isBearer()) {
            return "Bearer " + token(c, scopes);
        }
        return null;
    }

    private static String tokenKey(Challenge c, List<String> scopes) {
        TreeSet<String> all = new TreeSet<>(scopes);
        if (c.param("scope") != null) {
            all.addAll(List.of(c.param("scope").split(" ")));
        }
        return c.param("realm") + " " + c.param("service") + " " + String.join(" ", all);
    }

    private String token(Challenge c, List<String> scopes) throws IOException {
        String key = tokenKey(c, scopes);
        Token t = tokens.get(key);
        if (t != null && Instant.now().isBefore(t.expires())) {
            return t.value();
        }
        t = fetchToken(c, scopes);
        tokens.put(key, t);
        return t.value();
    }

    private Token fetchToken(Challenge c, List<String> scopes) throws IOException {
        String realm = c.param("realm");
        if (realm == null || realm.isBlank()) {
            throw new RegistryException(
                    "registry " + registry + " asks for a token but names no realm",
                    null,
                    registry,
                    null,
                    401,
                    null,
                    null);
        }
        TreeSet<String> all = new TreeSet<>(scopes);
        if (c.param("scope") != null && !c.param("scope").isBlank()) {
            all.addAll(List.of(c.param("scope").split(" ")));
        }
        Credentials creds = credentials();
        URI realmUri = URI.create(realm);
        Call call;
        if (creds != null && creds.identityToken()) {
            StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=ferry&refresh_token=")
                    .append(enc(creds.password()));
            if (c.param("service") != null) {
                form.append("&service=").append(enc(c.param("service")));
            }
            form.append("&scope=").append(enc(String.join(" ", all)));
            byte[] bytes = form.toString().getBytes(StandardCharsets.UTF_8);
            call = Call.of("POST", realmUri, List.of())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(bytes, 0, bytes.length);
        } else {
            StringBuilder query = new StringBuilder();
            if (c.param("service") != null) {
                query.append("service=").append(enc(c.param("service")));
            }
            for (String s : all) {
                query.append(query.length() == 0 ? "" : "&").append("scope=").append(enc(s));
            }
            String sep = realm.contains("?") ? "&" : "?";
            call = Call.of("GET", URI.create(realm + (query.length() == 0 ? "" : sep + query)), List.of());
            if (creds != null) {
                call = call.header("Authorization", creds.basicHeader());
            }
        }
        Call tokenCall = call;
        HttpResponse<InputStream> response;
        for (int i = 0; ; i++) {
            try {
                response = send(tokenCall, null);
            } catch (SSLException e) {
                throw new RegistryTlsException(realmUri.getAuthority(), reason(e), e);
            } catch (IOException e) {
                if (!transientFailure(e) || !retry.mayRetry(i)) {
                    throw new RegistryException(
                            "cannot get a token from " + realmUri.getAuthority() + " for " + registry + ": "
                                    + reason(e),
                            "check the network",
                            registry,
                            null,
                            0,
                            null,
                            e);
                }
                retry.waitBefore(
                        i,
                        "token request to " + realmUri.getAuthority() + " failed: " + reason(e),
                        retry.delay(i, null));
                continue;
            }
            if (Retry.RETRYABLE.contains(response.statusCode()) && retry.mayRetry(i)) {
                closeQuietly(response.body());
                retry.waitBefore(
                        i,
                        "token request to " + realmUri.getAuthority() + " answered " + response.statusCode(),
                        retry.delay(i, response.headers()));
                continue;
            }
            break;
        }
        try (InputStream body = RegistryClient.reusing(response.body())) {
            int status = response.statusCode();
            if (status == 401 || status == 403) {
                throw authFailure(defaultRepository, status, null, creds);
            }
            if (status != 200) {
                throw failure(response, body, "token request to " + realmUri.getAuthority(), defaultRepository);
            }
            JsonNode node;
            try {
                node = JSON.readTree(body.readNBytes(1 << 20));
            } catch (IOException e) {
                throw new RegistryException(
                        "the token server " + realmUri.getAuthority() + " of " + registry
                                + " answered something that is not JSON",
                        null,
                        registry,
                        null,
                        status,
                        null,
                        e);
            }
            String token = node.path("token").asText(node.path("access_token").asText(""));
            if (token.isEmpty()) {
                token = node.path("access_token").asText("");
            }
            if (token.isEmpty()) {
                throw new RegistryException(
                        "the token server " + realmUri.getAuthority() + " of " + registry + " answered no token",
                        null,
                        registry,
                        null,
                        status,
                        null,
                        null);
            }
            long lifetime = node.path("expires_in").asLong(60);
            if (lifetime < 60) {
                lifetime = 60; // as the spec says: shorter lifetimes are taken as 60 s
            }
            Instant issued = Instant.now();
            // renew a little early, so that a token does not expire between the check and the request
            return new Token(token, issued.plusSeconds(lifetime).minusSeconds(Math.min(10, lifetime / 6)));
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The failure a 401 or 403 means, with the hint docker users know. */
    RegistryAuthException authFailure(String repository, int status, String code, Credentials creds) {
        String where = repository == null ? registry : registry + "/" + repository;
        if (creds == null) {
            return new RegistryAuthException(
                    "authentication required for " + where + (status == 403 ? " (access denied)" : ""),
                    "run ferry login " + registry + ", or pass --creds USER[:PASSWORD]",
                    registry,
                    repository,
                    status,
                    code,
                    false);
        }
        return new RegistryAuthException(
                (status == 403 ? "access denied to " : "authentication failed for ") + where
                        + " with the credentials from " + creds.origin(),
                status == 403
                        ? "check that this user may " + "access the repository"
                        : "check the user name and password (--creds, the auth file)",
                registry,
                repository,
                status,
                code,
                true);
    }

    /**
     * The exception for a response that is not what was expected: the registry's JSON error translated, or what
     * the HTML page or status says.
     */
    IOException failure(HttpResponse<InputStream> response, InputStream body, String what, String repository)
            throws IOException {
        int status = response.statusCode();
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        byte[] bytes = body == null ? new byte[0] : body.readNBytes(MAX_ERROR_BODY);
        String code = null;
        String message = null;
        if (!contentType.toLowerCase(Locale.ROOT).contains("html")) {
            try {
                JsonNode node = JSON.readTree(bytes);
                JsonNode error = node == null ? null : node.path("errors").path(0);
                if (error != null && error.isObject()) {
                    code = error.path("code").asText(null);
                    message = error.path("message").asText(null);
                }
            } catch (IOException e) {
                // not JSON
            }
        }
        if (status == 401 || status == 403) {
            return authFailure(repository, status, code, credentials());
        }
        String where = repository == null ? registry : registry + "/" + repository;
        if (contentType.toLowerCase(Locale.ROOT).contains("html")) {
            return new RegistryException(
                    strip(what) + " on " + where + " answered " + status
                            + " with an HTML page where the registry API answers JSON",
                    "check the host: a web server, proxy or captive portal answered instead of a registry",
                    registry,
                    repository,
                    status,
                    null,
                    null);
        }
        String translated = code == null ? null : ErrorCodes.describe(code);
        String hint = code == null ? null : ErrorCodes.hint(code);
        String text = strip(what) + " on " + where + " failed: " + status
                + (code != null ? " " + code : "")
                + (translated != null ? " (" + translated + ")" : "")
                + (message != null && !message.isBlank() && translated == null ? ": " + message : "");
        if (status == 429 && hint == null) {
            hint = "the registry limits requests: wait, log in, or pass --retry-times and --retry-delay";
        }
        return new RegistryException(text.replace('\n', ' '), hint, registry, repository, status, code, null);
    }

    /** Closes a body without reading what is left (a broken or stalled one, or a large one). */
    static void closeNow(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** {@code body}, closed with {@link #closeQuietly}: what is left of it is read first, to reuse the connection. */
    static InputStream reusing(InputStream body) {
        return new FilterInputStream(body) {
            @Override
            public void close() {
                closeQuietly(in);
            }
        };
    }

    /**
     * Closes a response body, reading what is left of a small one first so that its connection is reused (closing
     * a body before its end closes the connection).
     */
    static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            byte[] buf = new byte[8192];
            int total = 0;
            int n;
            while (total < 64 * 1024 && (n = in.read(buf)) >= 0) {
                total += n;
            }
        } catch (IOException e) {
            // closed below
        }
        try {
            in.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Reads an optional header. */
    static String header(HttpHeaders headers, String name) {
        return headers.firstValue(name).orElse(null);
    }

    /** A list of scopes. */
    static List<String> scopes(String... scopes) {
        return new ArrayList<>(List.of(scopes));
    }
}
