package dev.ferry.spi;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the user told Ferry about the environment, for the transports that need it: where temporary files may go,
 * and named options (each transport documents the ones it reads). Transports must not write temporary files
 * anywhere else.
 *
 * @param tmpDir where temporary files go ({@code --tmpdir}; the system's by default)
 * @param options named options, for example {@value #DOCKER_HOST}
 * @param tmpDirChosen whether the user chose {@code tmpDir}; when not, the copy engine may give a source a folder
 *     on the destination's filesystem instead, so that what it spools can be linked there rather than copied
 */
public record OpenContext(Path tmpDir, Map<String, String> options, boolean tmpDirChosen) {
    /** The Docker daemon to reach ({@code --docker-host}); DOCKER_HOST when absent. */
    public static final String DOCKER_HOST = "docker.host";
    /** The {@code docker} command to run ({@code --docker-binary}); {@code docker} from PATH when absent. */
    public static final String DOCKER_BINARY = "docker.binary";

    public OpenContext {
        requireNonNull(tmpDir, "tmpDir is null");
        options = Map.copyOf(options);
    }

    /** A context whose temporary folder the user chose. */
    public OpenContext(Path tmpDir, Map<String, String> options) {
        this(tmpDir, options, true);
    }

    /** The system's temporary folder and no options. */
    public static OpenContext defaults() {
        return new OpenContext(Path.of(System.getProperty("java.io.tmpdir")), Map.of(), false);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    public OpenContext withOption(String name, String value) {
        Map<String, String> copy = new HashMap<>(options);
        copy.put(name, value);
        return new OpenContext(tmpDir, copy, tmpDirChosen);
    }

    /** This context with the temporary folder the user chose. */
    public OpenContext withTmpDir(Path dir) {
        return new OpenContext(dir, options, true);
    }

    /** This context with a temporary folder Ferry chose (the user's choice, if any, is kept). */
    public OpenContext withDefaultTmpDir(Path dir) {
        return tmpDirChosen ? this : new OpenContext(dir, options, false);
    }
}
