package dev.ferry.docker;

import dev.ferry.spi.FerryException;

/** The {@code docker} command could not be run. */
public class DockerCliMissingException extends FerryException {
    private final String binary;

    public DockerCliMissingException(String binary, String detail, Throwable cause) {
        super(
                "cannot run the docker command \"" + binary + "\": " + detail,
                "install the Docker CLI, or pass --docker-binary PATH, or use --docker-transport api",
                cause);
        this.binary = binary;
    }

    /** The command Ferry tried to run. */
    public String binary() {
        return binary;
    }
}
