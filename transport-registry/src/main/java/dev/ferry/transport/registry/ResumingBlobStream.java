package dev.ferry.transport.registry;

import dev.ferry.model.Descriptor;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    /** Every open stream, checked each second for a read that has waited too long. */
    private static final Set<ResumingBlobStream> OPEN = ConcurrentHashMap.newKeySet();

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-registry-stall-watchdog");
        t.setDaemon(true);
        return t;
    });

    static {
        WATCHDOG.scheduleWithFixedDelay(ResumingBlobStream::checkStalls, 1, 1, TimeUnit.SECONDS);
    }

    private volatile long readingSince; // System.nanoTime() when the pending read started, 0 when none
    private volatile boolean stalled;
    private volatile InputStream reading;

    private final RegistryClient client;
    private final RegistryClient.Call call;
    private final Descriptor descriptor;
    private final RegistryReference reference;
    private InputStream current;
    private long offset;
    private long expected = -1;
    private int failures;
    private boolean closed;

    ResumingBlobStream(
            RegistryClient client, RegistryClient.Call call, Descriptor descriptor, RegistryReference reference) {
        this.client = client;
        this.call = call;
        this.descriptor = descriptor;
        this.reference = reference;
    }

    /** Sends the first request; returns the size the registry gives, or -1. */
    long open() throws IOException {
        connect();
        OPEN.add(this);
        return expected;
    }

    /** Closes the body of each stream whose read has waited longer than its stall timeout: the read then ends. */
    private static void checkStalls() {
        long now = System.nanoTime();
        for (ResumingBlobStream s : OPEN) {
            long since = s.readingSince;
            InputStream body = s.reading;
            if (since != 0
                    && body != null
                    && now - since > s.client.settings().stallTimeout().toNanos()) {
                s.stalled = true;
                try {
                    body.close();
                } catch (IOException | RuntimeException e) {
                    // the read fails or ends either way
                }
            }
        }
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
                throw new FerryException(
                        "registry " + client.registry() + " resumed blob " + descriptor.digest()
                                + " at the wrong offset (" + range + ", wanted " + offset + ")",
                        "run the copy again");
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
            InputStream body = current;
            try {
                reading = body;
                readingSince = System.nanoTime();
                n = body.read(b, off, len);
            } catch (IOException e) {
                if (!stalled && !RegistryClient.transientFailure(e)) {
                    throw e;
                }
                broke(
                        stalled
                                ? stallReason()
                                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                continue;
            } finally {
                readingSince = 0;
                reading = null;
            }
            if (stalled) {
                broke(stallReason());
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

    private String stallReason() {
        return "no byte arrived for " + Retry.format(client.settings().stallTimeout());
    }

    private void broke(String why) throws IOException {
        stalled = false;
        RegistryClient.closeNow(current);
        current = null;
        Retry retry = client.retry();
        if (!retry.mayRetry(failures)) {
            throw new FerryException(
                    "download of blob " + descriptor.digest() + " from " + reference.displayName() + " broke at byte "
                            + offset + ": " + why + " (" + (failures + 1) + " tries)",
                    "check the network; --retry-times N tries more often");
        }
        retry.waitBefore(
                failures,
                "download of blob " + descriptor.digest().shortHex() + " broke at byte " + offset + " (" + why
                        + "); resuming from there",
                retry.delay(failures, null));
        failures++;
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted");
        }
    }

    @Override
    public void close() {
        closed = true;
        OPEN.remove(this);
        RegistryClient.closeNow(current);
        current = null;
    }
}
