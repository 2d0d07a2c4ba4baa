package dev.ferry.spi.support;

import dev.ferry.spi.FerryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and unencrypted private keys, as docker, openssl and the registries' certs.d folders have them:
 * keys in PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY}) form,
 * read with the JDK alone (the last two are wrapped in the PKCS#8 structure it reads).
 */
public final class Pem {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    /** rsaEncryption, 1.2.840.113549.1.1.1, with NULL parameters. */
    private static final byte[] RSA = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };
    /** id-ecPublicKey, 1.2.840.10045.2.1. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    /**
     * How to convert a key. Never into the file it reads: openssl opens its output (truncating it) before it reads
     * the key, so {@code -in KEY -out KEY} leaves an empty file.
     */
    static final String CONVERT = "convert it into another file, then use that one:"
            + " openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8";

    private Pem() {}

    /** The certificates in {@code file}: at least one. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> result = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                result.add((X509Certificate) c);
            }
            if (result.isEmpty()) {
                throw new CertificateException("no certificate in it");
            }
            return result;
        } catch (CertificateException e) {
            throw new FerryException(
                    "certificate file " + file + " cannot be read: " + e.getMessage(), "it must hold PEM certificates");
        }
    }

    /** The private key in {@code file} (RSA, EC or Ed25519). */
    public static PrivateKey privateKey(Path file) throws IOException {
        Matcher block = BLOCK.matcher(Files.readString(file, StandardCharsets.ISO_8859_1));
        String hint = CONVERT;
        while (block.find()) {
            String type = block.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue; // EC PARAMETERS before the key, a certificate beside it
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(block.group(2));
            } catch (IllegalArgumentException e) {
                throw new FerryException("key " + file + " is not valid PEM: " + e.getMessage(), null);
            }
            byte[] pkcs8 = switch (type) {
                case "PRIVATE KEY" -> der;
                case "RSA PRIVATE KEY" -> pkcs8(RSA, der);
                case "EC PRIVATE KEY" -> pkcs8(ecAlgorithm(der, file), der);
                default ->
                    throw new FerryException("key " + file + " is a " + type + " (encrypted keys are not read)", hint);
            };
            for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                } catch (GeneralSecurityException e) {
                    // the next
                }
            }
            throw new FerryException("key " + file + " is neither an RSA, EC nor EdDSA key", hint);
        }
        throw new FerryException("key " + file + " holds no PEM private key", hint);
    }

    /**
     * A key store holding {@code key} with its certificate {@code chain}, under {@code alias} (the certificate's
     * file, for errors), with no password; a key that is not the certificate's is refused, as Go's TLS refuses it.
     */
    public static KeyStore keyStore(String alias, PrivateKey key, List<X509Certificate> chain) throws IOException {
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new FerryException(
                    "the key given with client certificate " + alias + " is not that certificate's key",
                    "give the key the certificate was made for");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, key, new char[0], chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException e) {
            throw new FerryException("client certificate " + alias + " cannot be used: " + e.getMessage(), null);
        }
    }

    /** Whether {@code key} signs what {@code certified} verifies. */
    private static boolean matches(PrivateKey key, PublicKey certified) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] nonce = "ferry: does this key match its certificate?".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(nonce);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(nonce);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // of another kind than the certificate's
        }
    }

    /**
     * The PKCS#8 algorithm of a SEC 1 EC key: id-ecPublicKey with the named curve of its {@code parameters [0]}.
     */
    private static byte[] ecAlgorithm(byte[] sec1, Path file) throws FerryException {
        // ECPrivateKey ::= SEQUENCE { version INTEGER, privateKey OCTET STRING, parameters [0] ECParameters, ... }
        Der key = new Der(sec1, 0);
        if (key.tag != 0x30) {
            throw new FerryException("key " + file + " is not a SEC 1 EC key", null);
        }
        int at = key.start;
        while (at < key.end) {
            Der field = new Der(sec1, at);
            if (field.tag == 0xa0) {
                Der curve = new Der(sec1, field.start);
                if (curve.tag != 0x06) {
                    break; // explicit curve parameters: not a named curve
                }
                byte[] oid = Arrays.copyOfRange(sec1, field.start, curve.end);
                return sequence(EC_PUBLIC_KEY, oid);
            }
            at = field.end;
        }
        throw new FerryException("EC key " + file + " does not name its curve", CONVERT);
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, privateKey OCTET STRING }. */
    private static byte[] pkcs8(byte[] algorithm, byte[] key) {
        return sequence(new byte[] {0x02, 0x01, 0x00}, algorithm, encoded(0x04, key));
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return encoded(0x30, content.toByteArray());
    }

    private static byte[] encoded(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** One DER element's tag and where its content starts and ends. */
    private static final class Der {
        final int tag;
        final int start;
        final int end;

        Der(byte[] der, int at) throws FerryException {
            if (at + 2 > der.length) {
                throw truncated();
            }
            tag = der[at] & 0xff;
            int length = der[at + 1] & 0xff;
            int content = at + 2;
            if (length >= 0x80) {
                int bytes = length & 0x7f;
                if (bytes == 0 || bytes > 3 || content + bytes > der.length) {
                    throw truncated();
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[content++] & 0xff);
                }
            }
            if (content + length > der.length) {
                throw truncated();
            }
            start = content;
            end = content + length;
        }

        private static FerryException truncated() {
            return new FerryException("an EC key is not valid DER", null);
        }
    }
}
