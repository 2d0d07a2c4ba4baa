package dev.ferry.docker;

import dev.ferry.spi.FerryException;

/** The Docker daemon refused this user. */
public class DaemonPermissionException extends FerryException {
    private final String host;

    public DaemonPermissionException(String host, String detail) {
        super(
                "no permission to use the Docker daemon" + (host == null ? "" : " at " + host) + ": " + detail,
                "run as root or as a member of the docker group");
        this.host = host;
    }

    /** The daemon's address, or null when the docker command chose it. */
    public String host() {
        return host;
    }
}
