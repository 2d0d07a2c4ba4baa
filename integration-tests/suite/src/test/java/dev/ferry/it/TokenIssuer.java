package dev.ferry.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny token server for the registry's {@code auth: token} configuration: it checks one user's Basic credentials
 * and answers a JWT signed with ES256 by a key made here with openssl, whose certificate (in the {@code x5c} header)
 * the registry trusts through {@code rootcertbundle}. It grants what is asked to the user, nothing to anyone else,
 * so the real registry checks real tokens and scopes. Every request is recorded.
 */
final class TokenIssuer implements AutoCloseable {
    static final String SERVICE = "ferry-test-registry";
    static final String ISSUER = "ferry-test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Path dir;
    private final PrivateKey key;
    private final String x5c;
    private final String user;
    private final String password;
    private volatile long lifetime = 300;
    private volatile long claimedLifetime = -1;
    final List<String> requests = new CopyOnWriteArrayList<>();

    private TokenIssuer(HttpServer server, Path dir, PrivateKey key, String x5c, String user, String password) {
        this.server = server;
        this.dir = dir;
        this.key = key;
        this.x5c = x5c;
        this.user = user;
        this.password = password;
    }

    static TokenIssuer start(String user, String password) throws Exception {
        Path dir = Files.createTempDirectory("token-issuer");
        Certificates.selfSigned(Certificates.Key.EC, dir.resolve("key.pem"), dir.resolve("cert.pem"), ISSUER);
        String pem = Files.readString(dir.resolve("key.pem"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        X509Certificate cert;
        try (var in = Files.newInputStream(dir.resolve("cert.pem"))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String x5c = Base64.getEncoder().encodeToString(cert.getEncoded());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        TokenIssuer issuer = new TokenIssuer(server, dir, key, x5c, user, password);
        server.createContext("/token", issuer::handle);
        server.start();
        return issuer;
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    Path certificate() {
        return dir.resolve("cert.pem");
    }

    /** Tokens issued from now on live this many seconds. */
    void lifetime(long seconds) {
        lifetime = seconds;
    }

    /** Tokens issued from now on live {@code seconds} but the answer says they live {@code claimed}. */
    void lifetime(long seconds, long claimed) {
        lifetime = seconds;
        claimedLifetime = claimed;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        requests.add(query == null ? "" : URLDecoder.decode(query, StandardCharsets.UTF_8));
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String expected =
                "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(auth)) {
            byte[] body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"wrong credentials\"}]}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
            return;
        }
        List<String> scopes = new ArrayList<>();
        if (query != null) {
            for (String part : query.split("&")) {
                if (part.startsWith("scope=")) {
                    scopes.add(URLDecoder.decode(part.substring(6), StandardCharsets.UTF_8));
                }
            }
        }
        try {
            byte[] body = JSON.writeValueAsBytes(
                    Map.of("token", sign(scopes), "expires_in", claimedLifetime >= 0 ? claimedLifetime : lifetime));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (Exception e) {
            exchange.sendResponseHeaders(500, -1);
        }
        exchange.close();
    }

    private String sign(List<String> scopes) throws Exception {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "ES256");
        header.putArray("x5c").add(x5c);
        long now = System.currentTimeMillis() / 1000;
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", ISSUER)
                .put("sub", user)
                .put("aud", SERVICE)
                .put("exp", now + lifetime)
                .put("nbf", now - 10)
                .put("iat", now)
                .put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        for (String scope : scopes) {
            for (String one : scope.split(" ")) {
                String[] parts = one.split(":");
                if (parts.length < 3) {
                    continue;
                }
                ObjectNode entry = access.addObject().put("type", parts[0]).put("name", parts[1]);
                ArrayNode actions = entry.putArray("actions");
                for (String action : parts[2].split(",")) {
                    actions.add(action);
                }
            }
        }
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + url.encodeToString(JSON.writeValueAsBytes(claims));
        Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
        signature.initSign(key);
        signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + url.encodeToString(signature.sign());
    }

    @Override
    public void close() throws Exception {
        server.stop(0);
        Fixtures.deleteTree(dir);
    }
}
