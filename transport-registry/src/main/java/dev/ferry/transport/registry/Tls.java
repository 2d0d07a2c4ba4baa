package dev.ferry.transport.registry;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.support.Pem;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
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
 * certificates ({@code NAME.cert} with {@code NAME.key}, PEM, the key in PKCS#8, PKCS#1 RSA or SEC 1 EC form) in
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
                        cas.addAll(Pem.certificates(file));
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
                        List<X509Certificate> chain = Pem.certificates(file);
                        try {
                            clientKeys.setKeyEntry(
                                    name, Pem.privateKey(key), new char[0], chain.toArray(new Certificate[0]));
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
