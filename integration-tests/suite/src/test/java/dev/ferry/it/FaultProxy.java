package dev.ferry.it;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A fault-injecting HTTP proxy on loopback, between Ferry and a {@link RegistryServer}: it forwards every request
 * (rewriting the registry's absolute Location headers to point back at itself) unless a queued fault matches it,
 * and counts the body bytes that pass each way. Faults, each used once: an error status (with Retry-After), a
 * response body cut after N bytes (the connection then closes), an upload whose first part alone reaches the
 * registry before the connection closes, a flipped byte, a replaced body, a redirect to another origin.
 */
final class FaultProxy implements AutoCloseable {
    private static final Set<String> HOP =
            Set.of("connection", "content-length", "host", "transfer-encoding", "expect", "upgrade", "keep-alive");

    private final HttpServer server;
    private final String upstream;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    /** Request body bytes forwarded to the registry, and response body bytes sent back (but the ping's). */
    final AtomicLong bytesUp = new AtomicLong();

    final AtomicLong bytesDown = new AtomicLong();
    /** The Range header of every request that had one: "METHOD path bytes=FROM-". */
    final List<String> ranges = new CopyOnWriteArrayList<>();

    /**
     * Where the one Range request for {@code path} resumed: FROM of its {@code bytes=FROM-}. A cut connection loses
     * what was in flight (the proxy counts what it wrote, the client resumes from what it read), so tests compare
     * bytes against this offset rather than against the cut.
     */
    long resumedAt(String path) {
        List<String> matching = ranges.stream()
                .filter(r -> r.startsWith("GET " + path + " bytes="))
                .toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one Range request for " + path + ", got " + ranges);
        }
        String spec = matching.get(0).substring(matching.get(0).indexOf("bytes=") + "bytes=".length());
        return Long.parseLong(spec.substring(0, spec.indexOf('-')));
    }

    /** Every request seen: "METHOD path?query". */
    final List<String> seen = new CopyOnWriteArrayList<>();
    /** What faults did, one line each. */
    final List<String> fired = new CopyOnWriteArrayList<>();

    /** A fault for the first request it matches. */
    record Fault(String name, Predicate<HttpExchange> matches, Action action) {}

    @FunctionalInterface
    interface Action {
        void handle(FaultProxy proxy, HttpExchange exchange, byte[] body) throws Exception;
    }

    private FaultProxy(HttpServer server, String upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    static FaultProxy start(String upstreamHost) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        FaultProxy proxy = new FaultProxy(server, upstreamHost);
        server.createContext("/", proxy::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return proxy;
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    String ref(String name) {
        return "docker://" + host() + "/" + name;
    }

    static Predicate<HttpExchange> request(String method, String pathFragment) {
        return e -> e.getRequestMethod().equals(method)
                && e.getRequestURI().toString().contains(pathFragment);
    }

    void add(String name, Predicate<HttpExchange> matches, Action action) {
        faults.add(new Fault(name, matches, action));
    }

    /** The next request matching answers {@code status}, with {@code Retry-After} when not null. */
    void status(String method, String pathFragment, int status, String retryAfter) {
        add(status + " for " + method + " " + pathFragment, request(method, pathFragment), (p, e, body) -> {
            if (retryAfter != null) {
                e.getResponseHeaders().add("Retry-After", retryAfter);
            }
            e.getResponseHeaders().add("Content-Type", "application/json");
            byte[] json = "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"injected\"}]}".getBytes();
            e.sendResponseHeaders(status, json.length);
            e.getResponseBody().write(json);
            e.close();
        });
    }

    /** The next matching response announces its whole length, sends {@code after} bytes, and closes. */
    void cutResponse(String method, String pathFragment, long after) {
        add(
                "cut " + method + " " + pathFragment + " after " + after,
                request(method, pathFragment),
                (p, e, body) -> p.forward(e, body, after, -1, 0));
    }

    /** The next matching response sends {@code after} bytes, then nothing for {@code millis}, then closes. */
    void stallResponse(String method, String pathFragment, long after, long millis) {
        add(
                "stall " + method + " " + pathFragment + " after " + after,
                request(method, pathFragment),
                (p, e, body) -> p.forward(e, body, after, -1, millis));
    }

    /** The next matching response has one byte flipped, at {@code at}. */
    void flipByte(String method, String pathFragment, long at) {
        add(
                "flip byte " + at + " of " + method + " " + pathFragment,
                request(method, pathFragment),
                (p, e, body) -> p.forward(e, body, -1, at, 0));
    }

    /** The next matching request is answered with this body and type instead. */
    void replaceBody(String method, String pathFragment, byte[] replacement, String contentType) {
        replaceBody(method, pathFragment, 200, replacement, contentType);
    }

    /** The next matching request is answered with this status, body and type instead. */
    void replaceBody(String method, String pathFragment, int status, byte[] replacement, String contentType) {
        add("replace " + method + " " + pathFragment, request(method, pathFragment), (p, e, body) -> {
            e.getResponseHeaders().add("Content-Type", contentType);
            e.sendResponseHeaders(status, replacement.length);
            e.getResponseBody().write(replacement);
            e.close();
        });
    }

    /**
     * The next matching PATCH: the connection closes without an answer, as when it breaks mid-upload; with
     * {@code forwardHalf}, the first half of the chunk reaches the registry first (as a PATCH of that range).
     */
    void breakUpload(String pathFragment, boolean forwardHalf) {
        if (!forwardHalf) {
            add("drop PATCH " + pathFragment, request("PATCH", pathFragment), (p, e, body) -> {
                throw new IllegalStateException("handled before the body is read");
            });
            return;
        }
        add("break PATCH " + pathFragment, request("PATCH", pathFragment), (p, e, body) -> {
            String range = e.getRequestHeaders().getFirst("Content-Range");
            long start = range == null ? 0 : Long.parseLong(range.substring(0, range.indexOf('-')));
            int half = body.length / 2;
            HttpRequest.Builder b = HttpRequest.newBuilder(p.upstreamUri(e))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body, 0, half))
                    .header("Content-Range", start + "-" + (start + half - 1))
                    .header("Content-Type", "application/octet-stream");
            copyRequestHeaders(e.getRequestHeaders(), b, Set.of("content-range"));
            HttpResponse<byte[]> r = p.client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            p.bytesUp.addAndGet(half);
            p.fired.add("PATCH of " + body.length + " bytes at " + start + ": " + half + " forwarded (registry "
                    + r.statusCode() + "), then the connection closed");
            throw new IOException("broken"); // no response: the connection closes
        });
    }

    /** Blob GETs answer 307 to {@code other}'s same path; {@code other} forwards them here without credentials. */
    void redirectBlobsTo(FaultProxy other) {
        add("redirect blob GETs to " + other.host(), request("GET", "/blobs/sha256:"), (p, e, body) -> {
            e.getResponseHeaders().add("Location", "http://" + other.host() + e.getRequestURI());
            e.sendResponseHeaders(307, -1);
            e.close();
        });
    }

    private URI upstreamUri(HttpExchange e) {
        return URI.create("http://" + upstream + e.getRequestURI().toString());
    }

    private static void copyRequestHeaders(Headers from, HttpRequest.Builder to, Set<String> except) {
        for (Map.Entry<String, List<String>> h : from.entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (HOP.contains(name) || except.contains(name)) {
                continue;
            }
            for (String v : h.getValue()) {
                to.header(h.getKey(), v);
            }
        }
    }

    /** An Authorization header this proxy adds itself when forwarding (a CDN holding its own rights), or null. */
    volatile String ownAuthorization;

    /** Authorization headers that reached this proxy, one per request ("" when none). */
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    private void handle(HttpExchange e) throws IOException {
        try {
            for (Fault f : faults) {
                if (f.name().startsWith("drop ") && f.matches().test(e) && faults.remove(f)) {
                    seen.add(e.getRequestMethod() + " " + e.getRequestURI());
                    fired.add(e.getRequestMethod() + " dropped before its body was read: the connection closed");
                    throw new IOException("dropped");
                }
            }
            byte[] body = e.getRequestBody().readAllBytes();
            seen.add(e.getRequestMethod() + " " + e.getRequestURI());
            String range = e.getRequestHeaders().getFirst("Range");
            if (range != null) {
                ranges.add(e.getRequestMethod() + " " + e.getRequestURI().getPath() + " " + range);
            }
            String auth = e.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            for (Fault f : faults) {
                if (f.matches().test(e) && faults.remove(f)) {
                    fired.add(f.name());
                    f.action().handle(this, e, body);
                    return;
                }
            }
            forward(e, body, -1, -1, 0);
        } catch (Exception ex) {
            // thrown on: the server then closes the connection, as a reset would (e.close() may keep it open)
            throw new IllegalStateException("fault proxy: " + ex.getMessage(), ex);
        }
    }

    /** Forwards a request; the response may be cut after {@code cutAfter} bytes or have byte {@code flip} flipped. */
    private void forward(HttpExchange e, byte[] body, long cutAfter, long flip, long stallMillis) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(upstreamUri(e))
                .method(
                        e.getRequestMethod(),
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        copyRequestHeaders(e.getRequestHeaders(), b, ownAuthorization == null ? Set.of() : Set.of("authorization"));
        if (ownAuthorization != null) {
            b.header("Authorization", ownAuthorization);
        }
        bytesUp.addAndGet(body.length);
        HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (HOP.contains(name) || name.equals(":status")) {
                continue;
            }
            for (String v : h.getValue()) {
                e.getResponseHeaders().add(h.getKey(), v.replace("http://" + upstream, "http://" + host()));
            }
        }
        boolean counted = !e.getRequestURI().getPath().equals("/v2/"); // the ping's "{}" is not image content
        long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        boolean head = e.getRequestMethod().equals("HEAD");
        if (head) {
            if (length >= 0) {
                e.getResponseHeaders().set("Content-Length", Long.toString(length));
            }
            e.sendResponseHeaders(r.statusCode(), -1);
            r.body().close();
            e.close();
            return;
        }
        e.sendResponseHeaders(r.statusCode(), length == 0 ? -1 : length < 0 ? 0 : length);
        try (InputStream in = r.body();
                OutputStream out = e.getResponseBody()) {
            byte[] buf = new byte[65536];
            long sent = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                if (flip >= sent && flip < sent + n) {
                    buf[(int) (flip - sent)] ^= 0x01;
                }
                if (cutAfter >= 0 && sent + n >= cutAfter) {
                    int part = (int) (cutAfter - sent);
                    bytesDown.addAndGet(counted ? part : 0); // counted before the write: see below
                    out.write(buf, 0, part);
                    out.flush();
                    if (stallMillis > 0) {
                        fired.add("response stalled after " + cutAfter + " bytes");
                        Thread.sleep(stallMillis);
                    } else {
                        fired.add("response cut after " + cutAfter + " bytes");
                    }
                    throw new IOException("cut");
                }
                // counted before it is written, so that a client that has read a response to its end sees it
                // counted (counted after the write, the last chunk could still be missing when a test looked)
                bytesDown.addAndGet(counted ? n : 0);
                out.write(buf, 0, n);
                sent += n;
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
