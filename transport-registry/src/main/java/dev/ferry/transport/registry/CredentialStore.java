package dev.ferry.transport.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.spi.FerryException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds the credentials for a registry as docker and skopeo do, in this order: {@code --creds}; the auth file
 * given ({@code --authfile}, else REGISTRY_AUTH_FILE), and then only it; else {@code $XDG_RUNTIME_DIR/containers/auth.json},
 * then {@code ~/.docker/config.json} (DOCKER_CONFIG/config.json when set). In a file: {@code auths} (the most
 * specific key first: {@code host/ns/repo}, then {@code host}; keys may carry {@code https://} and {@code /v1/}),
 * and {@code credHelpers}/{@code credsStore} through {@code docker-credential-NAME get}, which reads the server on
 * its standard input: no secret is ever in a process's arguments.
 */
class CredentialStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What Docker calls Docker Hub in auth files. */
    static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    private final Map<String, String> env;
    private final Path home;

    CredentialStore(Map<String, String> env, Path home) {
        this.env = env;
        this.home = home;
    }

    static CredentialStore system() {
        return new CredentialStore(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The credentials for {@code repository} of {@code registry}, if any are configured. */
    Optional<Credentials> find(RegistrySettings settings, String registry, String repository) throws IOException {
        if (settings.creds() != null) {
            return Optional.of(Credentials.parse(settings.creds(), "--creds"));
        }
        Path given = settings.authFile();
        if (given == null
                && env.get("REGISTRY_AUTH_FILE") != null
                && !env.get("REGISTRY_AUTH_FILE").isBlank()) {
            given = Path.of(env.get("REGISTRY_AUTH_FILE"));
        }
        if (given != null) {
            if (!Files.isRegularFile(given)) {
                throw new FerryException(
                        "auth file " + given + " does not exist", "check --authfile or" + " REGISTRY_AUTH_FILE");
            }
            return fromFile(given, registry, repository);
        }
        for (Path file : defaultFiles()) {
            if (Files.isRegularFile(file)) {
                Optional<Credentials> found = fromFile(file, registry, repository);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** Where credentials are looked for when no file is given, in order. */
    List<Path> defaultFiles() {
        List<Path> files = new ArrayList<>();
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            files.add(Path.of(runtime, "containers", "auth.json"));
        }
        files.add(dockerConfig());
        return files;
    }

    /** Docker's config file: DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
    Path dockerConfig() {
        String dir = env.get("DOCKER_CONFIG");
        return dir != null && !dir.isBlank() ? Path.of(dir, "config.json") : home.resolve(".docker/config.json");
    }

    Optional<Credentials> fromFile(Path file, String registry, String repository) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new FerryException("auth file " + file + " is not valid JSON", "fix or remove it");
        }
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        JsonNode helpers = root.path("credHelpers");
        for (String key : helperKeys(registry)) {
            if (helpers.path(key).isTextual()) {
                return helper(helpers.path(key).asText(), key, registry);
            }
        }
        JsonNode auths = root.path("auths");
        for (String wanted : authKeys(registry, repository)) {
            var fields = auths.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> entry = fields.next();
                if (normalizeKey(entry.getKey()).equals(wanted)) {
                    Optional<Credentials> c = decode(entry.getValue(), file);
                    if (c.isPresent()) {
                        return c;
                    }
                }
            }
        }
        if (root.path("credsStore").isTextual()
                && !root.path("credsStore").asText().isBlank()) {
            return helper(root.path("credsStore").asText(), helperKeys(registry).get(0), registry);
        }
        return Optional.empty();
    }

    /** The keys a credential helper knows a registry by: Docker Hub's old URL for docker.io. */
    static List<String> helperKeys(String registry) {
        return registry.equals(RegistryReference.DOCKER_HUB)
                ? List.of(DOCKER_HUB_KEY, "docker.io", "index.docker.io")
                : List.of(registry);
    }

    /** The keys to try, the most specific first: {@code host/a/b}, {@code host/a}, {@code host}. */
    static List<String> authKeys(String registry, String repository) {
        List<String> keys = new ArrayList<>();
        String path = registry + "/" + repository;
        while (true) {
            keys.add(path);
            int slash = path.lastIndexOf('/');
            if (slash < 0) {
                break;
            }
            path = path.substring(0, slash);
        }
        return keys;
    }

    /** A key of {@code auths} as a registry name: no scheme, no trailing {@code /v1/}, Docker Hub as docker.io. */
    static String normalizeKey(String key) {
        String k = key;
        if (k.startsWith("https://")) {
            k = k.substring(8);
        } else if (k.startsWith("http://")) {
            k = k.substring(7);
        }
        if (k.endsWith("/v1/") || k.endsWith("/v2/")) {
            k = k.substring(0, k.length() - 4);
        }
        while (k.endsWith("/")) {
            k = k.substring(0, k.length() - 1);
        }
        if (k.equals("index.docker.io") || k.equals("registry-1.docker.io")) {
            return RegistryReference.DOCKER_HUB;
        }
        return k;
    }

    private static Optional<Credentials> decode(JsonNode entry, Path file) throws FerryException {
        if (entry.path("identitytoken").isTextual()
                && !entry.path("identitytoken").asText().isEmpty()) {
            return Optional.of(new Credentials("", entry.path("identitytoken").asText(), true, file.toString()));
        }
        if (!entry.path("auth").isTextual() || entry.path("auth").asText().isEmpty()) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(
                    Base64.getDecoder().decode(entry.path("auth").asText().strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new FerryException(
                    "auth file " + file + " holds an \"auth\" that is not base64", "log in again to rewrite it");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw new FerryException(
                    "auth file " + file + " holds an \"auth\" without a colon", "log in again to rewrite it");
        }
        return Optional.of(
                new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1), false, file.toString()));
    }

    /** Runs {@code docker-credential-NAME get} with the server on its standard input. */
    Optional<Credentials> helper(String name, String server, String registry) throws IOException {
        String program = "docker-credential-" + name;
        Process process;
        try {
            process = new ProcessBuilder(onPath(program), "get")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new FerryException(
                    "credential helper " + program + " for " + registry + " could not be run: " + e.getMessage(),
                    "install it, or remove it from the auth file's credHelpers/credsStore");
        }
        try (OutputStream in = process.getOutputStream()) {
            in.write(server.getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = readAll(process.getInputStream());
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new FerryException("credential helper " + program + " did not answer within 60 s", null);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + program);
        }
        String text = new String(out, StandardCharsets.UTF_8).strip();
        if (process.exitValue() != 0) {
            if (text.contains("credentials not found")) {
                return Optional.empty();
            }
            // never print what it wrote: it may hold a secret
            throw new FerryException(
                    "credential helper " + program + " failed for " + registry + " (exit " + process.exitValue() + ")",
                    "run `" + program + " list` to check it");
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new FerryException("credential helper " + program + " answered something that is not JSON", null);
        }
        String user = node.path("Username").asText("");
        String secret = node.path("Secret").asText("");
        if (secret.isEmpty()) {
            return Optional.empty();
        }
        if (user.equals("<token>")) {
            return Optional.of(new Credentials("", secret, true, program));
        }
        return Optional.of(new Credentials(user, secret, false, program));
    }

    /** {@code program} found on the PATH of this store's environment, else as given. */
    private String onPath(String program) {
        String path = env.get("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                    return Path.of(dir, program).toString();
                }
            }
        }
        return program;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        int total = 0;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total <= 1 << 20) {
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }
}
