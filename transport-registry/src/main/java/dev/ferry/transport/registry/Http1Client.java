package dev.ferry.transport.registry;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A blocking HTTP/1.1 client: what the registry transport needs and nothing more. Each request is written on a
 * socket of the calling thread and its response body is read straight from that socket into the caller's buffer;
 * connections are kept for the next request once a body is read to its end (and closed when a body is closed
 * before). TLS (with SNI and host name verification unless the trust manager trusts all) is set up only when an
 * {@code https} URL is first asked for; HTTP proxies are used as the selector says (absolute URLs for plain HTTP, a
 * {@code CONNECT} tunnel for HTTPS).
 *
 * <p>Chosen over the JDK's {@code java.net.http} client by measurement (a cold JVM, a 95 MB blob from a loopback
 * docker-registry): that client's first request costs 0.3-1 s more (its SSL context is made even for plain HTTP,
 * hundreds of classes, a selector thread that also delays the JVM's exit by 300 ms), and its body is handed over
 * between threads as copied buffers (a blob arrived at half the speed of a plain socket read).
 *
 * <p>Thread-safe: the pool is shared; a connection is used by one request at a time.
 */
final class Http1Client implements AutoCloseable {
    /** Opens TLS sockets; called once, on the first {@code https} connection. */
    @FunctionalInterface
    interface TlsFactory {
        SSLSocketFactory get() throws IOException;
    }

    private static final int BUFFER = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 256 * 1024;
    private static final int MAX_IDLE_PER_ORIGIN = 8;

    private final TlsFactory tlsFactory;
    private final ProxySelector proxies;
    private final int connectTimeoutMillis;
    private final boolean verifyHostnames;
    private final Map<String, Deque<Connection>> idle = new HashMap<>();
    private SSLSocketFactory tls;
    private boolean closed;

    Http1Client(TlsFactory tls, ProxySelector proxies, Duration connectTimeout, boolean verifyHostnames) {
        this.tlsFactory = tls;
        this.proxies = proxies;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.verifyHostnames = verifyHostnames;
    }

    /** A request body: bytes held (sent again as needed) or a stream read once. */
    record Body(byte[] bytes, int offset, int length, InputStream stream, long streamLength) {
        static final Body NONE = new Body(null, 0, 0, null, -1);

        boolean replayable() {
            return stream == null;
        }

        long contentLength() {
            return stream != null ? streamLength : bytes != null ? length : -1;
        }
    }

    /**
     * Sends one request and returns its response once the headers are in; the caller reads and closes the body.
     *
     * @param timeout how long the response headers may take after the request is sent (null: no limit)
     */
    HttpResponse<InputStream> send(String method, URI uri, Map<String, String> headers, Body body, Duration timeout)
            throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException("unsupported URL scheme: " + uri.getScheme());
        }
        boolean https = scheme.equals("https");
        String host = uri.getHost();
        if (host == null) {
            throw new IOException("URL without a host: " + uri);
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        Proxy proxy = proxyFor(uri);
        String key = scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port + (proxy == null ? "" : " " + proxy);
        // A pooled connection may have been closed by the server meanwhile: a request that fails on one before any
        // byte of its response arrived is sent again on a new connection, when its body can be sent again.
        while (true) {
            Connection pooled = body.replayable() ? take(key) : null;
            Connection c = pooled != null ? pooled : open(key, https, host, port, proxy);
            try {
                return exchange(c, method, uri, host, port, https, proxy, headers, body, timeout);
            } catch (StaleConnection e) {
                c.close();
                if (pooled == null) {
                    throw e.cause;
                }
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }

    /** A failure before any byte of the response: the connection was likely closed while it was idle. */
    private static final class StaleConnection extends IOException {
        final IOException cause;

        StaleConnection(IOException cause) {
            super(cause);
            this.cause = cause;
        }
    }

    private HttpResponse<InputStream> exchange(
            Connection c,
            String method,
            URI uri,
            String host,
            int port,
            boolean https,
            Proxy proxy,
            Map<String, String> headers,
            Body body,
            Duration timeout)
            throws IOException {
        StringBuilder head = new StringBuilder(256);
        String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            target += "?" + uri.getRawQuery();
        }
        if (proxy != null && !https) {
            target = "http://" + hostPort(host, port, 80) + target; // absolute form, to an HTTP proxy
        }
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostPort(host, port, https ? 443 : 80)).append("\r\n");
        boolean hasLength = false;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            checkHeader(h.getKey(), h.getValue());
            hasLength |= h.getKey().equalsIgnoreCase("Content-Length");
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        long length = body.contentLength();
        if (!hasLength && (length >= 0 || method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))) {
            head.append("Content-Length: ").append(Math.max(length, 0)).append("\r\n");
        }
        head.append("\r\n");
        boolean sentBody = false;
        try {
            c.socket.setSoTimeout(0);
            c.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body.bytes() != null) {
                c.out.write(body.bytes(), body.offset(), body.length());
            } else if (body.stream() != null) {
                sentBody = true; // not sent again, whatever happens
                copy(body.stream(), c.out, body.streamLength());
            }
            c.out.flush();
            if (timeout != null) {
                c.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            }
            c.in.mark(1);
            if (c.in.read() < 0) {
                throw new EOFException("the connection was closed before a response");
            }
            c.in.reset();
        } catch (SocketTimeoutException e) {
            throw e; // a slow server, not a closed connection
        } catch (IOException e) {
            if (sentBody) {
                throw e;
            }
            throw new StaleConnection(e); // reset, broken pipe, end of stream, a TLS connection closed
        }
        int status;
        String statusLine;
        Map<String, List<String>> fields;
        do {
            statusLine = readLine(c.in);
            status = parseStatus(statusLine);
            fields = readHeaders(c.in);
        } while (status >= 100 && status < 200 && status != 101);
        c.socket.setSoTimeout(0);
        HttpHeaders responseHeaders = HttpHeaders.of(fields, (a, b) -> true);
        boolean keepAlive = statusLine.startsWith("HTTP/1.1")
                && responseHeaders.allValues("Connection").stream()
                        .noneMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"));
        InputStream content;
        String encoding =
                responseHeaders.firstValue("Transfer-Encoding").orElse("").toLowerCase(Locale.ROOT);
        if (method.equals("HEAD") || status == 204 || status == 304) {
            content = new BodyStream(this, c, 0, false, keepAlive);
        } else if (encoding.contains("chunked")) {
            content = new BodyStream(this, c, -1, true, keepAlive);
        } else {
            long contentLength =
                    responseHeaders.firstValueAsLong("Content-Length").orElse(-1);
            content = contentLength >= 0
                    ? new BodyStream(this, c, contentLength, false, keepAlive)
                    : new BodyStream(this, c, -1, false, false); // to the end of the connection
        }
        return new Response(status, responseHeaders, content, uri);
    }

    private static String hostPort(String host, int port, int defaultPort) {
        return port == defaultPort ? host : host + ":" + port;
    }

    private static void checkHeader(String name, String value) throws IOException {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch <= ' ' || ch == ':' || ch >= 127) {
                throw new IOException("invalid header name: " + name);
            }
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IOException("invalid value of header " + name);
        }
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buf = new byte[BUFFER];
        long left = length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new EOFException("the request body ended " + left + " bytes before its length");
            }
            out.write(buf, 0, n);
            left -= n;
        }
        // read the end too: a stream that verifies what passes through it checks at its end
        if (in.read(buf, 0, 1) >= 0) {
            throw new IOException("the request body is longer than its length, " + length + " bytes");
        }
    }

    private static int parseStatus(String line) throws IOException {
        // HTTP/1.1 200 OK
        if (!line.startsWith("HTTP/") || line.length() < 12 || line.charAt(8) != ' ') {
            throw new IOException("not an HTTP response: "
                    + (line.length() > 40 ? line.substring(0, 40) + "..." : line).replaceAll("[^ -~]", "?"));
        }
        try {
            return Integer.parseInt(line.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line: " + line.replaceAll("[^ -~]", "?"));
        }
    }

    private static Map<String, List<String>> readHeaders(InputStream in) throws IOException {
        Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int total = 0;
        while (true) {
            String line = readLine(in);
            if (line.isEmpty()) {
                return fields;
            }
            total += line.length();
            if (total > MAX_HEADER_BYTES) {
                throw new IOException("response headers larger than " + MAX_HEADER_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue; // a folded or malformed line: ignored, as most clients do
            }
            fields.computeIfAbsent(line.substring(0, colon).strip(), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).strip());
        }
    }

    /** A line of ISO-8859-1 text ended by CRLF (or LF), without its end. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection ended inside the response headers");
            }
            if (b == '\n') {
                int n = line.length();
                if (n > 0 && line.charAt(n - 1) == '\r') {
                    line.setLength(n - 1);
                }
                return line.toString();
            }
            if (line.length() >= 64 * 1024) {
                throw new IOException("a response header line longer than 64 KiB");
            }
            line.append((char) b);
        }
    }

    private Proxy proxyFor(URI uri) {
        if (proxies == null) {
            return null;
        }
        for (Proxy p : proxies.select(uri)) {
            if (p.type() == Proxy.Type.HTTP && p.address() instanceof InetSocketAddress) {
                return p;
            }
        }
        return null;
    }

    private Connection open(String key, boolean https, String host, int port, Proxy proxy) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            InetSocketAddress address;
            if (proxy != null) {
                InetSocketAddress p = (InetSocketAddress) proxy.address();
                address = p.isUnresolved() ? new InetSocketAddress(p.getHostString(), p.getPort()) : p;
            } else {
                address = new InetSocketAddress(unbracket(host), port);
            }
            socket.connect(address, connectTimeoutMillis);
            if (proxy != null && https) {
                tunnel(socket, host, port);
            }
            if (https) {
                SSLSocket ssl = (SSLSocket) tls().createSocket(socket, unbracket(host), port, true);
                if (verifyHostnames) {
                    SSLParameters params = ssl.getSSLParameters();
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                    ssl.setSSLParameters(params);
                }
                ssl.setUseClientMode(true);
                ssl.startHandshake();
                socket = ssl;
            }
            return new Connection(key, socket);
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** {@code CONNECT HOST:PORT} through an HTTP proxy. */
    private void tunnel(Socket socket, String host, int port) throws IOException {
        OutputStream out = socket.getOutputStream();
        String authority = host + ":" + port;
        out.write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        socket.setSoTimeout(connectTimeoutMillis);
        InputStream in = socket.getInputStream(); // unbuffered: nothing past the proxy's answer may be read
        String line = readLine(in);
        int status = parseStatus(line);
        readHeaders(in);
        socket.setSoTimeout(0);
        if (status != 200) {
            throw new IOException("the proxy refused to connect to " + authority + ": " + line);
        }
    }

    private synchronized SSLSocketFactory tls() throws IOException {
        if (tls == null) {
            tls = tlsFactory.get();
        }
        return tls;
    }

    private synchronized Connection take(String key) {
        Deque<Connection> q = idle.get(key);
        while (q != null && !q.isEmpty()) {
            Connection c = q.pollFirst();
            if (!c.socket.isClosed()) {
                return c;
            }
        }
        return null;
    }

    /** A connection whose response was read to its end: kept for the next request. */
    private void release(Connection c) {
        synchronized (this) {
            if (!closed) {
                Deque<Connection> q = idle.computeIfAbsent(c.key, k -> new ArrayDeque<>());
                if (q.size() < MAX_IDLE_PER_ORIGIN) {
                    q.addFirst(c);
                    return;
                }
            }
        }
        c.close();
    }

    /** Closes the idle connections; those in use close when their bodies do. */
    @Override
    public void close() {
        List<Connection> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(Connection::close);
    }

    private static final class Connection {
        final String key;
        final Socket socket;
        final BufferedInputStream in;
        final OutputStream out;

        Connection(String key, Socket socket) throws IOException {
            this.key = key;
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), BUFFER);
            this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    /**
     * A response body read from its connection: a fixed length, chunks, or up to the end of the connection. At its
     * end the connection goes back to the pool (when the server keeps it); closed before, it closes the connection,
     * from any thread (a read blocked in it then fails).
     */
    private static final class BodyStream extends InputStream {
        private final Http1Client owner;
        private final Connection c;
        private final boolean chunked;
        private final boolean keepAlive;
        private long left; // of the fixed length or of the current chunk; -1 to the end of the connection
        private boolean eof;
        private volatile boolean done;

        BodyStream(Http1Client owner, Connection c, long length, boolean chunked, boolean keepAlive) {
            this.owner = owner;
            this.c = c;
            this.chunked = chunked;
            this.keepAlive = keepAlive;
            this.left = chunked ? 0 : length;
            if (!chunked && length == 0) {
                end();
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (eof) {
                return -1;
            }
            if (done) {
                throw new IOException("stream closed");
            }
            if (Thread.currentThread().isInterrupted()) {
                close();
                throw new InterruptedIOException("interrupted while reading a response");
            }
            if (chunked && left == 0) {
                nextChunk();
                if (eof) {
                    return -1;
                }
            }
            int want = left < 0 ? len : (int) Math.min(len, left);
            int n = c.in.read(b, off, want);
            if (n < 0) {
                if (left < 0) {
                    eof = true;
                    done = true;
                    c.close();
                    return -1;
                }
                throw new EOFException("the connection ended " + left + " bytes before the end of the response");
            }
            if (left > 0) {
                left -= n;
                if (left == 0 && !chunked) {
                    end();
                }
            }
            return n;
        }

        private void nextChunk() throws IOException {
            if (eof) {
                return;
            }
            String line = readLine(c.in);
            if (line.isEmpty()) {
                line = readLine(c.in); // the CRLF after the previous chunk's data
            }
            int semicolon = line.indexOf(';');
            String hex = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size in a response: " + hex.replaceAll("[^ -~]", "?"));
            }
            if (size == 0) {
                readHeaders(c.in); // trailers, up to the empty line
                end();
                return;
            }
            left = size;
        }

        @Override
        public int available() throws IOException {
            if (eof || done) {
                return 0;
            }
            int a = c.in.available();
            return left < 0 ? a : (int) Math.min(a, left);
        }

        private void end() {
            eof = true;
            if (!done) {
                done = true;
                if (keepAlive) {
                    owner.release(c);
                } else {
                    c.close();
                }
            }
        }

        @Override
        public void close() {
            if (!done) {
                done = true;
                c.close();
            }
        }
    }

    private record Response(int statusCode, HttpHeaders headers, InputStream body, URI uri)
            implements HttpResponse<InputStream> {
        @Override
        public HttpRequest request() {
            throw new UnsupportedOperationException("not kept");
        }

        @Override
        public Optional<HttpResponse<InputStream>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
