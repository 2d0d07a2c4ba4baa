package dev.ferry.transport.dockerapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /images/load} over the daemon's unix socket, written by hand: the request body goes out in chunks of
 * 1 MiB, each in one gathering write, from the thread that makes the archive. docker-java's HTTP client sent 8 KiB
 * chunks in three writes each, read by the daemon 2 KiB at a time on average (770,000 reads for the 1.64 GB
 * benchmark image against 237,000 for {@code docker load}'s), and through a pipe to a thread of its own.
 */
final class SocketLoad {
    /** The response is a few JSON lines; more than this is not a load response. */
    private static final int MAX_RESPONSE = 16 << 20;

    private static final int CHUNK = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The daemon's answer: the HTTP status and the JSON messages of its body. */
    record Response(int status, List<JsonNode> messages, String text) {}

    private final SocketChannel channel;
    private final ChunkedBody body;
    private IOException socketFailure;

    private SocketLoad(SocketChannel channel) {
        this.channel = channel;
        this.body = new ChunkedBody();
    }

    /** Connects to {@code socket} and sends the request's head; the body follows through {@link #body()}. */
    static SocketLoad open(Path socket, String apiVersion) throws IOException {
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        try {
            String head = "POST /v" + apiVersion + "/images/load?quiet=1 HTTP/1.1\r\n"
                    + "Host: docker\r\n"
                    + "User-Agent: ferry\r\n"
                    + "Content-Type: application/x-tar\r\n"
                    + "Transfer-Encoding: chunked\r\n"
                    + "\r\n";
            writeFully(channel, ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
            return new SocketLoad(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The request body: an archive written here goes out chunked; close() ends it. */
    OutputStream body() {
        return body;
    }

    /** Whether {@code e} is (or was caused by) a failure to write to the daemon's socket. */
    boolean isSocketFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t == socketFailure) {
                return true;
            }
        }
        return false;
    }

    /** Reads the daemon's answer to the end (after the body was ended, or the daemon stopped reading it). */
    Response response() throws IOException {
        InputStream in = Channels.newInputStream(channel);
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response from the Docker daemon: " + status);
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP response from the Docker daemon: " + status, e);
        }
        boolean chunked = false;
        long length = -1;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            if (name.equals("transfer-encoding")
                    && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            } else if (name.equals("content-length")) {
                length = Long.parseLong(value);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (chunked) {
            for (long size = Long.parseLong(line(in).split(";", 2)[0].trim(), 16);
                    size > 0;
                    size = Long.parseLong(line(in).split(";", 2)[0].trim(), 16)) {
                copy(in, bytes, size);
                line(in); // the chunk's CRLF
            }
        } else if (length >= 0) {
            copy(in, bytes, length);
        } else {
            copy(in, bytes, MAX_RESPONSE + 1L);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        List<JsonNode> messages = new ArrayList<>();
        try (var parser = JSON.getFactory().createParser(text)) {
            for (var it = JSON.readValues(parser, JsonNode.class); it.hasNext(); ) {
                messages.add(it.next());
            }
        } catch (IOException | RuntimeException e) {
            // not JSON (a plain-text error): kept as text
        }
        return new Response(code, messages, text.strip());
    }

    /** Closes the connection: a body not ended breaks off, and the daemon discards the partial load. */
    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out, long size) throws IOException {
        byte[] buffer = new byte[8192];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                if (size > MAX_RESPONSE) {
                    return; // read to the end of a response of no stated length
                }
                throw new EOFException("the Docker daemon's response ended early");
            }
            if (out.size() + n > MAX_RESPONSE) {
                throw new IOException("the Docker daemon's response to the load is larger than " + MAX_RESPONSE);
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /** One CRLF-terminated line of the response head, without the CRLF; bounded. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the Docker daemon closed the connection before it answered the load");
            }
            if (line.size() > 64 << 10) {
                throw new IOException("the Docker daemon's response has a line longer than 64 KiB");
            }
            line.write(b);
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static void writeFully(SocketChannel channel, ByteBuffer... buffers) throws IOException {
        long left = 0;
        for (ByteBuffer b : buffers) {
            left += b.remaining();
        }
        while (left > 0) {
            left -= channel.write(buffers);
        }
    }

    /** Chunked transfer coding, one chunk per {@link #CHUNK} bytes, each in one gathering write. */
    private final class ChunkedBody extends OutputStream {
        private final ByteBuffer data = ByteBuffer.allocateDirect(CHUNK);
        private final ByteBuffer crlf = ByteBuffer.allocate(2);
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("the load's request body is already ended");
            }
            int at = off;
            int left = len;
            while (left > 0) {
                int n = Math.min(left, data.remaining());
                data.put(b, at, n);
                at += n;
                left -= n;
                if (!data.hasRemaining()) {
                    sendChunk();
                }
            }
        }

        private void sendChunk() throws IOException {
            data.flip();
            if (data.hasRemaining()) {
                ByteBuffer header = ByteBuffer.wrap(
                        (Integer.toHexString(data.remaining()) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                crlf.clear();
                crlf.put((byte) '\r').put((byte) '\n').flip();
                send(header, data, crlf);
            }
            data.clear();
        }

        private void send(ByteBuffer... buffers) throws IOException {
            try {
                writeFully(channel, buffers);
            } catch (IOException e) {
                socketFailure = e;
                throw e;
            }
        }

        /** Sends what is buffered as a chunk (a flush of the archive's stream need not reach the daemon at once). */
        @Override
        public void flush() {
            // chunks go out when full, and at close
        }

        /** Sends the last chunk and ends the body; the connection stays open for the response. */
        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            sendChunk();
            closed = true;
            send(ByteBuffer.wrap("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        }
    }
}
