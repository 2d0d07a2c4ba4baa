package dev.ferry.spi;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the user told Ferry about the environment, for one side of an operation: where temporary files may go, and
 * named options (those the transports declare with {@link Transport#options()}). Each side of a copy gets its own
 * context: the user's {@code --NAME} options overlaid with the side's own ({@code --src-NAME}, {@code --dest-NAME}).
 * Options can also be given for one <em>scope</em> only, such as one registry host: a transport that knows its scope
 * calls {@link #forScope(String)} and reads the result. A transport's temporary files (a spool, a download: what
 * only its own work needs) go in {@link #tmpDir()} and are gone when it closes; what becomes part of the store at
 * commit is staged inside the store itself, next to its target (see {@link ImageSink}); nothing else is written.
 *
 * <p>Immutable; the {@code with...} methods return changed copies.
 */
public final class OpenContext {
    private final Path tmpDir;
    private final Map<String, String> options;
    private final boolean tmpDirChosen;
    private final Map<String, Map<String, String>> scoped;

    private OpenContext(
            Path tmpDir, Map<String, String> options, boolean tmpDirChosen, Map<String, Map<String, String>> scoped) {
        this.tmpDir = requireNonNull(tmpDir, "tmpDir is null");
        this.options = Map.copyOf(options);
        this.tmpDirChosen = tmpDirChosen;
        Map<String, Map<String, String>> copy = new HashMap<>();
        scoped.forEach((scope, values) -> copy.put(scope, Map.copyOf(values)));
        this.scoped = Map.copyOf(copy);
    }

    /**
     * A context.
     *
     * @param tmpDir where temporary files go ({@code --tmpdir}; the system's by default)
     * @param options named options
     * @param tmpDirChosen whether the user chose {@code tmpDir}; when not, the copy engine may give a source a folder
     *     on the destination's filesystem instead, so that what it spools can be linked there rather than copied
     */
    public OpenContext(Path tmpDir, Map<String, String> options, boolean tmpDirChosen) {
        this(tmpDir, options, tmpDirChosen, Map.of());
    }

    /** A context whose temporary folder the user chose. */
    public OpenContext(Path tmpDir, Map<String, String> options) {
        this(tmpDir, options, true);
    }

    /** The system's temporary folder and no options. */
    public static OpenContext defaults() {
        return new OpenContext(Path.of(System.getProperty("java.io.tmpdir")), Map.of(), false);
    }

    /** Where temporary files go. */
    public Path tmpDir() {
        return tmpDir;
    }

    /** The options set for every scope. */
    public Map<String, String> options() {
        return options;
    }

    /** Whether the user chose {@link #tmpDir()}. */
    public boolean tmpDirChosen() {
        return tmpDirChosen;
    }

    /** The option {@code name}, as set (no environment fallback). */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** The option, as set, else from its environment variable when it declares one and that is set and not empty. */
    public Optional<String> option(TransportOption option) {
        String value = options.get(option.name());
        if (value == null && option.environment().isPresent()) {
            value = System.getenv(option.environment().get());
            if (value != null && value.isEmpty()) {
                value = null;
            }
        }
        return Optional.ofNullable(value);
    }

    /** This context with {@code name} set to {@code value}. */
    public OpenContext withOption(String name, String value) {
        Map<String, String> copy = new HashMap<>(options);
        copy.put(requireNonNull(name, "name is null"), requireNonNull(value, "value is null"));
        return new OpenContext(tmpDir, copy, tmpDirChosen, scoped);
    }

    /** This context with every option of {@code values} set, over those it has. */
    public OpenContext withOptions(Map<String, String> values) {
        Map<String, String> copy = new HashMap<>(options);
        copy.putAll(values);
        return new OpenContext(tmpDir, copy, tmpDirChosen, scoped);
    }

    /**
     * This context with {@code name} set to {@code value} in {@code scope} only, for example one registry host: it
     * wins over the option set for every scope once a transport asks for {@link #forScope(String) that scope}.
     */
    public OpenContext withScopedOption(String scope, String name, String value) {
        Map<String, Map<String, String>> copy = new HashMap<>(scoped);
        Map<String, String> values = new HashMap<>(copy.getOrDefault(requireNonNull(scope, "scope is null"), Map.of()));
        values.put(requireNonNull(name, "name is null"), requireNonNull(value, "value is null"));
        copy.put(scope, values);
        return new OpenContext(tmpDir, options, tmpDirChosen, copy);
    }

    /**
     * The context a transport uses for {@code scope} (a name the transport documents, such as a registry's
     * {@code HOST[:PORT]}): the options of that scope over the options of every scope.
     */
    public OpenContext forScope(String scope) {
        Map<String, String> values = scoped.get(scope);
        if (values == null || values.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new HashMap<>(options);
        merged.putAll(values);
        return new OpenContext(tmpDir, merged, tmpDirChosen, scoped);
    }

    /** This context with the temporary folder the user chose. */
    public OpenContext withTmpDir(Path dir) {
        return new OpenContext(dir, options, true, scoped);
    }

    /** This context with a temporary folder Ferry chose (the user's choice, if any, is kept). */
    public OpenContext withDefaultTmpDir(Path dir) {
        return tmpDirChosen ? this : new OpenContext(dir, options, false, scoped);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpenContext c
                && c.tmpDir.equals(tmpDir)
                && c.options.equals(options)
                && c.tmpDirChosen == tmpDirChosen
                && c.scoped.equals(scoped);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tmpDir, options, tmpDirChosen, scoped);
    }

    /** The folder and option names; values are left out, since some are secrets. */
    @Override
    public String toString() {
        return "OpenContext[tmpDir=" + tmpDir + ", options=" + options.keySet() + ", scopes=" + scoped.keySet() + "]";
    }
}
