package dev.ferry.cli;

import com.google.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** Options every command takes. One instance (a Guice singleton) is shared by the root and every subcommand. */
@Singleton
public class GlobalOptions {
    @Option(names = "--debug", description = "Print stack traces and debug logs on failure.")
    boolean debug;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print nothing but the result (no progress).")
    boolean quiet;

    @Option(
            names = "--progress",
            paramLabel = "MODE",
            description = "auto (live lines when stderr is a terminal, else none), tty, plain (one line per blob when"
                    + " it finishes, for logs) or none. Default: auto.")
    Progress.Mode progress = Progress.Mode.auto;

    /** Whether this process's stderr (file descriptor 2) is a terminal and the command line writes to it. */
    private boolean stderrIsTerminal;

    @Option(
            names = "--plugin-path",
            paramLabel = "DIR",
            description = "A folder of transport plugins (jars, or"
                    + " folders of jars); repeatable. Also FERRY_PLUGIN_PATH (colon-separated) and ~/.ferry/plugins.")
    List<Path> pluginPaths = new ArrayList<>();

    /** The --plugin-path values found on the command line before it is parsed (to offer the plugins' options). */
    private final List<Path> preset = new ArrayList<>();

    void presetPluginPaths(List<Path> paths) {
        preset.addAll(paths);
    }

    /** --plugin-path, then FERRY_PLUGIN_PATH, then ~/.ferry/plugins when it exists. */
    public List<Path> pluginPath() {
        Set<Path> all = new LinkedHashSet<>(preset);
        all.addAll(pluginPaths);
        String env = System.getenv("FERRY_PLUGIN_PATH");
        if (env != null) {
            for (String part : env.split(":")) {
                if (!part.isBlank()) {
                    all.add(Path.of(part));
                }
            }
        }
        Path home = Path.of(System.getProperty("user.home"), ".ferry", "plugins");
        if (Files.isDirectory(home)) {
            all.add(home);
        }
        return List.copyOf(all);
    }

    public boolean debug() {
        return debug;
    }

    public boolean quiet() {
        return quiet;
    }

    Progress.Mode progress() {
        return progress;
    }

    boolean stderrIsTerminal() {
        return stderrIsTerminal;
    }

    /** Whether progress is drawn live: --progress=tty, or auto with stderr a terminal; never with -q. */
    boolean liveProgress() {
        return !quiet && (progress == Progress.Mode.tty || (progress == Progress.Mode.auto && stderrIsTerminal));
    }

    void stderrIsTerminal(boolean terminal) {
        stderrIsTerminal = terminal;
    }
}
