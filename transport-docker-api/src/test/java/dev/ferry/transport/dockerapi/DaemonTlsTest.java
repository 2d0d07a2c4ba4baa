package dev.ferry.transport.dockerapi;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.docker.DockerOptions;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.OpenContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the Engine API transport speaks TLS to a daemon: as the docker CLI transport has docker do it, for the same
 * options and environment (DOCKER_TLS_VERIFY, and DOCKER_TLS, with the certificate checked all the same).
 */
class DaemonTlsTest {
    private static final String TCP = "tcp://127.0.0.1:2376";

    @TempDir
    Path noCerts;

    private OpenContext context(String... nameValues) {
        OpenContext context = OpenContext.defaults().withOption(DockerOptions.CERT_PATH.name(), noCerts.toString());
        for (int i = 0; i < nameValues.length; i += 2) {
            context = context.withOption(nameValues[i], nameValues[i + 1]);
        }
        return context;
    }

    /** TLS was set up: here it fails for want of ca.pem, which only a TLS set-up reads. */
    private void assertTls(OpenContext context, Map<String, String> env) {
        FerryException e = assertThrows(FerryException.class, () -> DaemonClient.tls(context, TCP, env));
        assertTrue(e.getMessage().contains("ca.pem"), e.getMessage());
    }

    @Test
    void dockerTlsVerifyOrDockerTlsAsksForTlsWithTheCertificateChecked() throws Exception {
        assertNull(DaemonClient.tls(context(), TCP, Map.of()));
        assertNull(DaemonClient.tls(context(), TCP, Map.of("DOCKER_TLS_VERIFY", "", "DOCKER_TLS", "")));
        assertTls(context(), Map.of("DOCKER_TLS_VERIFY", "1"));
        // docker would talk TLS without checking the daemon's certificate: Ferry talks TLS, and checks it
        assertTls(context(), Map.of("DOCKER_TLS", "1"));
        assertTls(context(DockerOptions.TLS_VERIFY.name(), "true"), Map.of());
    }

    @Test
    void tlsVerifyFalseIsPlainWhateverTheEnvironmentSays() throws Exception {
        Map<String, String> env = Map.of("DOCKER_TLS_VERIFY", "1", "DOCKER_TLS", "1");
        assertNull(DaemonClient.tls(context(DockerOptions.TLS_VERIFY.name(), "false"), TCP, env));
        // and a unix socket gets no TLS
        assertNull(DaemonClient.tls(context(), "unix:///var/run/docker.sock", env));
    }
}
