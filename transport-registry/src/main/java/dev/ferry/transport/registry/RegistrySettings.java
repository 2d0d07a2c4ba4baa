package dev.ferry.transport.registry;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.OpenContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The settings of one side of a copy, read from {@link OpenContext} options. Each option exists in three forms: a
 * side-specific one ({@code registry.src.NAME} for a source, {@code registry.dest.NAME} for a sink), which wins, and
 * {@code registry.NAME} for both sides. The retry options have only the shared form.
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
    /** {@code USER[:PASSWORD]} ({@code --creds}). */
    public static final String CREDS = "creds";
    /** An auth file in the format of {@code ~/.docker/config.json} ({@code --authfile}). */
    public static final String AUTHFILE = "authfile";
    /** A certificates folder ({@code --cert-dir}). */
    public static final String CERT_DIR = "cert-dir";
    /** {@code true} (the default) or {@code false} ({@code --tls-verify}). */
    public static final String TLS_VERIFY = "tls-verify";
    /** An integer, 3 by default ({@code --retry-times}). */
    public static final String RETRY_TIMES = "retry-times";
    /** A duration such as {@code 2s} or {@code 500ms} ({@code --retry-delay}); exponential backoff by default. */
    public static final String RETRY_DELAY = "retry-delay";

    /** A duration ({@code 30s}); 60 s by default. No CLI flag: for tests and embedders. */
    public static final String STALL_TIMEOUT = "stall-timeout";

    public static final int DEFAULT_RETRY_TIMES = 3;
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

    /** Which side of a copy a registry is opened for. */
    public enum Side {
        SOURCE("src"),
        DESTINATION("dest");

        private final String prefix;

        Side(String prefix) {
            this.prefix = prefix;
        }

        /** {@code src} or {@code dest}. */
        public String prefix() {
            return prefix;
        }
    }

    /** The option name shared by both sides: {@code registry.NAME}. */
    public static String option(String name) {
        return "registry." + name;
    }

    /** The option name for one side: {@code registry.src.NAME} or {@code registry.dest.NAME}. */
    public static String option(Side side, String name) {
        return "registry." + side.prefix() + "." + name;
    }

    /** The settings {@code context} gives {@code side}. */
    static RegistrySettings of(OpenContext context, Side side, String registry) throws FerryException {
        String creds = value(context, side, CREDS).orElse(null);
        Path authFile = value(context, side, AUTHFILE).map(Path::of).orElse(null);
        Path certDir = value(context, side, CERT_DIR).map(Path::of).orElse(null);
        boolean tlsVerify = true;
        Optional<String> verify = value(context, side, TLS_VERIFY);
        if (verify.isPresent()) {
            tlsVerify = switch (verify.get().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1" -> true;
                case "false", "no", "0" -> false;
                default -> throw new FerryException("tls-verify is \"" + verify.get() + "\"", "use true or false");
            };
        }
        int retryTimes = DEFAULT_RETRY_TIMES;
        Optional<String> times = context.option(option(RETRY_TIMES));
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
        Optional<String> delay = context.option(option(RETRY_DELAY));
        if (delay.isPresent()) {
            retryDelay = parseDuration(delay.get());
        }
        Duration stall = DEFAULT_STALL_TIMEOUT;
        Optional<String> stallText = context.option(option(STALL_TIMEOUT));
        if (stallText.isPresent()) {
            stall = parseDuration(stallText.get());
        }
        return new RegistrySettings(creds, authFile, certDir, tlsVerify, retryTimes, retryDelay, stall);
    }

    private static Optional<String> value(OpenContext context, Side side, String name) {
        Optional<String> specific = context.option(option(side, name));
        return specific.isPresent() ? specific : context.option(option(name));
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
