package dev.ferry.transport.dockerapi;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.RemoteApiVersion;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.ferry.docker.DaemonUnreachableException;
import dev.ferry.docker.DockerOptions;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.OpenContext;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * A docker-java client for the daemon at {@code --docker-host}, else DOCKER_HOST, else the default unix socket.
 * The API version is negotiated: one unversioned {@code GET /version}, then every call at the daemon's version.
 * docker-java stays inside this module; what it throws is turned into Ferry's errors here.
 */
final class DaemonClient implements AutoCloseable {
    private final DockerClient client;
    private final DockerHttpClient http;
    private final String host;
    private final String apiVersion;

    private DaemonClient(DockerClient client, DockerHttpClient http, String host, String apiVersion) {
        this.client = client;
        this.http = http;
        this.host = host;
        this.apiVersion = apiVersion;
    }

    static DaemonClient connect(OpenContext context) throws FerryException {
        String host =
                context.option(DockerOptions.HOST).filter(h -> !h.isBlank()).orElse("unix:///var/run/docker.sock");
        DockerHttpClient probeHttp = http(host, null);
        DockerClient probe = DockerClientImpl.getInstance(config(host, null), probeHttp);
        String version;
        try {
            version = probe.versionCmd().exec().getApiVersion();
        } catch (RuntimeException e) {
            closeQuietly(probe);
            throw unreachable(host, e);
        }
        closeQuietly(probe);
        DockerHttpClient http = http(host, version);
        return new DaemonClient(DockerClientImpl.getInstance(config(host, version), http), http, host, version);
    }

    private static DefaultDockerClientConfig config(String host, String apiVersion) {
        DefaultDockerClientConfig.Builder config =
                DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host);
        if (apiVersion != null) {
            config.withApiVersion(RemoteApiVersion.parseConfig(apiVersion));
        }
        return config.build();
    }

    private static DockerHttpClient http(String host, String apiVersion) {
        return new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create(host))
                .sslConfig(config(host, apiVersion).getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(30))
                .build();
    }

    /**
     * A raw GET at the negotiated API version, for the calls docker-java lacks ({@code containers/ID/export}).
     * The caller closes the response.
     */
    DockerHttpClient.Response get(String path) {
        return http.execute(DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET)
                .path("/v" + apiVersion + path)
                .build());
    }

    DockerClient docker() {
        return client;
    }

    String host() {
        return host;
    }

    /** The API version negotiated with the daemon. */
    String apiVersion() {
        return apiVersion;
    }

    /** The Ferry error for a docker-java failure on {@code reference}. */
    FerryException failure(String what, String reference, RuntimeException e) {
        if (e instanceof NotFoundException) {
            return new ImageNotFoundException(
                    reference, "the Docker daemon has no such image", "`docker images` lists the images there");
        }
        if (e instanceof DockerException d) {
            return new FerryException(
                    what + " failed: the daemon answered " + d.getHttpStatus() + ": "
                            + d.getMessage().strip().replace('\n', ' '),
                    null,
                    e);
        }
        return unreachable(host, e);
    }

    static FerryException unreachable(String host, RuntimeException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return new DaemonUnreachableException(host, String.valueOf(cause.getMessage()), e);
    }

    private static void closeQuietly(DockerClient c) {
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closeQuietly(client);
    }
}
