package dev.ferry.spi;

import static java.util.Objects.requireNonNull;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An option a transport reads from its {@link OpenContext}, declared by {@link Transport#options()} so that every
 * front end offers it without knowing the transport. The {@code ferry} command turns each into {@code --NAME}, for
 * both sides of a copy, and {@code --src-NAME} / {@code --dest-NAME}, for one (the side's own wins); the library
 * and the sync file set them by name. A transport reads its option with {@link OpenContext#option(TransportOption)},
 * which falls back to the {@linkplain #environment() environment variable} when the option is not set.
 *
 * <p>Several transports may declare one name (both Docker transports read {@code docker-host}): they then mean the
 * same thing, and the first declaration's description is shown.
 *
 * <p>Made with one of the factories and {@code with...} methods, so that an attribute added later has a default and
 * every transport written before it keeps working.
 */
public final class TransportOption {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    /** What the value is, which says how a front end reads and checks it. */
    public enum Kind {
        /** Any text. */
        TEXT,
        /** A file or folder; front ends make it absolute. */
        PATH,
        /** {@code true} or {@code false}; given alone on the command line ({@code --NAME}), it means true. */
        BOOLEAN,
        /** A whole number, 0 or more. */
        COUNT,
        /**
         * {@code USER:PASSWORD}. On the command line, {@code USER} alone has the password asked on the terminal. A
         * secret: front ends never print it.
         */
        CREDENTIALS
    }

    private final String name;
    private final Kind kind;
    private final String label;
    private final String description;
    private final String environment;

    private TransportOption(String name, Kind kind, String label, String description, String environment) {
        this.name = requireNonNull(name, "name is null");
        if (!NAME.matcher(name).matches() || name.startsWith("src-") || name.startsWith("dest-")) {
            throw new IllegalArgumentException("an option name is lowercase words joined by '-', and does not start"
                    + " with src- or dest- (those are the one-side forms): " + name);
        }
        this.kind = requireNonNull(kind, "kind is null");
        this.label = requireNonNull(label, "label is null");
        this.description = requireNonNull(description, "description is null");
        this.environment = environment;
    }

    /**
     * An option of the given kind.
     *
     * @param name lowercase words joined by {@code -}, for example {@code cert-dir}
     * @param label what the value looks like in help, for example {@code DIR}
     * @param description one sentence for help, saying the default
     */
    public static TransportOption of(String name, Kind kind, String label, String description) {
        return new TransportOption(name, kind, label, description, null);
    }

    /** A {@link Kind#TEXT} option. */
    public static TransportOption text(String name, String label, String description) {
        return of(name, Kind.TEXT, label, description);
    }

    /** A {@link Kind#PATH} option. */
    public static TransportOption path(String name, String label, String description) {
        return of(name, Kind.PATH, label, description);
    }

    /** A {@link Kind#BOOLEAN} option. */
    public static TransportOption flag(String name, String description) {
        return of(name, Kind.BOOLEAN, "BOOL", description);
    }

    /** This option, read from {@code variable} when it is not set. */
    public TransportOption withEnvironment(String variable) {
        return new TransportOption(name, kind, label, description, requireNonNull(variable, "variable is null"));
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** The environment variable read when the option is not set. */
    public Optional<String> environment() {
        return Optional.ofNullable(environment);
    }

    /** Whether front ends must keep the value out of every output. */
    public boolean secret() {
        return kind == Kind.CREDENTIALS;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransportOption t
                && t.name.equals(name)
                && t.kind == kind
                && t.label.equals(label)
                && t.description.equals(description)
                && Objects.equals(t.environment, environment);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, kind, label, description, environment);
    }

    @Override
    public String toString() {
        return "--" + name + " " + label + " (" + kind + ")";
    }
}
