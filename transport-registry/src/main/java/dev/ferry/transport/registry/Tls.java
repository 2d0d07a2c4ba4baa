package dev.ferry.transport.registry;

import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS settings for one registry, as docker and containers/image find them: CAs ({@code *.crt}) and client
 * certificates ({@code NAME.cert} with {@code NAME.key}, PEM, the key in PKCS#8 or PKCS#1 RSA form) in
 * {@code --cert-dir}, else in {@code /etc/docker/certs.d/HOST[:PORT]/} and {@code /etc/containers/certs.d/HOST[:PORT]/}.
 * Extra CAs are trusted besides the system's.
 */
final class Tls {
    private Tls() {}

    static List<Path> certDirs(RegistrySettings settings, String registry) {
        if (settings.certDir() != null) {
            return List.of(settings.certDir());
        }
        return List.of(Path.of("/etc/docker/certs.d", registry), Path.of("/etc/containers/certs.d", registry));
    }

    /** The SSL context for {@code registry}. */
    static SSLContext context(RegistrySettings settings, String registry) throws IOException {
        if (settings.certDir() != null && !Files.isDirectory(settings.certDir())) {
            throw new FerryException("--cert-dir " + settings.certDir() + " is not a directory", "create it first");
        }
        List<X509Certificate> cas = new ArrayList<>();
        KeyStore clientKeys = null;
        for (Path dir : certDirs(settings, registry)) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".crt")) {
                        cas.addAll(readCertificates(file));
                    } else if (name.endsWith(".cert")) {
                        Path key = dir.resolve(name.substring(0, name.length() - 5) + ".key");
                        if (!Files.isRegularFile(key)) {
                            throw new FerryException(
                                    "client certificate " + file + " has no key " + key,
                                    "put the key beside it, or remove the certificate");
                        }
                        if (clientKeys == null) {
                            clientKeys = emptyKeyStore();
                        }
                        List<X509Certificate> chain = readCertificates(file);
                        try {
                            clientKeys.setKeyEntry(name, readKey(key), new char[0], chain.toArray(new Certificate[0]));
                        } catch (GeneralSecurityException e) {
                            throw new FerryException(
                                    "client certificate " + file + " cannot be used: " + e.getMessage(), null);
                        }
                    }
                }
            }
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            KeyManager[] keyManagers = null;
            if (clientKeys != null) {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(clientKeys, new char[0]);
                keyManagers = kmf.getKeyManagers();
            }
            TrustManager[] trust;
            if (!settings.tlsVerify()) {
                trust = new TrustManager[] {new TrustAll()};
            } else if (cas.isEmpty()) {
                trust = null;
            } else {
                KeyStore extra = emptyKeyStore();
                for (int i = 0; i < cas.size(); i++) {
                    extra.setCertificateEntry("ca-" + i, cas.get(i));
                }
                trust = new TrustManager[] {new Either(trustManager(null), trustManager(extra))};
            }
            context.init(keyManagers, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new FerryException("cannot set up TLS for " + registry + ": " + e.getMessage(), null);
        }
    }

    private static KeyStore emptyKeyStore() throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static X509ExtendedTrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager");
    }

    static List<X509Certificate> readCertificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> all =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> result = new ArrayList<>();
            for (Certificate c : all) {
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

    static PrivateKey readKey(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        byte[] der;
        boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
        if (!pkcs1 && !pem.contains("BEGIN PRIVATE KEY")) {
            throw new FerryException(
                    "key " + file + " is not an unencrypted PKCS#8 or PKCS#1 RSA PEM key",
                    "convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY");
        }
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        der = Base64.getDecoder().decode(body);
        if (pkcs1) {
            der = wrapPkcs1(der);
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next
            }
        }
        throw new FerryException("key " + file + " is neither an RSA, EC nor Ed25519 key", null);
    }

    /** A PKCS#1 RSA key as the PKCS#8 structure Java reads. */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] algorithm = {
            0x30,
            0x0d,
            0x06,
            0x09,
            0x2a,
            (byte) 0x86,
            0x48,
            (byte) 0x86,
            (byte) 0xf7,
            0x0d,
            0x01,
            0x01,
            0x01,
            0x05,
            0x00
        };
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = concat(new byte[] {0x04}, length(pkcs1.length), pkcs1);
        byte[] content = concat(version, algorithm, octets);
        return concat(new byte[] {0x30}, length(content.length), content);
    }

    private static byte[] length(int n) {
        if (n < 0x80) {
            return new byte[] {(byte) n};
        }
        if (n < 0x100) {
            return new byte[] {(byte) 0x81, (byte) n};
        }
        if (n < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        }
        return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }

    private static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] p : parts) {
            size += p.length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Trusts what the system trusts, or else what the extra CAs sign; host names are checked by both. */
    private static final class Either extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager system;
        private final X509ExtendedTrustManager extra;

        Either(X509ExtendedTrustManager system, X509ExtendedTrustManager extra) {
            this.system = system;
            this.extra = extra;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            try {
                system.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                extra.checkServerTrusted(chain, authType, engine);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            try {
                system.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                extra.checkServerTrusted(chain, authType, socket);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                system.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                extra.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            system.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            system.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            system.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = system.getAcceptedIssuers();
            X509Certificate[] b = extra.getAcceptedIssuers();
            X509Certificate[] all = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }

    /**
     * Accepts any server ({@code --tls-verify=false}). An extended trust manager, so that JSSE does not add a
     * host name check of its own.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
