package dev.ferry.transport.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.AtomicFiles;
import dev.ferry.spi.support.TempFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferry login} and {@code ferry logout}: checks credentials against a registry, and stores them where
 * {@code docker login} does (the auth file given, else {@code ~/.docker/config.json} or DOCKER_CONFIG's), through
 * the file's {@code credsStore} or {@code credHelpers} entry when it names one. The file is replaced atomically,
 * readable by its owner only, its other entries kept.
 */
public final class RegistryLogin {
    private RegistryLogin() {}

    /** {@code HOST[:PORT]} as the user wrote it, normalized ({@code index.docker.io} is {@code docker.io}). */
    public static String registry(String text) throws InvalidReferenceException {
        String host = text == null || text.isBlank() ? RegistryReference.DOCKER_HUB : text.strip();
        if (host.startsWith("https://") || host.startsWith("http://")) {
            host = host.substring(host.indexOf("://") + 3);
        }
        host = CredentialStore.normalizeKey(host);
        RegistryReference ref = new RegistryTransport().parse("//" + host + "/ferry-login-check");
        if (!ref.registry().equals(host)) {
            throw new InvalidReferenceException(
                    text, "not a registry host", "write HOST[:PORT], for example" + " registry.example:5000");
        }
        return host;
    }

    /**
     * Checks {@code username} and {@code password} against {@code registry}, with the TLS settings of
     * {@code context} (options {@code tls-verify}, {@code cert-dir}).
     *
     * @throws RegistryAuthException if the registry refuses them
     */
    public static void check(String registry, String username, String password, OpenContext context)
            throws IOException {
        OpenContext withCreds = context.withOption(RegistrySettings.CREDS.name(), username + ":" + password);
        RegistrySettings settings = RegistrySettings.of(withCreds, registry);
        String endpoint =
                registry.equals(RegistryReference.DOCKER_HUB) ? RegistryReference.DOCKER_HUB_ENDPOINT : registry;
        try (RegistryClient client = new RegistryClient(registry, endpoint, null, settings, CredentialStore.system())) {
            client.checkLogin();
        }
    }

    /** The file {@code docker login} writes: {@code authFile} when given, else Docker's config file. */
    public static Path authFile(Path authFile) {
        return authFile != null ? authFile : CredentialStore.system().dockerConfig();
    }

    /**
     * Stores the credentials; returns where (a file, or {@code docker-credential-NAME}).
     */
    public static String store(String registry, String username, String password, Path authFile) throws IOException {
        Path file = authFile(authFile);
        ObjectNode root = read(file);
        String key = CredentialStore.helperKeys(registry).get(0);
        String helper = helper(root, registry);
        if (helper != null) {
            ObjectNode payload = JsonNodeFactory.instance
                    .objectNode()
                    .put("ServerURL", key)
                    .put("Username", username)
                    .put("Secret", password);
            runHelper(helper, "store", RegistryClient.JSON.writeValueAsBytes(payload));
            removeEntries(root, registry);
            write(file, root);
            return "docker-credential-" + helper;
        }
        removeEntries(root, registry);
        ObjectNode auths = root.has("auths") && root.get("auths").isObject()
                ? (ObjectNode) root.get("auths")
                : root.putObject("auths");
        auths.putObject(key)
                .put(
                        "auth",
                        Base64.getEncoder()
                                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
        write(file, root);
        return file.toString();
    }

    /** Removes the stored credentials; false when there were none. */
    public static boolean erase(String registry, Path authFile) throws IOException {
        Path file = authFile(authFile);
        if (!Files.exists(file)) {
            return false;
        }
        ObjectNode root = read(file);
        boolean removed = removeEntries(root, registry);
        String helper = helper(root, registry);
        if (helper != null) {
            removed |= runHelper(
                    helper, "erase", CredentialStore.helperKeys(registry).get(0).getBytes(StandardCharsets.UTF_8));
        }
        if (removed) {
            write(file, root);
        }
        return removed;
    }

    private static String helper(ObjectNode root, String registry) {
        for (String key : CredentialStore.helperKeys(registry)) {
            if (root.path("credHelpers").path(key).isTextual()) {
                return root.path("credHelpers").path(key).asText();
            }
        }
        String store = root.path("credsStore").asText("");
        return store.isBlank() ? null : store;
    }

    private static boolean removeEntries(ObjectNode root, String registry) {
        JsonNode auths = root.get("auths");
        if (!(auths instanceof ObjectNode object)) {
            return false;
        }
        List<String> gone = new ArrayList<>();
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (CredentialStore.normalizeKey(name).equals(registry)) {
                gone.add(name);
            }
        }
        gone.forEach(object::remove);
        return !gone.isEmpty();
    }

    private static ObjectNode read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            JsonNode node = RegistryClient.JSON.readTree(file.toFile());
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new FerryException("auth file " + file + " is not a JSON object", "fix or move it away first");
    }

    /** Replaces {@code file} atomically with {@code root}, owner-only. */
    private static void write(Path file, ObjectNode root) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // a TempFiles name beside the file: removed on failure, at Ctrl-C and SIGTERM, and by the next run's sweep
        TempFiles.sweep(dir);
        Path tmp = TempFiles.path(dir, file.getFileName().toString());
        TempFiles.track(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            TempFiles.checkNotExiting(tmp);
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(RegistryClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
                out.write('\n');
            }
            AtomicFiles.move(tmp, file);
        } finally {
            TempFiles.delete(tmp);
        }
    }

    /** Runs {@code docker-credential-NAME ACTION} with {@code input} on its standard input. */
    private static boolean runHelper(String name, String action, byte[] input) throws IOException {
        String program = "docker-credential-" + name;
        Process process;
        try {
            process = new ProcessBuilder(program, action)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new FerryException(
                    "credential helper " + program + " could not be run: " + e.getMessage(),
                    "install it, or remove credsStore/credHelpers from the auth file");
        }
        try (OutputStream in = process.getOutputStream()) {
            in.write(input);
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new FerryException("credential helper " + program + " did not answer within 60 s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new InterruptedIOException("interrupted while running " + program);
        }
        if (process.exitValue() != 0 && !action.equals("erase")) {
            throw new FerryException(
                    "credential helper " + program + " " + action + " failed (exit " + process.exitValue() + ")", null);
        }
        return process.exitValue() == 0;
    }

    /** For tests: what {@link #store} would write for one entry. */
    static Map<String, String> entry(String username, String password) {
        return Map.of(
                "auth",
                Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
}
