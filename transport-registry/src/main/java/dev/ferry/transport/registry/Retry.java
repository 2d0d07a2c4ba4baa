package dev.ferry.transport.registry;

import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and how long to wait before trying a request again: up to {@code times} more tries, on connection failures,
 * timeouts and the statuses in {@link #RETRYABLE}, never on 401, 403, 404 or a digest mismatch. The delay is the
 * fixed one given, else 1 s doubled each try (at most 30 s) with jitter of ±50 %; a {@code Retry-After} header
 * (seconds or a date) wins. Each retry is one line on stderr.
 */
final class Retry {
    static final Set<Integer> RETRYABLE = Set.of(408, 429, 500, 502, 503, 504);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    private final int times;
    private final Duration fixed;
    private final PrintStream log;

    Retry(int times, Duration fixed, PrintStream log) {
        this.times = times;
        this.fixed = fixed;
        this.log = log;
    }

    int times() {
        return times;
    }

    /** Whether try {@code attempt} (0 for the first) may be followed by another. */
    boolean mayRetry(int attempt) {
        return attempt < times;
    }

    /** The wait after try {@code attempt} failed, honouring {@code Retry-After} when given. */
    Duration delay(int attempt, HttpHeaders headers) {
        if (headers != null) {
            Duration after = retryAfter(headers.firstValue("Retry-After").orElse(null));
            if (after != null) {
                return after.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : after;
            }
        }
        if (fixed != null) {
            return fixed;
        }
        long base = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(attempt, 10));
        double jitter = 0.5 + ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.round(base * jitter));
    }

    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** Says on stderr what failed and when the next try starts, then waits. */
    void waitBefore(int attempt, String what, Duration delay) throws InterruptedIOException {
        log.println("ferry: " + what + "; trying again in " + format(delay) + " (retry " + (attempt + 1) + " of "
                + times + ")");
        log.flush();
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }

    static String format(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
