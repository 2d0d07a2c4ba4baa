package dev.ferry.transport.dockerapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.LoadResponseItem;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.ferry.docker.DaemonUnreachableException;
import dev.ferry.docker.DockerArchiveSink;
import dev.ferry.docker.DockerArchiveSource;
import dev.ferry.docker.DockerOptions;
import dev.ferry.docker.DockerReference;
import dev.ferry.docker.LoadRejectedException;
import dev.ferry.spi.ContainerExport;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.TransportOption;
import dev.ferry.spi.support.BlockPipe;
import dev.ferry.spi.support.ShutdownCleanup;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code docker-api:NAME[:TAG]} or {@code docker-api:@sha256:ID}: the Docker daemon through its Engine API, with
 * docker-java, no CLI and no process. Reading is {@code GET /images/{name}/get}, spooled once to a temporary file
 * under {@code --tmpdir}; writing streams a docker archive into {@code POST /images/load} (over a unix socket
 * written by hand, {@link SocketLoad}; to other hosts through docker-java and a pipe) and reads the response body
 * to the end, since the daemon reports a failed load inside an HTTP 200.
 */
public final class DockerApiTransport implements Transport {
    @Override
    public String name() {
        return "docker-api";
    }

    @Override
    public List<TransportOption> options() {
        return List.of(DockerOptions.HOST, DockerOptions.TLS_VERIFY, DockerOptions.CERT_PATH);
    }

    @Override
    public String syntax() {
        return "docker-api:NAME[:TAG]|@sha256:ID";
    }

    @Override
    public ImageReference parse(String reference) throws InvalidReferenceException {
        return new Reference(this, reference, DockerReference.parseFor(this, reference));
    }

    /** A parsed {@code docker-api:} reference. */
    record Reference(DockerApiTransport transport, String text, DockerReference image)
            implements ImageReference, ContainerExport {
        @Override
        public InputStream exportContainer(OpenContext context) throws IOException {
            DaemonClient daemon = DaemonClient.connect(context);
            String id;
            try {
                id = daemon.docker()
                        .createContainerCmd(image.forDocker())
                        .withCmd("/dev/null")
                        .exec()
                        .getId();
            } catch (RuntimeException e) {
                daemon.close();
                throw daemon.failure("creating a container of " + image.forDocker(), displayName(), e);
            }
            Runnable remove = () -> {
                try {
                    daemon.docker().removeContainerCmd(id).withForce(true).exec();
                } catch (RuntimeException e) {
                    // the container or the daemon is gone
                }
            };
            ShutdownCleanup.register(remove);
            DockerHttpClient.Response response = null;
            try {
                response = daemon.get("/containers/" + id + "/export");
                if (response.getStatusCode() != 200) {
                    throw new FerryException(
                            "the Docker daemon refused to export container " + id + ": HTTP "
                                    + response.getStatusCode(),
                            null);
                }
            } catch (IOException | RuntimeException e) {
                if (response != null) {
                    response.close();
                }
                remove.run();
                ShutdownCleanup.unregister(remove);
                daemon.close();
                throw e instanceof RuntimeException r
                        ? daemon.failure("exporting " + id, displayName(), r)
                        : (IOException) e;
            }
            DockerHttpClient.Response open = response;
            return new FilterInputStream(open.getBody()) {
                private boolean closed;

                @Override
                public void close() throws IOException {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    try {
                        super.close();
                        open.close();
                    } finally {
                        remove.run();
                        ShutdownCleanup.unregister(remove);
                        daemon.close();
                    }
                }
            };
        }

        @Override
        public String stringWithinTransport() {
            return text;
        }

        @Override
        public ImageSource openSource(OpenContext context) throws IOException {
            try (DaemonClient daemon = DaemonClient.connect(context)) {
                return DockerArchiveSource.openSpooled(this, context, reader -> {
                    try (InputStream save =
                            daemon.docker().saveImageCmd(image.forDocker()).exec()) {
                        reader.read(save);
                    } catch (RuntimeException e) {
                        throw daemon.failure("saving " + image.forDocker(), displayName(), e);
                    }
                });
            }
        }

        @Override
        public ImageSink openSink(OpenContext context) throws IOException {
            return new DockerArchiveSink(this, new LoadTarget(context, displayName()), image.tagsToWrite(this));
        }

        @Override
        public String toString() {
            return displayName();
        }
    }

    /**
     * Streams the archive into {@code POST /images/load}: the sink writes into a pipe whose other end is the
     * request body, sent by docker-java's async load on its own thread. A {@link BlockPipe} of 4 MiB lets both
     * run at once ({@code PipedInputStream} made them take turns: 46.5 s for the 2.1 GiB benchmark image).
     */
    static final class LoadTarget implements DockerArchiveSink.Target {
        private final OpenContext context;
        private final String reference;
        private DaemonClient daemon;
        private BlockPipe pipe;
        private InputStream body;
        private Collector result;
        /** The load over the daemon's unix socket, written by hand; null for other hosts (docker-java's). */
        private SocketLoad socket;

        LoadTarget(OpenContext context, String reference) {
            this.context = context;
            this.reference = reference;
        }

        @Override
        public OutputStream stream() throws IOException {
            if (socket != null) {
                return socket.body();
            }
            if (pipe == null) {
                daemon = DaemonClient.connect(context);
                if (daemon.host().startsWith("unix://")) {
                    try {
                        socket = SocketLoad.open(
                                Path.of(daemon.host().substring("unix://".length())), daemon.apiVersion());
                    } catch (IOException e) {
                        daemon.close();
                        throw new DaemonUnreachableException(daemon.host(), String.valueOf(e.getMessage()), e);
                    }
                    return socket.body();
                }
                pipe = new BlockPipe(1 << 20, 4);
                body = pipe.input();
                result = new Collector(body);
                try {
                    daemon.docker().loadImageAsyncCmd(body).exec(result);
                } catch (RuntimeException e) {
                    throw daemon.failure("docker load", reference, e);
                }
            }
            return pipe.output();
        }

        @Override
        public void commit() throws IOException {
            if (socket != null) {
                try {
                    socket.body().close();
                    check(socket.response(), reference);
                } finally {
                    socket.close();
                    daemon.close();
                }
                return;
            }
            pipe.output().close();
            try {
                result.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("interrupted while the Docker daemon loaded " + reference, null);
            } finally {
                daemon.close();
            }
            result.check(daemon, reference);
        }

        @Override
        public void abort() {
            if (socket != null) {
                socket.close(); // the request body breaks off: the daemon discards the partial load
                daemon.close();
                return;
            }
            try {
                if (body != null) {
                    body.close(); // the request body breaks off: the daemon discards the partial load
                }
                if (result != null) {
                    result.close();
                }
            } catch (IOException e) {
                // nothing more to do
            } finally {
                if (daemon != null) {
                    daemon.close();
                }
            }
        }

        @Override
        public IOException explain(IOException writeFailure) {
            if (socket != null) {
                if (!socket.isSocketFailure(writeFailure)) {
                    return writeFailure; // this side's failure (the blob's stream), not the daemon's
                }
                try {
                    check(socket.response(), reference); // the daemon stopped reading: its answer says why
                } catch (IOException e) {
                    return e;
                }
                return new FerryException(
                        "the Docker daemon stopped reading the image: " + writeFailure.getMessage(),
                        null,
                        writeFailure);
            }
            if (result == null) {
                return writeFailure;
            }
            try {
                if (!result.await(2)) {
                    // the daemon still reads: the failure is this side's (the blob's stream), not the daemon's
                    return writeFailure;
                }
                result.check(daemon, reference);
            } catch (IOException e) {
                return e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new FerryException(
                    "the Docker daemon stopped reading the image: " + writeFailure.getMessage(), null, writeFailure);
        }
    }

    /** Fails unless {@code response} (to a load over the socket) reports the image loaded. */
    static void check(SocketLoad.Response response, String reference) throws IOException {
        if (response.status() != 200) {
            String message =
                    response.messages().isEmpty() || !response.messages().get(0).hasNonNull("message")
                            ? response.text()
                            : response.messages().get(0).get("message").asText();
            throw new FerryException(
                    "loading " + reference + " failed: the daemon answered " + response.status() + ": "
                            + message.strip().replace('\n', ' '),
                    null);
        }
        boolean loaded = false;
        for (JsonNode item : response.messages()) {
            JsonNode detail = item.path("errorDetail").path("message");
            if (detail.isTextual()) {
                throw new LoadRejectedException(reference, detail.asText(), null);
            }
            if (item.path("error").isTextual()) {
                throw new LoadRejectedException(reference, item.get("error").asText(), null);
            }
            loaded |= item.path("stream").asText("").startsWith("Loaded image");
        }
        if (!loaded) {
            throw new FerryException("the Docker daemon did not report loading " + reference, null);
        }
    }

    /**
     * Collects the load's response items: an error inside a 200 response fails the load. When the response ends
     * (the daemon died, or answered before reading everything), the request body is closed, so that the sink's
     * writer fails ("the pipe's reader is gone") instead of waiting forever for a reader that is gone.
     */
    static final class Collector extends ResultCallback.Adapter<LoadResponseItem> {
        private final List<String> errors = new ArrayList<>();
        private final List<String> loaded = new ArrayList<>();
        private final InputStream body;
        private volatile Throwable failure;

        Collector(InputStream body) {
            this.body = body;
        }

        @Override
        public void onError(Throwable throwable) {
            failure = throwable;
            try {
                super.onError(throwable);
            } finally {
                closeBody();
            }
        }

        @Override
        public void onComplete() {
            try {
                super.onComplete();
            } finally {
                closeBody();
            }
        }

        private void closeBody() {
            try {
                body.close();
            } catch (IOException e) {
                // closing a pipe's reader does not fail
            }
        }

        /** As {@link #await()}, for {@code seconds} at most; whether the response ended. */
        boolean await(long seconds) throws InterruptedException {
            try {
                return awaitCompletion(seconds, TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
                return true;
            }
        }

        /** Waits for the response to end; failures are kept for {@link #check}, not thrown here. */
        void await() throws InterruptedException {
            try {
                awaitCompletion();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }

        @Override
        public void onNext(LoadResponseItem item) {
            synchronized (this) {
                if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
                    errors.add(item.getErrorDetail().getMessage());
                } else if (item.getError() != null) {
                    errors.add(item.getError());
                } else if (item.getStream() != null && item.getStream().startsWith("Loaded image")) {
                    loaded.add(item.getStream().strip());
                }
            }
        }

        void check(DaemonClient daemon, String reference) throws IOException {
            if (failure instanceof RuntimeException e) {
                throw daemon.failure("loading " + reference, reference, e);
            }
            if (failure != null) {
                throw new FerryException("loading " + reference + " failed: " + failure, null, failure);
            }
            synchronized (this) {
                if (!errors.isEmpty()) {
                    throw new LoadRejectedException(reference, errors.get(0), null);
                }
                if (loaded.isEmpty()) {
                    throw new FerryException("the Docker daemon did not report loading " + reference, null);
                }
            }
        }
    }
}
