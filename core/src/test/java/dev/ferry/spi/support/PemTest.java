package dev.ferry.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keys and certificates as openssl writes them (openssl is a test peer: scripts/install-peers.sh). */
class PemTest {
    @TempDir
    Path dir;

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    /** openssl's arguments writing an RSA key in PKCS#1 form to {@code file}. */
    private static String[] genuine(String file) {
        return new String[] {"genrsa", "-traditional", "-out", file, "2048"};
    }

    /** Each form of key openssl writes, read, then shown to be the certificate's by a signature it verifies. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "genrsa -traditional -out key.pem 2048", // PKCS#1: RSA PRIVATE KEY
                "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem", // PKCS#8
                "ecparam -name prime256v1 -genkey -noout -out key.pem", // SEC 1: EC PRIVATE KEY
                "ecparam -name secp384r1 -genkey -out key.pem", // EC PARAMETERS, then EC PRIVATE KEY
                "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem", // PKCS#8 EC
                "genpkey -algorithm ed25519 -out key.pem"
            })
    void readsTheKeysOpensslWrites(String generate) throws Exception {
        openssl(generate.split(" "));
        openssl("req", "-x509", "-key", "key.pem", "-subj", "/CN=pem-test", "-days", "1", "-out", "cert.pem");
        PrivateKey key = Pem.privateKey(dir.resolve("key.pem"));
        List<X509Certificate> chain = Pem.certificates(dir.resolve("cert.pem"));
        assertEquals(1, chain.size());
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519 (EdDSA)
        };
        byte[] data = "signed by the key read".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(data);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(chain.get(0).getPublicKey());
        verifier.update(data);
        assertTrue(verifier.verify(signature), generate);
        assertEquals(1, Pem.keyStore("client", key, chain).size());
    }

    @Test
    void encryptedKeysAndOtherFilesAreRefusedWithAHint() throws Exception {
        openssl(
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-aes256",
                "-pass",
                "pass:x",
                "-out",
                "encrypted.pem");
        FerryException encrypted =
                assertThrows(FerryException.class, () -> Pem.privateKey(dir.resolve("encrypted.pem")));
        assertTrue(encrypted.getMessage().contains("encrypted"), encrypted.getMessage());
        assertTrue(String.valueOf(encrypted.hint()).contains("openssl pkcs8"), encrypted.toString());
        // the hint's command, run as written (KEY: the file), must leave the key there (openssl truncates -out first)
        String command = encrypted.hint().substring(encrypted.hint().indexOf("openssl "));
        openssl(genuine("key-to-convert.pem"));
        List<String> convert = new ArrayList<>();
        for (String word : command.substring("openssl ".length()).split(" ")) {
            convert.add(word.replace("KEY", "key-to-convert.pem"));
        }
        openssl(convert.toArray(String[]::new));
        assertTrue(Files.size(dir.resolve("key-to-convert.pem")) > 0, "the hint's command emptied the key: " + command);

        openssl("genpkey", "-algorithm", "ed25519", "-out", "key.pem");
        openssl("req", "-x509", "-key", "key.pem", "-subj", "/CN=pem-test", "-days", "1", "-out", "cert.pem");
        FerryException notKey = assertThrows(FerryException.class, () -> Pem.privateKey(dir.resolve("cert.pem")));
        assertTrue(notKey.getMessage().contains("no PEM private key"), notKey.getMessage());

        openssl("genpkey", "-algorithm", "ed25519", "-out", "other.pem");
        FerryException mismatch = assertThrows(
                FerryException.class,
                () -> Pem.keyStore(
                        "cert.pem",
                        Pem.privateKey(dir.resolve("other.pem")),
                        Pem.certificates(dir.resolve("cert.pem"))));
        assertTrue(mismatch.getMessage().contains("not that certificate's key"), mismatch.getMessage());

        Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n");
        assertThrows(FerryException.class, () -> Pem.certificates(dir.resolve("garbage.pem")));
        Files.writeString(dir.resolve("empty.pem"), "");
        FerryException empty = assertThrows(FerryException.class, () -> Pem.certificates(dir.resolve("empty.pem")));
        assertTrue(empty.getMessage().contains("empty.pem"), empty.getMessage());
    }
}
