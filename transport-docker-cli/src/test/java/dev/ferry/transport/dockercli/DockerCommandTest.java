package dev.ferry.transport.dockercli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.HashMap;
import java.util.Map;
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

    /** The child's environment, from {@code env} and the options {@code nameValues} given. */
    private static Map<String, String> child(Map<String, String> env, String... nameValues) {
        OpenContext context = OpenContext.defaults();
        for (int i = 0; i < nameValues.length; i += 2) {
            context = context.withOption(nameValues[i], nameValues[i + 1]);
        }
        Map<String, String> child = new HashMap<>(env);
        new DockerCommand(context).environment(child);
        return child;
    }

    @Test
    void withoutOptionsTheEnvironmentPassesThroughAsItIs() {
        Map<String, String> env = Map.of(
                "DOCKER_HOST", "tcp://10.0.0.1:2376",
                "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", "/certs",
                "DOCKER_CONTEXT", "ctx",
                "PATH", "/bin");
        assertEquals(env, child(env));
        assertEquals(Map.of(), child(Map.of()));
    }

    @Test
    void theTlsOptionsReachDockerAsItsOwnVariables() {
        Map<String, String> child = child(
                Map.of("DOCKER_CONTEXT", "ctx", "PATH", "/bin"),
                DockerOptions.HOST.name(),
                "tcp://127.0.0.1:2376",
                DockerOptions.TLS_VERIFY.name(),
                "true",
                DockerOptions.CERT_PATH.name(),
                "/my/certs");
        assertEquals(
                Map.of(
                        "DOCKER_HOST",
                        "tcp://127.0.0.1:2376",
                        "DOCKER_TLS_VERIFY",
                        "1",
                        "DOCKER_CERT_PATH",
                        "/my/certs",
                        "PATH",
                        "/bin"),
                child);
        // the host from the environment counts as well; the cert path given replaces the environment's
        child = child(
                Map.of("DOCKER_HOST", "tcp://10.0.0.1:2376", "DOCKER_CERT_PATH", "/theirs"),
                DockerOptions.TLS_VERIFY.name(),
                "true",
                DockerOptions.CERT_PATH.name(),
                "/mine");
        assertEquals("1", child.get("DOCKER_TLS_VERIFY"));
        assertEquals("/mine", child.get("DOCKER_CERT_PATH"));
    }

    @Test
    void tlsVerifyFalseTurnsTheEnvironmentsOffAndAUnixSocketGetsNoTls() {
        Map<String, String> child = child(
                Map.of("DOCKER_HOST", "tcp://10.0.0.1:2376", "DOCKER_TLS_VERIFY", "1"),
                DockerOptions.TLS_VERIFY.name(),
                "false");
        assertFalse(child.containsKey("DOCKER_TLS_VERIFY"), child.toString());
        assertEquals("tcp://10.0.0.1:2376", child.get("DOCKER_HOST"));
        // as for docker-api: TLS is for a tcp:// daemon only
        assertFalse(child(Map.of(), DockerOptions.TLS_VERIFY.name(), "true").containsKey("DOCKER_TLS_VERIFY"));
        assertFalse(child(
                        Map.of(),
                        DockerOptions.HOST.name(),
                        "unix:///var/run/docker.sock",
                        DockerOptions.TLS_VERIFY.name(),
                        "true")
                .containsKey("DOCKER_TLS_VERIFY"));
    }

    @Test
    void dockerTlsNeverReachesDockerAndAsksForTlsCheckedAsForDockerApi() {
        // docker would talk TLS without checking the daemon's certificate; docker-api checks it: so does docker now
        Map<String, String> child = child(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2376", "DOCKER_TLS", "1"));
        assertEquals(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2376", "DOCKER_TLS_VERIFY", "1"), child);
        // --docker-tls-verify=false: plain, as for docker-api, whatever the environment asks
        child = child(
                Map.of("DOCKER_HOST", "tcp://10.0.0.1:2376", "DOCKER_TLS", "1", "DOCKER_TLS_VERIFY", "1"),
                DockerOptions.TLS_VERIFY.name(),
                "false");
        assertEquals(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2376"), child);
        // a unix socket: no TLS for docker-api, none for docker
        assertEquals(
                Map.of("DOCKER_HOST", "unix:///var/run/docker.sock"),
                child(Map.of("DOCKER_HOST", "unix:///var/run/docker.sock", "DOCKER_TLS", "1")));
        // set but empty asks for nothing, as docker reads it
        assertEquals(
                Map.of("DOCKER_HOST", "tcp://10.0.0.1:2376"),
                child(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2376", "DOCKER_TLS", "")));
    }

    @Test
    void theCliTransportDeclaresTheTlsOptions() {
        assertTrue(new DockerCliTransport().options().contains(DockerOptions.TLS_VERIFY));
        assertTrue(new DockerCliTransport().options().contains(DockerOptions.CERT_PATH));
    }
}
