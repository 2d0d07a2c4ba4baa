package dev.ferry.transport.registry;

import dev.ferry.model.Descriptor;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A blob's bytes from a registry, resumed where they broke: when the connection fails (or ends early) the stream asks
 * again with {@code Range: bytes=OFFSET-} and goes on from there, up to {@code retry-times} times in a row without
 * progress. A server that ignores the Range is read from the start, the bytes already passed skipped. The caller
 * verifies the bytes as usual.
 */
final class ResumingBlobStream extends InputStream {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final RegistryClient client;
    private final RegistryClient.Call call;
    private final Descriptor descriptor;
    private final RegistryReference reference;
    private InputStream current;
    private long offset;
    private long expected = -1;
    private int failures;
    private boolean closed;

    ResumingBlobStream(RegistryClient client, RegistryClient.Call call, Descriptor descriptor,
                       RegistryReference reference) {
        this.client = client;
        this.call = call;
        this.descriptor = descriptor;
        this.reference = reference;
    }

    /** Sends the first request; returns the size the registry gives, or -1. */
    long open() throws IOException {
        connect();
        return expected;
    }

    private void connect() throws IOException {
        RegistryClient.Call c = offset > 0 ? call.header("Range", "bytes=" + offset + "-") : call;
        HttpResponse<InputStream> response = client.send(c);
        int status = response.statusCode();
        InputStream body = response.body();
        if (status == 404) {
            RegistryClient.closeQuietly(body);
            throw new BlobNotFoundException(descriptor.digest(), reference.displayName());
        }
        if (status == 200) {
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (expected < 0) {
                expected = length;
            }
            if (offset > 0) {
                // the server ignored the Range: skip what was already passed on
                try {
                    body.skipNBytes(offset);
                } catch (IOException e) {
                    RegistryClient.closeQuietly(body);
                    throw e;
                }
            }
            current = body;
            return;
        }
        if (status == 206 && offset > 0) {
            String range = response.headers().firstValue("Content-Range").orElse("");
            Matcher m = CONTENT_RANGE.matcher(range);
            if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
                RegistryClient.closeQuietly(body);
                throw new FerryException("registry " + client.registry() + " resumed blob " + descriptor.digest()
                        + " at the wrong offset (" + range + ", wanted " + offset + ")", "run the copy again");
            }
            current = body;
            return;
        }
        throw client.failure(response, body, "GET blob " + descriptor.digest(), reference.repository());
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
        while (true) {
            if (closed) {
                throw new IOException("stream closed");
            }
            if (current == null) {
                connect();
            }
            int n;
            try {
                n = current.read(b, off, len);
            } catch (IOException e) {
                if (!RegistryClient.transientFailure(e)) {
                    throw e;
                }
                broke(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                continue;
            }
            if (n < 0) {
                if (expected >= 0 && offset < expected) {
                    broke("the connection ended after " + offset + " of " + expected + " bytes");
                    continue;
                }
                return -1;
            }
            offset += n;
            failures = 0;
            return n;
        }
    }

    private void broke(String why) throws IOException {
        RegistryClient.closeQuietly(current);
        current = null;
        Retry retry = client.retry();
        if (!retry.mayRetry(failures)) {
            throw new FerryException("download of blob " + descriptor.digest() + " from " + reference.displayName()
                    + " broke at byte " + offset + ": " + why + " (" + (failures + 1) + " tries)",
                    "check the network; --retry-times N tries more often");
        }
        retry.waitBefore(failures, "download of blob " + descriptor.digest().shortHex() + " broke at byte " + offset
                + " (" + why + "); resuming from there", retry.delay(failures, null));
        failures++;
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted");
        }
    }

    @Override
    public void close() {
        closed = true;
        RegistryClient.closeQuietly(current);
        current = null;
    }
}
