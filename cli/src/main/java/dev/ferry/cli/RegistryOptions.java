package dev.ferry.cli;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.OpenContext;
import java.io.Console;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * skopeo's registry flags, for {@code docker://} references. They reach the registry transport as
 * {@link OpenContext} options: {@code registry.NAME} for both sides, {@code registry.src.NAME} and
 * {@code registry.dest.NAME} for one (the transport prefers the side's own).
 */
public class RegistryOptions {
    @Option(
            names = "--creds",
            paramLabel = "USER[:PASSWORD]",
            description = "Credentials for the registries of SRC and DEST (the password is asked when missing).")
    String creds;

    @Option(names = "--src-creds", paramLabel = "USER[:PASSWORD]", description = "Credentials for SRC's registry.")
    String srcCreds;

    @Option(names = "--dest-creds", paramLabel = "USER[:PASSWORD]", description = "Credentials for DEST's registry.")
    String destCreds;

    @Option(
            names = "--authfile",
            paramLabel = "FILE",
            description = "Read credentials from this file only (the"
                    + " format of ~/.docker/config.json). Default: REGISTRY_AUTH_FILE, else"
                    + " $XDG_RUNTIME_DIR/containers/auth.json, then ~/.docker/config.json.")
    Path authFile;

    @Option(
            names = "--cert-dir",
            paramLabel = "DIR",
            description = "CAs (*.crt) and client certificates (*.cert"
                    + " with *.key) for the registries. Default: /etc/docker/certs.d/HOST[:PORT] and"
                    + " /etc/containers/certs.d/HOST[:PORT].")
    Path certDir;

    @Option(names = "--src-cert-dir", paramLabel = "DIR", description = "As --cert-dir, for SRC only.")
    Path srcCertDir;

    @Option(names = "--dest-cert-dir", paramLabel = "DIR", description = "As --cert-dir, for DEST only.")
    Path destCertDir;

    @Option(
            names = "--tls-verify",
            paramLabel = "BOOL",
            arity = "0..1",
            fallbackValue = "true",
            description = "Verify registries' certificates (default: true); false also allows plain HTTP.")
    Boolean tlsVerify;

    @Option(
            names = "--src-tls-verify",
            paramLabel = "BOOL",
            arity = "0..1",
            fallbackValue = "true",
            description = "As --tls-verify, for SRC only.")
    Boolean srcTlsVerify;

    @Option(
            names = "--dest-tls-verify",
            paramLabel = "BOOL",
            arity = "0..1",
            fallbackValue = "true",
            description = "As --tls-verify, for DEST only.")
    Boolean destTlsVerify;

    @Option(
            names = "--retry-times",
            paramLabel = "N",
            description = "Try a failed registry request N more times (default: 3).")
    Integer retryTimes;

    @Option(
            names = "--retry-delay",
            paramLabel = "DURATION",
            description = "Wait this long between tries, for example 2s (default: exponential backoff from 1 s).")
    String retryDelay;

    /** {@code context} with the registry settings given. */
    OpenContext apply(OpenContext context) throws FerryException {
        OpenContext c = context;
        c = set(c, "registry.creds", creds(creds, "--creds"));
        c = set(c, "registry.src.creds", creds(srcCreds, "--src-creds"));
        c = set(c, "registry.dest.creds", creds(destCreds, "--dest-creds"));
        c = set(
                c,
                "registry.authfile",
                authFile == null ? null : authFile.toAbsolutePath().toString());
        c = set(
                c,
                "registry.cert-dir",
                certDir == null ? null : certDir.toAbsolutePath().toString());
        c = set(
                c,
                "registry.src.cert-dir",
                srcCertDir == null ? null : srcCertDir.toAbsolutePath().toString());
        c = set(
                c,
                "registry.dest.cert-dir",
                destCertDir == null ? null : destCertDir.toAbsolutePath().toString());
        c = set(c, "registry.tls-verify", tlsVerify == null ? null : tlsVerify.toString());
        c = set(c, "registry.src.tls-verify", srcTlsVerify == null ? null : srcTlsVerify.toString());
        c = set(c, "registry.dest.tls-verify", destTlsVerify == null ? null : destTlsVerify.toString());
        if (retryTimes != null && retryTimes < 0) {
            throw new UsageException("--retry-times must be 0 or more, got " + retryTimes, null);
        }
        c = set(c, "registry.retry-times", retryTimes == null ? null : retryTimes.toString());
        c = set(c, "registry.retry-delay", retryDelay);
        return c;
    }

    private static OpenContext set(OpenContext context, String name, String value) {
        return value == null ? context : context.withOption(name, value);
    }

    /** {@code USER:PASSWORD}; the password is read from the terminal when only a user is given. */
    private static String creds(String value, String flag) throws FerryException {
        if (value == null || value.indexOf(':') >= 0) {
            if (value != null && value.startsWith(":")) {
                throw new UsageException(flag + " has no user name", "write " + flag + " USER[:PASSWORD]");
            }
            return value;
        }
        if (value.isEmpty()) {
            throw new UsageException(flag + " is empty", "write " + flag + " USER[:PASSWORD]");
        }
        Console console = System.console();
        if (console == null) {
            throw new UsageException(
                    flag + " gives no password and there is no terminal to ask for it",
                    "write " + flag + " USER:PASSWORD");
        }
        char[] password = console.readPassword("Password for %s: ", value);
        if (password == null) {
            throw new UsageException("no password given for " + flag, null);
        }
        return value + ":" + new String(password);
    }
}
