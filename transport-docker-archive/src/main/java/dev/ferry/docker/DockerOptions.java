package dev.ferry.docker;

import dev.ferry.spi.TransportOption;

/** The options both Docker transports read (each declares those it uses in {@code Transport.options()}). */
public final class DockerOptions {
    /** The Docker daemon to reach; DOCKER_HOST when not set, else the default unix socket. */
    public static final TransportOption HOST = TransportOption.text(
                    "docker-host",
                    "URL",
                    "The Docker daemon, for example unix:///var/run/docker.sock (default: DOCKER_HOST, else"
                            + " /var/run/docker.sock).")
            .withEnvironment("DOCKER_HOST");

    /** The {@code docker} command docker-cli: runs; {@code docker} from PATH when not set. */
    public static final TransportOption BINARY = TransportOption.path(
            "docker-binary", "PATH", "The docker command for docker-cli: (default: docker from PATH).");

    private DockerOptions() {}
}
