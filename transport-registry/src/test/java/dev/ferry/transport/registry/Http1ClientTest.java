package dev.ferry.transport.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry transport's HTTP/1.1 client against a scripted loopback server: each accepted connection answers the
 * requests it reads with the next scripted responses, and the test sees the requests and how many connections were
 * opened.
 */
class Http1ClientTest {
    private final BlockingQueue<String> script = new LinkedBlockingQueue<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> sockets =
            new CopyOnWriteArrayList<>(); // iterated by stop() while the server may still accept
    private ServerSocket server;
    private Http1Client client;

    /** Starts the server; a scripted response "CLOSE" closes the connection instead of answering. */
    private URI start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    connections.incrementAndGet();
                    Thread c = new Thread(() -> serve(s));
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        client = new Http1Client(
                () -> {
                    throw new IOException("no TLS here");
                },
                null,
                Duration.ofSeconds(10),
                true);
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                StringBuilder head = new StringBuilder();
                String line;
                long length = 0;
                while (!(line = Http1Client.readLine(in)).isEmpty()) {
                    head.append(line).append('\n');
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Long.parseLong(line.substring(15).strip());
                    }
                }
                byte[] body = in.readNBytes((int) length);
                requests.add(head + new String(body, StandardCharsets.ISO_8859_1));
                String response = script.take();
                if (response.equals("CLOSE")) {
                    return;
                }
                out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the connection ends
        }
    }

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        for (Socket s : sockets) {
            s.close();
        }
    }

    private HttpResponse<InputStream> get(URI base, String path) throws IOException {
        return client.send("GET", base.resolve(path), Map.of("User-Agent", "test"), Http1Client.Body.NONE, null);
    }

    @Test
    void readsFixedLengthAndChunkedBodiesOverOneKeptConnection() throws Exception {
        URI base = start();
        script.add("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello");
        script.add("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;x=y\r\nabc\r\n4\r\ndefg\r\n0\r\nTrailer: t\r\n\r\n");
        script.add("HTTP/1.1 204 No Content\r\n\r\n");
        HttpResponse<InputStream> first = get(base, "/v2/a?x=1");
        assertEquals(200, first.statusCode());
        assertEquals("text/plain", first.headers().firstValue("content-type").orElse(null));
        assertArrayEquals("hello".getBytes(), first.body().readAllBytes());
        HttpResponse<InputStream> second = get(base, "/v2/b");
        assertEquals(200, second.statusCode());
        assertArrayEquals("abcdefg".getBytes(), second.body().readAllBytes());
        assertEquals(204, get(base, "/v2/c").statusCode());
        assertEquals(1, connections.get(), "one connection for the three requests");
        assertTrue(requests.get(0).startsWith("GET /v2/a?x=1 HTTP/1.1\nHost: 127.0.0.1:"), requests.get(0));
        assertTrue(requests.get(0).contains("User-Agent: test"), requests.get(0));
    }

    @Test
    void aBodyClosedBeforeItsEndClosesItsConnection() throws Exception {
        URI base = start();
        script.add("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
        script.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        HttpResponse<InputStream> first = get(base, "/one");
        assertEquals('0', first.body().read());
        first.body().close();
        assertArrayEquals("ok".getBytes(), get(base, "/two").body().readAllBytes());
        assertEquals(2, connections.get(), "the cut connection was not reused");
    }

    @Test
    void headHasNoBodyAndSendsBodiesWithTheirLength() throws Exception {
        URI base = start();
        script.add("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
        script.add("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        script.add("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        HttpResponse<InputStream> head =
                client.send("HEAD", base.resolve("/blob"), Map.of(), Http1Client.Body.NONE, Duration.ofSeconds(10));
        assertEquals(1234, head.headers().firstValueAsLong("Content-Length").orElse(-1));
        assertEquals(-1, head.body().read());
        byte[] bytes = "xxpayloadxx".getBytes();
        client.send("PUT", base.resolve("/put"), Map.of(), new Http1Client.Body(bytes, 2, 7, null, -1), null)
                .body()
                .close();
        client.send(
                        "PATCH",
                        base.resolve("/patch"),
                        Map.of(),
                        new Http1Client.Body(null, 0, 0, new ByteArrayInputStream("streamed".getBytes()), 8),
                        null)
                .body()
                .close();
        assertTrue(requests.get(1).endsWith("Content-Length: 7\npayload"), requests.get(1));
        assertTrue(requests.get(2).endsWith("Content-Length: 8\nstreamed"), requests.get(2));
    }

    @Test
    void aKeptConnectionTheServerClosedIsReplacedForARequestThatCanBeSentAgain() throws Exception {
        URI base = start();
        script.add("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        script.add("CLOSE"); // the kept connection dies with the second request
        script.add("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertArrayEquals("a".getBytes(), get(base, "/1").body().readAllBytes());
        assertArrayEquals("b".getBytes(), get(base, "/2").body().readAllBytes());
        assertEquals(2, connections.get());
    }

    @Test
    void aStreamedBodyThatIsLongerOrShorterThanItsLengthFails() throws Exception {
        URI base = start();
        assertThrows(
                IOException.class,
                () -> client.send(
                        "PATCH",
                        base.resolve("/p"),
                        Map.of(),
                        new Http1Client.Body(null, 0, 0, new ByteArrayInputStream("toolong".getBytes()), 3),
                        null));
        assertThrows(
                IOException.class,
                () -> client.send(
                        "PATCH",
                        base.resolve("/p"),
                        Map.of(),
                        new Http1Client.Body(null, 0, 0, new ByteArrayInputStream("ab".getBytes()), 3),
                        null));
    }

    @Test
    void aConnectionThatEndsInsideABodyFails() throws Exception {
        URI base = start();
        script.add("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
        script.add("CLOSE");
        HttpResponse<InputStream> r = get(base, "/cut");
        InputStream body = r.body();
        // the server closes after the next request it reads; this connection's reader sees the end
        assertThrows(IOException.class, () -> {
            byte[] buf = new byte[200];
            int total = 0;
            int n;
            while ((n = body.read(buf)) >= 0) {
                total += n;
                if (total == 5) {
                    sockets.get(0).close();
                }
            }
        });
    }
}
