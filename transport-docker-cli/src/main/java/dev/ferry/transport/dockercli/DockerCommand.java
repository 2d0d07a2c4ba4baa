package dev.ferry.transport.dockercli;

import dev.ferry.docker.DaemonPermissionException;
import dev.ferry.docker.DaemonUnreachableException;
import dev.ferry.docker.DockerCliMissingException;
import dev.ferry.docker.DockerOptions;
import dev.ferry.docker.LoadRejectedException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.ShutdownCleanup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the {@code docker} command: from PATH or {@code --docker-binary}, with the environment passed through
 * (DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), and the options given put
 * there as docker reads them: DOCKER_HOST replaced by {@code --docker-host}, DOCKER_CERT_PATH by {@code
 * --docker-cert-path}, DOCKER_TLS_VERIFY set by {@code --docker-tls-verify} (to a {@code tcp://} daemon, as the
 * docker-api transport) and removed by {@code --docker-tls-verify=false}. DOCKER_TLS (docker's TLS without checking
 * the daemon's certificate) never reaches docker: it asks for TLS, checked, as for docker-api ({@link
 * DockerOptions#tlsVerify(Optional, Map)}). Every child is registered with {@link
 * ShutdownCleanup}, so none outlives an interrupted Ferry. Failures are read from stderr and the exit status and
 * told apart: CLI missing, daemon down, image not found.
 */
final class DockerCommand {
    private final String binary;
    private final String host;
    private final Boolean tlsVerify;
    private final String certPath;

    DockerCommand(OpenContext context) {
        this.binary = context.option(DockerOptions.BINARY).orElse("docker");
        // the environment reaches the child as it is; only the options given change it
        this.host = context.option(DockerOptions.HOST.name()).orElse(null);
        this.tlsVerify = DockerOptions.tlsVerifyGiven(context).orElse(null);
        this.certPath = context.option(DockerOptions.CERT_PATH.name()).orElse(null);
    }

    /**
     * Puts the options given into {@code env}, the child's environment, where the docker CLI reads them: the files
     * stay docker's to read, with its own defaults (a missing cert.pem and key.pem: no client certificate). TLS is
     * on or off as for docker-api: DOCKER_TLS is removed, and when it asked for TLS to a {@code tcp://} daemon,
     * DOCKER_TLS_VERIFY is set instead.
     */
    void environment(Map<String, String> env) {
        if (host != null) {
            env.put("DOCKER_HOST", host);
            env.remove("DOCKER_CONTEXT");
        }
        if (certPath != null) {
            env.put("DOCKER_CERT_PATH", certPath);
        }
        boolean tls = DockerOptions.tlsVerify(Optional.ofNullable(tlsVerify), env);
        env.remove(DockerOptions.DOCKER_TLS);
        if (!tls) {
            env.remove("DOCKER_TLS_VERIFY");
        } else if (DockerOptions.tlsApplies(env.get("DOCKER_HOST"))) {
            env.put("DOCKER_TLS_VERIFY", "1");
        }
    }

    /** A running docker command. Its stderr is collected on a thread of its own. */
    final class Running implements AutoCloseable {
        final Process process;
        private final Thread stderrReader;
        private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        private final List<String> args;

        private Running(Process process, List<String> args) {
            this.process = process;
            this.args = args;
            this.stderrReader = new Thread(
                    () -> {
                        try (InputStream in = process.getErrorStream()) {
                            byte[] buf = new byte[8192];
                            int n;
                            while ((n = in.read(buf)) > 0) {
                                synchronized (stderr) {
                                    if (stderr.size() < 1 << 20) {
                                        stderr.write(buf, 0, n);
                                    }
                                }
                            }
                        } catch (IOException e) {
                            // the process went away
                        }
                    },
                    "docker-stderr");
            stderrReader.setDaemon(true);
            stderrReader.start();
        }

        /** Waits for the command and returns its exit status. */
        int waitFor() throws IOException {
            try {
                int code = process.waitFor();
                stderrReader.join(5000);
                return code;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new FerryException("interrupted while running " + describe(), null);
            } finally {
                ShutdownCleanup.unregister(process);
            }
        }

        String stderr() {
            synchronized (stderr) {
                return stderr.toString(StandardCharsets.UTF_8).strip();
            }
        }

        String describe() {
            return binary + " " + String.join(" ", args);
        }

        /** Waits, and fails with a classified error unless the command succeeded. */
        void check(String what, String reference) throws IOException {
            int code = waitFor();
            if (code != 0) {
                throw failure(what, reference, code, stderr());
            }
        }

        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ShutdownCleanup.unregister(process);
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                kill();
            }
            ShutdownCleanup.unregister(process);
        }
    }

    /** Starts {@code docker ARGS}, with stdin and stdout as pipes. */
    Running start(String... args) throws FerryException {
        return start(false, args);
    }

    /** Starts {@code docker ARGS} with stdin as a pipe and stdout thrown away (it only reports progress). */
    Running startQuiet(String... args) throws FerryException {
        return start(true, args);
    }

    private Running start(boolean discardOutput, String... args) throws FerryException {
        List<String> command = new ArrayList<>();
        command.add(binary);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        if (discardOutput) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        environment(pb.environment());
        try {
            Process process = pb.start();
            ShutdownCleanup.register(process);
            return new Running(process, List.of(args));
        } catch (IOException e) {
            throw new DockerCliMissingException(binary, e.getMessage(), e);
        }
    }

    /** The error a failed docker command means, from its stderr. */
    FerryException failure(String what, String reference, int code, String stderr) {
        String lower = stderr.toLowerCase(Locale.ROOT);
        String firstLine =
                stderr.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("exit status " + code);
        if (lower.contains("cannot connect to the docker daemon")
                || lower.contains("is the docker daemon running")
                || lower.contains("connection refused")
                || lower.contains("no such file or directory") && lower.contains(".sock")
                || lower.contains("error during connect")) {
            return new DaemonUnreachableException(host, firstLine, null);
        }
        if (lower.contains("permission denied") && lower.contains("docker")) {
            return new DaemonPermissionException(host, firstLine);
        }
        if (lower.contains("no such image")
                || lower.contains("reference does not exist")
                || lower.contains("not found") && !lower.contains("command not found")) {
            return new ImageNotFoundException(
                    reference, "the Docker daemon has no such image", "`docker images` lists the images there");
        }
        if (what.equals("docker load")) {
            return new LoadRejectedException(reference, firstLine, null);
        }
        return new FerryException(what + " failed: " + firstLine, null);
    }
}
