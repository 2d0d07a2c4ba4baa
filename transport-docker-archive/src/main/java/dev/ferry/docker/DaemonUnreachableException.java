package dev.ferry.docker;

import dev.ferry.spi.FerryException;

/** The Docker daemon did not answer (not running, wrong address, died mid-copy). */
public class DaemonUnreachableException extends FerryException {
    private final String host;

    /**
     * @param host the daemon's address as Ferry tried it ({@code unix:///var/run/docker.sock}), or null when the
     *     docker command chose it
     * @param detail what the connection attempt said
     */
    public DaemonUnreachableException(String host, String detail, Throwable cause) {
        super(
                "cannot reach the Docker daemon" + (host == null ? "" : " at " + host) + ": " + detail,
                "start dockerd, or point DOCKER_HOST or --docker-host at a running one",
                cause);
        this.host = host;
    }

    /** The daemon's address, or null when the docker command chose it. */
    public String host() {
        return host;
    }
}
