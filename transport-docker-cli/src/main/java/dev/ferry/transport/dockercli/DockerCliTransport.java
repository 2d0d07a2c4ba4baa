package dev.ferry.transport.dockercli;

import dev.ferry.docker.DockerArchiveSink;
import dev.ferry.docker.DockerArchiveSource;
import dev.ferry.docker.DockerOptions;
import dev.ferry.docker.DockerReference;
import dev.ferry.spi.ContainerExport;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.TransportOption;
import dev.ferry.spi.support.ShutdownCleanup;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code docker-cli:NAME[:TAG]} or {@code docker-cli:@sha256:ID}: the local Docker daemon through the
 * {@code docker} command. Reading runs {@code docker save}, whose stream is spooled once to a temporary file
 * under {@code --tmpdir} (its {@code manifest.json} comes last) and then served by offset; writing streams a
 * docker archive into {@code docker load}, tagged NAME:TAG.
 */
public final class DockerCliTransport implements Transport {
    @Override
    public String name() {
        return "docker-cli";
    }

    @Override
    public List<TransportOption> options() {
        return List.of(DockerOptions.HOST, DockerOptions.TLS_VERIFY, DockerOptions.CERT_PATH, DockerOptions.BINARY);
    }

    @Override
    public String syntax() {
        return "docker-cli:NAME[:TAG]|@sha256:ID";
    }

    @Override
    public ImageReference parse(String reference) throws InvalidReferenceException {
        return new Reference(this, reference, DockerReference.parseFor(this, reference));
    }

    /** A parsed {@code docker-cli:} reference. */
    record Reference(DockerCliTransport transport, String text, DockerReference image)
            implements ImageReference, ContainerExport {
        @Override
        public InputStream exportContainer(OpenContext context) throws IOException {
            DockerCommand docker = new DockerCommand(context);
            String id;
            try (DockerCommand.Running create = docker.start("create", image.forDocker(), "/dev/null")) {
                create.process.getOutputStream().close();
                id = new String(create.process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                create.check("docker create " + image.forDocker(), displayName());
            }
            Runnable remove = () -> {
                try (DockerCommand.Running rm = docker.startQuiet("rm", "-f", id)) {
                    rm.process.getOutputStream().close();
                    rm.waitFor();
                } catch (IOException e) {
                    // reported by nobody: the container is gone or the daemon is
                }
            };
            ShutdownCleanup.register(remove);
            DockerCommand.Running export;
            try {
                export = docker.start("export", id);
                export.process.getOutputStream().close();
            } catch (IOException | RuntimeException e) {
                remove.run();
                ShutdownCleanup.unregister(remove);
                throw e;
            }
            return new FilterInputStream(export.process.getInputStream()) {
                private boolean closed;

                @Override
                public void close() throws IOException {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    try {
                        boolean complete = in.read() < 0;
                        super.close();
                        if (complete) {
                            export.check("docker export", displayName());
                        } else {
                            export.kill();
                        }
                    } finally {
                        export.close();
                        remove.run();
                        ShutdownCleanup.unregister(remove);
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
            DockerCommand docker = new DockerCommand(context);
            return DockerArchiveSource.openSpooled(this, context, reader -> {
                try (DockerCommand.Running save = docker.start("save", image.forDocker())) {
                    save.process.getOutputStream().close();
                    try (InputStream in = save.process.getInputStream()) {
                        reader.read(in);
                    } catch (IOException e) {
                        // A stream cut short: docker's own reason, when it gives one, says more than ours.
                        if (exitedWithError(save.process)) {
                            save.check("docker save " + image.forDocker(), displayName());
                        }
                        throw e;
                    }
                    save.check("docker save " + image.forDocker(), displayName());
                }
            });
        }

        @Override
        public ImageSink openSink(OpenContext context) throws IOException {
            return new DockerArchiveSink(
                    this, new LoadTarget(new DockerCommand(context), displayName()), image.tagsToWrite(this));
        }

        @Override
        public String toString() {
            return displayName();
        }
    }

    /** Streams the archive into {@code docker load}. */
    static final class LoadTarget implements DockerArchiveSink.Target {
        private final DockerCommand docker;
        private final String reference;
        private DockerCommand.Running load;

        LoadTarget(DockerCommand docker, String reference) {
            this.docker = docker;
            this.reference = reference;
        }

        @Override
        public OutputStream stream() throws IOException {
            if (load == null) {
                load = docker.startQuiet("load");
            }
            return load.process.getOutputStream();
        }

        @Override
        public void commit() throws IOException {
            load.process.getOutputStream().close();
            load.check("docker load", reference);
        }

        @Override
        public void abort() {
            if (load != null) {
                load.kill();
            }
        }

        @Override
        public IOException explain(IOException writeFailure) {
            if (load == null) {
                return writeFailure;
            }
            try {
                if (!load.process.waitFor(2, TimeUnit.SECONDS)) {
                    // docker load still reads: the failure is this side's (the blob's stream), not the daemon's
                    return writeFailure;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return writeFailure;
            }
            try {
                int code = load.waitFor();
                return docker.failure("docker load", reference, code, load.stderr());
            } catch (IOException e) {
                return writeFailure;
            }
        }
    }

    private static boolean exitedWithError(Process process) {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) && process.exitValue() != 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
