package dev.ferry.transport.registry;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.TransportOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The settings of one registry for one side of an operation, read from the side's {@link OpenContext} (the copy
 * engine gives each side its own: {@code --src-NAME} and {@code --dest-NAME} over {@code --NAME}), scoped to the
 * registry's {@code HOST[:PORT]} ({@link OpenContext#forScope}: a sync file gives credentials and TLS per registry).
 * The options are those {@link RegistryTransport#options()} declares.
 *
 * @param creds {@code USER:PASSWORD} for this registry, or null to look in the auth files
 * @param authFile the auth file to read (and only it), or null for the default search
 * @param certDir a folder of {@code *.crt} CAs and {@code *.cert}/{@code *.key} client pairs, or null for
 *     {@code /etc/docker/certs.d/HOST[:PORT]} and {@code /etc/containers/certs.d/HOST[:PORT]}
 * @param tlsVerify false to allow plain HTTP and unverified HTTPS for this registry
 * @param retryTimes how many times a failed request is tried again
 * @param retryDelay a fixed delay between tries, or null for exponential backoff with jitter
 * @param stallTimeout how long a download may go without a byte before it is taken as broken (and resumed)
 */
public record RegistrySettings(
        String creds,
        Path authFile,
        Path certDir,
        boolean tlsVerify,
        int retryTimes,
        Duration retryDelay,
        Duration stallTimeout) {
    /** {@code USER:PASSWORD} ({@code --creds}, {@code --src-creds}, {@code --dest-creds}). */
    public static final TransportOption CREDS = TransportOption.of(
            "creds",
            TransportOption.Kind.CREDENTIALS,
            "USER[:PASSWORD]",
            "Credentials for the registry (the password is asked on the terminal when missing). Default: the auth"
                    + " files.");
    /** An auth file in the format of {@code ~/.docker/config.json} ({@code --authfile}). */
    public static final TransportOption AUTHFILE = TransportOption.path(
                    "authfile",
                    "FILE",
                    "Read registry credentials from this file only (the format of ~/.docker/config.json). Default:"
                            + " REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, then"
                            + " ~/.docker/config.json.")
            .withEnvironment("REGISTRY_AUTH_FILE");
    /** A certificates folder ({@code --cert-dir}). */
    public static final TransportOption CERT_DIR = TransportOption.path(
            "cert-dir",
            "DIR",
            "CAs (*.crt) and client certificates (*.cert with *.key) for the registry. Default:"
                    + " /etc/docker/certs.d/HOST[:PORT] and /etc/containers/certs.d/HOST[:PORT].");
    /** {@code true} (the default) or {@code false} ({@code --tls-verify}). */
    public static final TransportOption TLS_VERIFY = TransportOption.flag(
            "tls-verify", "Verify the registry's certificate (default: true); false also allows plain HTTP.");
    /** A whole number, 3 by default ({@code --retry-times}). */
    public static final TransportOption RETRY_TIMES = TransportOption.of(
            "retry-times", TransportOption.Kind.COUNT, "N", "Try a failed registry request N more times (default: 3).");
    /** A duration such as {@code 2s} or {@code 500ms} ({@code --retry-delay}); exponential backoff by default. */
    public static final TransportOption RETRY_DELAY = TransportOption.text(
            "retry-delay",
            "DURATION",
            "Wait this long between tries of a registry request, for example 2s (default: exponential backoff from"
                    + " 1 s, with jitter).");

    /** Every option the registry transport reads and front ends offer. */
    static final List<TransportOption> OPTIONS =
            List.of(CREDS, AUTHFILE, CERT_DIR, TLS_VERIFY, RETRY_TIMES, RETRY_DELAY);

    /** A duration ({@code 30s}); 60 s by default. Not offered by front ends: for tests and embedders. */
    public static final String STALL_TIMEOUT = "stall-timeout";

    public static final int DEFAULT_RETRY_TIMES = 3;
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

    /** The settings {@code context} gives {@code registry} ({@code HOST[:PORT]}, also the scope of its options). */
    static RegistrySettings of(OpenContext sideContext, String registry) throws FerryException {
        OpenContext context = sideContext.forScope(registry);
        String creds = context.option(CREDS).orElse(null);
        Path authFile = context.option(AUTHFILE).map(Path::of).orElse(null);
        Path certDir = context.option(CERT_DIR).map(Path::of).orElse(null);
        boolean tlsVerify = true;
        Optional<String> verify = context.option(TLS_VERIFY);
        if (verify.isPresent()) {
            tlsVerify = switch (verify.get().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1" -> true;
                case "false", "no", "0" -> false;
                default -> throw new FerryException("tls-verify is \"" + verify.get() + "\"", "use true or false");
            };
        }
        int retryTimes = DEFAULT_RETRY_TIMES;
        Optional<String> times = context.option(RETRY_TIMES);
        if (times.isPresent()) {
            try {
                retryTimes = Integer.parseInt(times.get().strip());
            } catch (NumberFormatException e) {
                retryTimes = -1;
            }
            if (retryTimes < 0) {
                throw new FerryException("retry-times is \"" + times.get() + "\"", "use a whole number, 0 or more");
            }
        }
        Duration retryDelay = null;
        Optional<String> delay = context.option(RETRY_DELAY);
        if (delay.isPresent()) {
            retryDelay = parseDuration(delay.get());
        }
        Duration stall = DEFAULT_STALL_TIMEOUT;
        Optional<String> stallText = context.option(STALL_TIMEOUT);
        if (stallText.isPresent()) {
            stall = parseDuration(stallText.get());
        }
        return new RegistrySettings(creds, authFile, certDir, tlsVerify, retryTimes, retryDelay, stall);
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1.5s} or a number of seconds. */
    static Duration parseDuration(String text) throws FerryException {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 2))));
            }
            double factor = 1000;
            if (t.endsWith("s")) {
                t = t.substring(0, t.length() - 1);
            } else if (t.endsWith("m")) {
                t = t.substring(0, t.length() - 1);
                factor = 60_000;
            }
            double value = Double.parseDouble(t);
            if (value < 0 || Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.round(value * factor));
        } catch (NumberFormatException e) {
            throw new FerryException(
                    "duration \"" + text + "\" is not valid", "write a duration such as 500ms, 2s or 1m");
        }
    }

    @Override
    public String toString() {
        // never the password
        return "RegistrySettings[creds=" + (creds == null ? "none" : "(given)") + ", authFile=" + authFile
                + ", certDir=" + certDir + ", tlsVerify=" + tlsVerify + ", retryTimes=" + retryTimes
                + ", retryDelay=" + retryDelay + ", stallTimeout=" + stallTimeout + "]";
    }
}
