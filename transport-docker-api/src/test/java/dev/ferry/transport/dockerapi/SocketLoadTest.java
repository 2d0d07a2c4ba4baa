package dev.ferry.transport.dockerapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.docker.LoadRejectedException;
import dev.ferry.spi.FerryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SocketLoad} against a fake daemon on a unix socket: what it sends, and how it reads the answer. */
class SocketLoadTest {
    @TempDir
    Path dir;

    private ServerSocketChannel server;
    private Path socket;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @BeforeEach
    void listen() throws IOException {
        socket = dir.resolve("docker.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
    }

    @AfterEach
    void close() throws IOException {
        server.close();
        executor.shutdownNow();
    }

    /** What the fake daemon read: the request head and the de-chunked body. */
    private record Request(String head, byte[] body) {}

    /** Accepts one connection, reads the whole chunked request, answers {@code response}. */
    private Future<Request> daemon(String response) {
        return executor.submit(() -> {
            try (SocketChannel channel = server.accept()) {
                InputStream in = Channels.newInputStream(channel);
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.read());
                }
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                for (int size = Integer.parseInt(line(in), 16); size > 0; size = Integer.parseInt(line(in), 16)) {
                    body.write(in.readNBytes(size));
                    assertEquals("", line(in));
                }
                assertEquals("", line(in));
                OutputStream out = Channels.newOutputStream(channel);
                out.write(response.getBytes(StandardCharsets.UTF_8));
                out.flush();
                return new Request(head.toString(), body.toByteArray());
            }
        });
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            line.append((char) b);
        }
        return line.toString().strip();
    }

    private static String chunked(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(bytes.length) + "\r\n" + body + "\r\n0\r\n\r\n";
    }

    @Test
    void sendsTheArchiveChunkedAndReadsTheLoadedMessage() throws Exception {
        Future<Request> request = daemon(chunked("{\"stream\":\"Loaded image: x:1\\n\"}\r\n"));
        byte[] archive = new byte[3 * 1024 * 1024 + 12_345]; // more than one chunk, the last one short
        new Random(1).nextBytes(archive);
        SocketLoad load = SocketLoad.open(socket, "1.41");
        try {
            for (int at = 0; at < archive.length; at += 65_536) {
                load.body().write(archive, at, Math.min(65_536, archive.length - at));
            }
            load.body().close();
            DockerApiTransport.check(load.response(), "x:1");
        } finally {
            load.close();
        }
        Request got = request.get();
        assertTrue(got.head().startsWith("POST /v1.41/images/load?quiet=1 HTTP/1.1\r\n"), got.head());
        assertTrue(got.head().contains("Transfer-Encoding: chunked\r\n"), got.head());
        assertArrayEquals(archive, got.body());
    }

    @Test
    void anErrorInsideA200IsARejection() throws Exception {
        daemon(chunked("{\"errorDetail\":{\"message\":\"invalid diffID\"},\"error\":\"invalid diffID\"}\n"));
        SocketLoad load = SocketLoad.open(socket, "1.41");
        try {
            load.body().write(new byte[10]);
            load.body().close();
            SocketLoad.Response response = load.response();
            LoadRejectedException e =
                    assertThrows(LoadRejectedException.class, () -> DockerApiTransport.check(response, "x:1"));
            assertTrue(e.getMessage().contains("invalid diffID"), e.getMessage());
        } finally {
            load.close();
        }
    }

    @Test
    void anHttpErrorGivesTheDaemonsMessage() throws Exception {
        String body = "{\"message\":\"no space left on device\"}\n";
        daemon("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body);
        SocketLoad load = SocketLoad.open(socket, "1.41");
        try {
            load.body().close();
            SocketLoad.Response response = load.response();
            FerryException e = assertThrows(FerryException.class, () -> DockerApiTransport.check(response, "x:1"));
            assertTrue(e.getMessage().contains("500: no space left on device"), e.getMessage());
        } finally {
            load.close();
        }
    }

    @Test
    void aResponseWithoutLoadedImageFails() throws Exception {
        daemon(chunked("{\"stream\":\"something else\"}\n"));
        SocketLoad load = SocketLoad.open(socket, "1.41");
        try {
            load.body().close();
            SocketLoad.Response response = load.response();
            FerryException e = assertThrows(FerryException.class, () -> DockerApiTransport.check(response, "x:1"));
            assertTrue(e.getMessage().contains("did not report loading"), e.getMessage());
        } finally {
            load.close();
        }
    }

    @Test
    void aDaemonThatHangsUpIsAWriteFailureOfTheSocket() throws Exception {
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        executor.submit(() -> {
            try (SocketChannel channel = server.accept()) {
                // hangs up once the request's header is in (before it, open() would be the write that fails)
                ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
                String header = "";
                while (!header.contains("\r\n\r\n") && channel.read(buffer) >= 0) {
                    header = new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1);
                }
                accepted.complete(null);
            }
            return null;
        });
        SocketLoad load = SocketLoad.open(socket, "1.41");
        try {
            accepted.get();
            IOException e = assertThrows(IOException.class, () -> {
                byte[] block = new byte[1 << 20];
                for (int i = 0; i < 1024; i++) {
                    load.body().write(block);
                }
            });
            assertTrue(load.isSocketFailure(e), String.valueOf(e));
            assertTrue(!load.isSocketFailure(new IOException("the source broke")));
        } finally {
            load.close();
        }
    }
}
