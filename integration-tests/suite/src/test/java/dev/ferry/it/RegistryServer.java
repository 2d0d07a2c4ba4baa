package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private instance of the real registry (Debian's {@code docker-registry}, the CNCF distribution server 2.8) on a
 * free loopback port, with its storage in a temporary folder: plain HTTP, HTTPS with a certificate made here, Basic
 * auth from an htpasswd file, or Bearer tokens from a {@link TokenIssuer}. {@link #close()} stops it and removes its
 * folder. Its access log (every request, one line each) is {@link #log()}.
 */
final class RegistryServer implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final int port;
    private final Path log;
    private final Path certDir;

    private RegistryServer(Path dir, Process process, int port, Path log, Path certDir) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.log = log;
        this.certDir = certDir;
    }

    /** Plain HTTP, no authentication. */
    static RegistryServer plain() throws Exception {
        return start("", null, false);
    }

    /** Plain HTTP, no authentication, deletes disabled (distribution's default). */
    static RegistryServer withoutDeletes() throws Exception {
        return start("", null, false, "", false);
    }

    /** Plain HTTP with Basic authentication of one user (bcrypt, made by htpasswd). */
    static RegistryServer basic(String user, String password) throws Exception {
        Path dir = Files.createTempDirectory("registry-basic");
        Peers.Result r = Peers.run(dir, "htpasswd", "-Bbn", user, password).ok();
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, r.out());
        return start("auth: {htpasswd: {realm: ferry-test, path: " + htpasswd + "}}\n", dir, false);
    }

    /** HTTPS with a self-signed certificate for 127.0.0.1 and localhost; {@link #certDir()} holds it as ca.crt. */
    static RegistryServer tls() throws Exception {
        return start("", null, true);
    }

    /**
     * HTTPS that wants a client certificate signed by a CA made here: {@link #certDir()} holds the server's
     * certificate as ca.crt and a client pair, client.cert and client.key.
     */
    static RegistryServer mutualTls() throws Exception {
        Path dir = Files.createTempDirectory("registry-mtls");
        Path certs = Files.createDirectories(dir.resolve("certs"));
        Certificates.Pair ca = Certificates.selfSigned(
                Certificates.Key.RSA,
                dir.resolve("client-ca.key"),
                dir.resolve("client-ca.pem"),
                "ferry-test-client-ca");
        Certificates.signed(
                ca, Certificates.Key.RSA, certs.resolve("client.key"), certs.resolve("client.cert"), "ferry-client");
        return start("", dir, true, ", clientcas: [" + dir.resolve("client-ca.pem") + "]");
    }

    /** Plain HTTP, Bearer tokens from {@code issuer}, which the registry trusts. */
    static RegistryServer token(TokenIssuer issuer) throws Exception {
        return start(
                "auth: {token: {realm: \"" + issuer.realm() + "\", service: " + TokenIssuer.SERVICE + ", issuer: "
                        + TokenIssuer.ISSUER + ", rootcertbundle: " + issuer.certificate() + "}}\n",
                null,
                false);
    }

    private static RegistryServer start(String extra, Path dir, boolean tls) throws Exception {
        return start(extra, dir, tls, "");
    }

    private static RegistryServer start(String extra, Path dir, boolean tls, String tlsExtra) throws Exception {
        return start(extra, dir, tls, tlsExtra, true);
    }

    private static RegistryServer start(String extra, Path dir, boolean tls, String tlsExtra, boolean deletes)
            throws Exception {
        Path binary = Peers.require("docker-registry");
        if (dir == null) {
            dir = Files.createTempDirectory("registry");
        }
        Path certDir = null;
        String tlsConfig = "";
        if (tls) {
            certDir = Files.createDirectories(dir.resolve("certs"));
            Certificates.selfSigned(
                    Certificates.Key.RSA,
                    dir.resolve("server.key"),
                    certDir.resolve("ca.crt"),
                    "127.0.0.1",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost");
            tlsConfig = ", tls: {certificate: " + certDir.resolve("ca.crt") + ", key: " + dir.resolve("server.key")
                    + tlsExtra + "}";
        }
        Path log = dir.resolve("registry.log");
        for (int tries = 0; tries < 5; tries++) {
            int port = freePort();
            Path config = dir.resolve("config.yml");
            Files.writeString(
                    config,
                    "version: 0.1\n"
                            + "log: {level: debug, accesslog: {disabled: false}}\n"
                            + "storage: {filesystem: {rootdirectory: " + dir.resolve("storage")
                            + "}, delete: {enabled: " + deletes + "}}\n"
                            + "http: {addr: 127.0.0.1:" + port + tlsConfig + "}\n" + extra);
            Process process = new ProcessBuilder(binary.toString(), "serve", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            for (int i = 0; i < 300 && process.isAlive(); i++) {
                if (answers(port)) {
                    return new RegistryServer(dir, process, port, log, certDir);
                }
                Thread.sleep(50);
            }
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            String text = Files.readString(log, StandardCharsets.UTF_8);
            if (!text.contains("address already in use")) {
                fail("docker-registry did not start:\n" + text);
            }
        }
        fail("docker-registry found no free port");
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code 127.0.0.1:PORT}. */
    String host() {
        return "127.0.0.1:" + port;
    }

    /** {@code docker://127.0.0.1:PORT/NAME}. */
    String ref(String name) {
        return "docker://" + host() + "/" + name;
    }

    /** The folder holding the server's certificate as {@code ca.crt} (HTTPS only). */
    Path certDir() {
        return certDir;
    }

    /** The lines of the log so far. */
    List<String> log() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    /** How many access-log lines so far are requests of {@code method} whose path contains {@code fragment}. */
    long requests(String method, String fragment) throws IOException {
        return log().stream()
                .filter(l -> l.contains("\"" + method + " ")
                        && l.contains(" HTTP/1.1\"")
                        && l.substring(l.indexOf("\"" + method + " ")).contains(fragment))
                .count();
    }

    /** The access-log lines from {@code from} on (a count of lines read before). */
    List<String> accessSince(int from) throws IOException {
        List<String> all = log();
        return all.subList(Math.min(from, all.size()), all.size()).stream()
                .filter(l -> l.contains(" HTTP/1.1\" "))
                .toList();
    }

    int logLines() throws IOException {
        return log().size();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        Fixtures.deleteTree(dir);
    }
}
