package dev.ferry.transport.dockerapi;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.RemoteApiVersion;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.SSLConfig;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.ferry.docker.DaemonUnreachableException;
import dev.ferry.docker.DockerOptions;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.Pem;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

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
        SSLConfig tls = tls(context, host);
        DockerHttpClient probeHttp = http(host, tls);
        DockerClient probe = DockerClientImpl.getInstance(config(host, null), probeHttp);
        String version;
        try {
            version = probe.versionCmd().exec().getApiVersion();
        } catch (RuntimeException e) {
            closeQuietly(probe);
            if (tls != null && handshakeFailed(e)) {
                throw new FerryException(
                        "TLS to the Docker daemon at " + host + " failed: " + rootMessage(e),
                        "check that ca.pem in --docker-cert-path (DOCKER_CERT_PATH) signed the daemon's certificate"
                                + " (Ferry checks it for DOCKER_TLS too), and that cert.pem and key.pem there are a client certificate the daemon accepts",
                        e);
            }
            throw unreachable(host, e);
        }
        closeQuietly(probe);
        DockerHttpClient http = http(host, tls);
        return new DaemonClient(DockerClientImpl.getInstance(config(host, version), http), http, host, version);
    }

    private static DefaultDockerClientConfig config(String host, String apiVersion) {
        DefaultDockerClientConfig.Builder config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host)
                .withDockerTlsVerify(false); // TLS is set up by tls(): docker-java's needs BouncyCastle
        if (apiVersion != null) {
            config.withApiVersion(RemoteApiVersion.parseConfig(apiVersion));
        }
        return config.build();
    }

    private static DockerHttpClient http(String host, SSLConfig tls) {
        return new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create(host))
                .sslConfig(tls)
                .connectionTimeout(Duration.ofSeconds(30))
                .build();
    }

    /**
     * docker's TLS for a {@code tcp://} daemon when {@link DockerOptions#tlsVerify(OpenContext)} asks for
     * it, as the docker CLI sets it up for DOCKER_TLS_VERIFY: the daemon's certificate is checked against {@code
     * ca.pem} alone, and {@code cert.pem} with {@code key.pem} (PKCS#8, PKCS#1 RSA or SEC 1 EC) is
     * presented when both are there; read with the JDK. Null: plain.
     */
    static SSLConfig tls(OpenContext context, String host) throws FerryException {
        return tls(context, host, System.getenv());
    }

    /** As {@link #tls(OpenContext, String)}, with the environment {@code env}. */
    static SSLConfig tls(OpenContext context, String host, Map<String, String> env) throws FerryException {
        if (!DockerOptions.tlsVerify(DockerOptions.tlsVerifyGiven(context), env) || !DockerOptions.tlsApplies(host)) {
            return null;
        }
        Path dir = context.option(DockerOptions.CERT_PATH).map(Path::of).orElseGet(DaemonClient::dockerConfigDir);
        String hint = "pass --docker-cert-path (DOCKER_CERT_PATH) the folder with ca.pem, cert.pem and key.pem, or"
                + " --docker-tls-verify=false for plain TCP (DOCKER_TLS_VERIFY or DOCKER_TLS asks for TLS)";
        Path ca = dir.resolve("ca.pem");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        if (!Files.isRegularFile(ca)) {
            throw new FerryException("TLS to the Docker daemon " + host + " needs " + ca + ", which is missing", hint);
        }
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int i = 0;
            for (X509Certificate c : Pem.certificates(ca)) {
                trusted.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            KeyManager[] keys = null;
            if (Files.exists(cert) || Files.exists(key)) {
                if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
                    throw new FerryException(dir + " has only one of cert.pem and key.pem", hint);
                }
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(Pem.keyStore(cert.toString(), Pem.privateKey(key), Pem.certificates(cert)), new char[0]);
                keys = factory.getKeyManagers();
            }
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(keys, trust.getTrustManagers(), null);
            return () -> ssl;
        } catch (FerryException e) {
            throw e;
        } catch (IOException | GeneralSecurityException e) {
            throw new FerryException(
                    "cannot set up TLS to the Docker daemon " + host + " from " + dir + ": " + e.getMessage(), hint);
        }
    }

    /** docker's configuration folder: DOCKER_CONFIG, else ~/.docker. */
    private static Path dockerConfigDir() {
        String config = System.getenv("DOCKER_CONFIG");
        return config != null && !config.isEmpty()
                ? Path.of(config)
                : Path.of(System.getProperty("user.home"), ".docker");
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

    /**
     * Whether {@code e} is a failed TLS handshake: an SSL error, or the daemon closing the connection while it was
     * being set up (what it does to a client without the certificate it requires).
     */
    private static boolean handshakeFailed(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException
                    || t instanceof SocketException
                            && String.valueOf(t.getMessage()).contains("Broken pipe")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
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
