package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both Docker transports to a daemon on TCP with TLS, as docker sets it up (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH):
 * the Engine API's own TLS, and the docker CLI's, which the CLI transport hands the same options (and the same
 * meaning for DOCKER_TLS: TLS with the daemon's certificate checked, which docker alone would not check);
 * a second, private dockerd started here with {@code --tlsverify} and certificates made with openssl (the client's
 * key in SEC 1 EC form, as {@code openssl ecparam -genkey} writes it); the docker CLI is the oracle.
 */
class DockerTlsIT {
    @TempDir
    static Path work;

    static Path certs;
    static String host;
    static Process dockerd;

    @BeforeAll
    static void tlsDaemon() throws Exception {
        Daemon.require();
        Path dockerdBinary = Peers.require("dockerd");
        certs = Files.createDirectories(work.resolve("certs"));
        Certificates.Pair ca = Certificates.selfSigned(
                Certificates.Key.RSA, certs.resolve("ca-key.pem"), certs.resolve("ca.pem"), "ferry-test-ca");
        Certificates.signed(
                ca,
                Certificates.Key.RSA,
                certs.resolve("server-key.pem"),
                certs.resolve("server-cert.pem"),
                "127.0.0.1",
                "subjectAltName=IP:127.0.0.1",
                "extendedKeyUsage=serverAuth");
        Certificates.signed(
                ca,
                Certificates.Key.EC_SEC1,
                certs.resolve("key.pem"),
                certs.resolve("cert.pem"),
                "ferry-client",
                "extendedKeyUsage=clientAuth");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        host = "tcp://127.0.0.1:" + port;
        Path root = Files.createDirectories(work.resolve("d"));
        dockerd = new ProcessBuilder(
                        dockerdBinary.toString(),
                        "--tlsverify",
                        "--tlscacert",
                        certs.resolve("ca.pem").toString(),
                        "--tlscert",
                        certs.resolve("server-cert.pem").toString(),
                        "--tlskey",
                        certs.resolve("server-key.pem").toString(),
                        "-H",
                        host,
                        "--data-root",
                        root.resolve("data").toString(),
                        "--exec-root",
                        root.resolve("x").toString(),
                        "--pidfile",
                        root.resolve("d.pid").toString(),
                        "--storage-driver=vfs",
                        "--iptables=false",
                        "--ip6tables=false",
                        "--bridge=none")
                .redirectErrorStream(true)
                .redirectOutput(root.resolve("dockerd.log").toFile())
                .start();
        for (int i = 0; ; i++) {
            if (docker("version").code() == 0) {
                break;
            }
            if (!dockerd.isAlive() || i == 600) {
                fail("the TLS dockerd did not start: " + Files.readString(root.resolve("dockerd.log")));
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (dockerd != null) {
            dockerd.destroy(); // SIGTERM: it stops its containerd too
            if (!dockerd.waitFor(60, TimeUnit.SECONDS)) {
                dockerd.destroyForcibly().waitFor();
            }
        }
    }

    /** The docker CLI against the TLS daemon. */
    private static Peers.Result docker(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "docker",
                "--tlsverify",
                "--tlscacert",
                certs.resolve("ca.pem").toString(),
                "--tlscert",
                certs.resolve("cert.pem").toString(),
                "--tlskey",
                certs.resolve("key.pem").toString(),
                "-H",
                host));
        command.addAll(List.of(args));
        return Peers.run(work, command.toArray(String[]::new));
    }

    private static String[] tls(Path certPath, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(1, List.of("--docker-host", host, "--docker-tls-verify", "--docker-cert-path", certPath.toString()));
        return all.toArray(String[]::new);
    }

    /** {@link #tls} with the TLS daemon's own files, and {@code docker-daemon:} through the docker CLI. */
    private static String[] viaCli(String... args) {
        List<String> all = new ArrayList<>(List.of(tls(certs, args)));
        all.addAll(1, List.of("--docker-transport", "cli"));
        return all.toArray(String[]::new);
    }

    @Test
    void copiesToAndFromADaemonOverTls(@TempDir Path tmp) throws Exception {
        Path layout = Fixtures.syntheticLayout(tmp.resolve("src"), "v1", 300_000, 5_000);
        Cli.ferry(tls(certs, "copy", "-q", "oci:" + layout + ":v1", "docker-api:ferry-tls/img:1"))
                .ok();
        Peers.Result inspect = docker("image", "inspect", "--format", "{{json .RootFS.Layers}}", "ferry-tls/img:1");
        inspect.ok();
        String diffIds = inspect.out().strip();
        assertEquals(2, diffIds.split(",").length, diffIds);

        Cli.ferry(tls(certs, "copy", "-q", "docker-api:ferry-tls/img:1", "oci:" + tmp.resolve("back") + ":b"))
                .ok();
        Cli.Result back = Cli.ferry("inspect", "--format", "{{json .Layers}}", "oci:" + tmp.resolve("back") + ":b")
                .ok();
        Cli.Result daemon = Cli.ferry(
                        tls(certs, "inspect", "--format", "{{json .Layers}}", "docker-api:ferry-tls/img:1"))
                .ok();
        assertEquals(daemon.out(), back.out());
    }

    @Test
    void theCliTransportHandsTheTlsOptionsToDocker(@TempDir Path tmp) throws Exception {
        Path layout = Fixtures.syntheticLayout(tmp.resolve("src"), "v1", 300_000, 5_000);
        Cli.ferry(viaCli("copy", "-q", "oci:" + layout + ":v1", "docker-daemon:ferry-tls/cli:1"))
                .ok();
        Peers.Result inspect = docker("image", "inspect", "--format", "{{json .RootFS.Layers}}", "ferry-tls/cli:1");
        inspect.ok();
        assertEquals(2, inspect.out().strip().split(",").length, inspect.out());

        Path back = tmp.resolve("back");
        Cli.ferry(viaCli("copy", "-q", "docker-daemon:ferry-tls/cli:1", "oci:" + back + ":b"))
                .ok();
        Cli.Result copied = Cli.ferry("inspect", "--format", "{{json .Layers}}", "oci:" + back + ":b")
                .ok();
        Cli.Result daemon = Cli.ferry(
                        tls(certs, "inspect", "--format", "{{json .Layers}}", "docker-api:ferry-tls/cli:1"))
                .ok();
        assertEquals(daemon.out(), copied.out());

        // without the TLS options, docker talks plain HTTP to the TLS daemon and fails
        Cli.ferry("inspect", "--docker-transport", "cli", "--docker-host", host, "docker-daemon:ferry-tls/cli:1")
                .fails(1);
        // and with --docker-tls-verify=false as well, whatever the rest says
        Cli.ferry(
                        "inspect",
                        "--docker-transport",
                        "cli",
                        "--docker-host",
                        host,
                        "--docker-tls-verify=false",
                        "--docker-cert-path",
                        certs.toString(),
                        "docker-daemon:ferry-tls/cli:1")
                .fails(1);
    }

    /**
     * The checkout's {@code ferry} command in a process of its own, with the Docker variables of this environment
     * replaced by {@code env}.
     */
    private static Peers.Result ferryWith(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(QuickStartIT.repo().resolve("ferry").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("DOCKER_"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("ferry " + String.join(" ", args) + " timed out");
            }
            return new Peers.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void dockerTlsInTheEnvironmentIsTlsWithTheCertificateCheckedThroughBothTransports(@TempDir Path tmp)
            throws Exception {
        Path layout = Fixtures.syntheticLayout(tmp.resolve("src"), "v1", 100_000, 5_000);
        Cli.ferry(tls(certs, "copy", "-q", "oci:" + layout + ":v1", "docker-api:ferry-tls/env:1"))
                .ok();
        // the daemon's client certificate, with a CA that did not sign the daemon's
        Path otherCa = Files.createDirectories(tmp.resolve("other-ca"));
        Certificates.selfSigned(Certificates.Key.RSA, otherCa.resolve("k.pem"), otherCa.resolve("ca.pem"), "other");
        Files.copy(certs.resolve("cert.pem"), otherCa.resolve("cert.pem"));
        Files.copy(certs.resolve("key.pem"), otherCa.resolve("key.pem"));
        for (String transport : List.of("api", "cli")) {
            Map<String, String> env =
                    new HashMap<>(Map.of("DOCKER_HOST", host, "DOCKER_TLS", "1", "DOCKER_CERT_PATH", certs.toString()));
            String[] inspect = {"inspect", "--docker-transport", transport, "docker-daemon:ferry-tls/env:1"};
            Peers.Result ok = ferryWith(env, inspect);
            assertEquals(0, ok.code(), transport + ": " + ok.err());
            // the certificate is checked: docker alone, with DOCKER_TLS, would take the daemon's from anyone
            env.put("DOCKER_CERT_PATH", otherCa.toString());
            Peers.Result unchecked = ferryWith(env, inspect);
            assertEquals(1, unchecked.code(), transport + ": " + unchecked.out() + unchecked.err());
            // --docker-tls-verify=false: plain TCP, which the TLS daemon refuses, whatever the environment asks
            env.put("DOCKER_CERT_PATH", certs.toString());
            env.put("DOCKER_TLS_VERIFY", "1");
            Peers.Result plain = ferryWith(
                    env,
                    "inspect",
                    "--docker-transport",
                    transport,
                    "--docker-tls-verify=false",
                    "docker-daemon:ferry-tls/env:1");
            assertEquals(1, plain.code(), transport + ": " + plain.out() + plain.err());
        }
    }

    @Test
    void withoutTheRightFilesItFailsInOneLine(@TempDir Path tmp) throws Exception {
        // no client certificate: the daemon refuses the connection
        Path caOnly = Files.createDirectories(tmp.resolve("ca-only"));
        Files.copy(certs.resolve("ca.pem"), caOnly.resolve("ca.pem"));
        Cli.ferry(tls(caOnly, "inspect", "docker-api:ferry-tls/none:1")).fails(1, "TLS to the Docker daemon", host);
        // no ca.pem
        Cli.ferry(tls(tmp.resolve("missing"), "inspect", "docker-api:ferry-tls/none:1"))
                .fails(1, "ca.pem", "--docker-cert-path");
        // a key without its certificate
        Path keyOnly = Files.createDirectories(tmp.resolve("key-only"));
        Files.copy(certs.resolve("ca.pem"), keyOnly.resolve("ca.pem"));
        Files.copy(certs.resolve("key.pem"), keyOnly.resolve("key.pem"));
        Cli.ferry(tls(keyOnly, "inspect", "docker-api:ferry-tls/none:1")).fails(1, "cert.pem");
        // a CA that did not sign the daemon's certificate
        Path otherCa = Files.createDirectories(tmp.resolve("other-ca"));
        Certificates.selfSigned(Certificates.Key.RSA, otherCa.resolve("k.pem"), otherCa.resolve("ca.pem"), "other");
        Files.copy(certs.resolve("cert.pem"), otherCa.resolve("cert.pem"));
        Files.copy(certs.resolve("key.pem"), otherCa.resolve("key.pem"));
        Cli.ferry(tls(otherCa, "inspect", "docker-api:ferry-tls/none:1"))
                .fails(1, "TLS to the Docker daemon", "ca.pem");
        // plain HTTP to a TLS daemon
        Cli.ferry("inspect", "--docker-host", host, "docker-api:ferry-tls/none:1")
                .fails(1, host);
        assertTrue(dockerd.isAlive());
    }
}
