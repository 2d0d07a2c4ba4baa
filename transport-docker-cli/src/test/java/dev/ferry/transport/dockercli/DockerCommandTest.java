package dev.ferry.transport.dockercli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.docker.DaemonPermissionException;
import dev.ferry.docker.DaemonUnreachableException;
import dev.ferry.docker.DockerCliMissingException;
import dev.ferry.docker.DockerOptions;
import dev.ferry.docker.LoadRejectedException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.OpenContext;
import org.junit.jupiter.api.Test;

/** What a failed docker command means, as a type a caller can tell apart, with its data. */
class DockerCommandTest {
    private final DockerCommand docker =
            new DockerCommand(OpenContext.defaults().withOption(DockerOptions.HOST.name(), "unix:///tmp/none.sock"));

    @Test
    void anUnreachableDaemonNamesItsHost() {
        DaemonUnreachableException e = assertInstanceOf(
                DaemonUnreachableException.class,
                docker.failure(
                        "docker save",
                        "docker-cli:a:1",
                        1,
                        "Cannot connect to the Docker daemon at unix:///tmp/none.sock."
                                + " Is the docker daemon running?\n"));
        assertEquals("unix:///tmp/none.sock", e.host());
        assertTrue(e.hint().contains("--docker-host"), e.hint());
    }

    @Test
    void permissionNotFoundAndRejectedLoadsAreTheirOwnTypes() {
        assertInstanceOf(
                DaemonPermissionException.class,
                docker.failure(
                        "docker save",
                        "r",
                        1,
                        "permission denied while trying to connect to the Docker daemon socket"));
        assertInstanceOf(
                ImageNotFoundException.class,
                docker.failure("docker save", "r", 1, "Error response from daemon: reference does not exist"));
        LoadRejectedException rejected = assertInstanceOf(
                LoadRejectedException.class,
                docker.failure(
                        "docker load", "docker-cli:a:1", 1, "open /var/lib/docker/tmp/x: no space left on device\n"));
        assertEquals("docker-cli:a:1", rejected.reference());
        assertEquals("open /var/lib/docker/tmp/x: no space left on device", rejected.daemonMessage());
        FerryException other = docker.failure("docker create", "r", 3, "");
        assertEquals(FerryException.class, other.getClass());
    }

    @Test
    void aMissingCommandNamesIt() {
        DockerCommand missing = new DockerCommand(
                OpenContext.defaults().withOption(DockerOptions.BINARY.name(), "/nonexistent/docker"));
        DockerCliMissingException e = assertThrows(DockerCliMissingException.class, () -> missing.start("version"));
        assertEquals("/nonexistent/docker", e.binary());
    }
}
