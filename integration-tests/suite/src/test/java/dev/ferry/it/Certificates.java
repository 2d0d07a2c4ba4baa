package dev.ferry.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and X.509 certificates for the tests' TLS peers (the registry, its token issuer, a private dockerd), made with
 * the real openssl (a peer: missing, it fails the test under {@code CI=true} and aborts it elsewhere). Every
 * certificate is valid for two days; a key and its certificate are written where the caller says, as PEM.
 */
final class Certificates {
    private Certificates() {}

    /** The kind of a new key, and the form openssl writes it in. */
    enum Key {
        /** RSA 2048, PKCS#8. */
        RSA,
        /** EC on P-256, PKCS#8 ({@code BEGIN PRIVATE KEY}). */
        EC,
        /** EC on P-256 in SEC 1 form ({@code BEGIN EC PRIVATE KEY}), as {@code openssl ecparam -genkey} writes it. */
        EC_SEC1
    }

    /** A key and its certificate. */
    record Pair(Path key, Path cert) {}

    /**
     * A new key and a self-signed certificate for it with subject {@code CN=cn}: a CA (openssl's default {@code
     * v3_ca} extensions), or a server that clients trust as is. {@code extensions} are added to the certificate,
     * each as openssl writes it ({@code subjectAltName=IP:127.0.0.1}).
     */
    static Pair selfSigned(Key kind, Path key, Path cert, String cn, String... extensions) throws Exception {
        newKey(kind, key);
        List<String> command = new ArrayList<>(List.of(
                "openssl",
                "req",
                "-x509",
                "-new",
                "-key",
                key.toString(),
                "-days",
                "2",
                "-subj",
                "/CN=" + cn,
                "-out",
                cert.toString()));
        for (String extension : extensions) {
            command.add("-addext");
            command.add(extension);
        }
        run(cert.getParent(), command);
        return new Pair(key, cert);
    }

    /**
     * A new key and a certificate for it with subject {@code CN=cn}, signed by {@code ca}; {@code extensions} as in
     * {@link #selfSigned} ({@code extendedKeyUsage=clientAuth}). The request (and extension file) made on the way are removed; the
     * CA's serial file ({@code .srl}) is left beside its certificate.
     */
    static Pair signed(Pair ca, Key kind, Path key, Path cert, String cn, String... extensions) throws Exception {
        newKey(kind, key);
        Path dir = cert.getParent();
        Path csr = Files.createTempFile(dir, "request", ".csr");
        Path ext = Files.createTempFile(dir, "extensions", ".ext");
        try {
            run(
                    dir,
                    List.of(
                            "openssl",
                            "req",
                            "-new",
                            "-key",
                            key.toString(),
                            "-subj",
                            "/CN=" + cn,
                            "-out",
                            csr.toString()));
            List<String> command = new ArrayList<>(List.of(
                    "openssl",
                    "x509",
                    "-req",
                    "-in",
                    csr.toString(),
                    "-CA",
                    ca.cert().toString(),
                    "-CAkey",
                    ca.key().toString(),
                    "-CAcreateserial",
                    "-days",
                    "2",
                    "-out",
                    cert.toString()));
            if (extensions.length > 0) {
                Files.writeString(ext, String.join("\n", extensions) + "\n");
                command.add("-extfile");
                command.add(ext.toString());
            }
            run(dir, command);
        } finally {
            Files.deleteIfExists(csr);
            Files.deleteIfExists(ext);
        }
        return new Pair(key, cert);
    }

    private static void newKey(Key kind, Path key) throws Exception {
        List<String> command = switch (kind) {
            case RSA ->
                List.of(
                        "openssl",
                        "genpkey",
                        "-algorithm",
                        "RSA",
                        "-pkeyopt",
                        "rsa_keygen_bits:2048",
                        "-out",
                        key.toString());
            case EC ->
                List.of(
                        "openssl",
                        "genpkey",
                        "-algorithm",
                        "EC",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-out",
                        key.toString());
            case EC_SEC1 ->
                List.of("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
        };
        run(key.getParent(), command);
    }

    private static void run(Path dir, List<String> command) throws Exception {
        Peers.run(dir, command.toArray(String[]::new)).ok();
    }
}
