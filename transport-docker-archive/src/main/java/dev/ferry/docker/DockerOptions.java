package dev.ferry.docker;

import dev.ferry.spi.OpenContext;
import dev.ferry.spi.TransportOption;
import java.util.Map;
import java.util.Optional;

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

    /**
     * TLS to a {@code tcp://} daemon, as DOCKER_TLS_VERIFY asks the docker CLI for it, and as DOCKER_TLS does, but with
     * the daemon's certificate checked all the same (see {@link #tlsVerify(Optional, Map)}).
     */
    public static final TransportOption TLS_VERIFY = TransportOption.flag(
                    "docker-tls-verify",
                    "Use TLS to a tcp:// Docker daemon and check its certificate against ca.pem in --docker-cert-path,"
                            + " presenting cert.pem and key.pem from there (default: on when DOCKER_TLS_VERIFY or"
                            + " DOCKER_TLS is set and not empty, as for docker, but the certificate is checked for"
                            + " DOCKER_TLS too, which docker skips); =false: plain TCP, whatever the environment"
                            + " says.")
            .withEnvironment("DOCKER_TLS_VERIFY");

    /** docker's variable for TLS without checking the daemon's certificate (its {@code --tls}). */
    public static final String DOCKER_TLS = "DOCKER_TLS";

    /** The folder of docker's TLS files. */
    public static final TransportOption CERT_PATH = TransportOption.path(
                    "docker-cert-path",
                    "DIR",
                    "The folder holding ca.pem, cert.pem and key.pem for --docker-tls-verify (default:"
                            + " DOCKER_CERT_PATH, else DOCKER_CONFIG, else ~/.docker).")
            .withEnvironment("DOCKER_CERT_PATH");

    private DockerOptions() {}

    /** {@code --docker-tls-verify[=BOOL]} as given on the command line (not from the environment), if it was. */
    public static Optional<Boolean> tlsVerifyGiven(OpenContext context) {
        return context.option(TLS_VERIFY.name()).map(v -> !v.equalsIgnoreCase("false"));
    }

    /** Whether to use TLS, with this process's environment: {@link #tlsVerify(Optional, Map)}. */
    public static boolean tlsVerify(OpenContext context) {
        return tlsVerify(tlsVerifyGiven(context), System.getenv());
    }

    /**
     * Whether to use TLS, checking the daemon's certificate (both Docker transports mean the same by it): {@code
     * --docker-tls-verify[=BOOL]} as {@code given}, else the environment {@code env} as docker reads it, where
     * DOCKER_TLS_VERIFY or DOCKER_TLS set and not empty asks for TLS. docker skips the check for DOCKER_TLS alone;
     * Ferry has no TLS without the check, and checks it then too, rather than talk plain TCP to a daemon that wants
     * TLS. {@code --docker-tls-verify=false} is plain TCP, whatever the environment says.
     */
    public static boolean tlsVerify(Optional<Boolean> given, Map<String, String> env) {
        return given.orElseGet(
                () -> isSet(env.get(TLS_VERIFY.environment().orElseThrow())) || isSet(env.get(DOCKER_TLS)));
    }

    private static boolean isSet(String value) {
        return value != null && !value.isEmpty();
    }

    /** Whether {@code host} is a daemon TLS applies to: {@code tcp://} or {@code https://}. */
    public static boolean tlsApplies(String host) {
        return host != null && (host.startsWith("tcp://") || host.startsWith("https://"));
    }
}
