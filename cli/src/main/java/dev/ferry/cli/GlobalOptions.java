package dev.ferry.cli;

import com.google.inject.Singleton;
import picocli.CommandLine.Option;

/** Options every command takes. One instance (a Guice singleton) is shared by the root and every subcommand. */
@Singleton
public class GlobalOptions {
    @Option(names = "--debug", description = "Print stack traces and debug logs on failure.")
    boolean debug;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but the result (no progress).")
    boolean quiet;

    @Option(names = "--plugin-path", paramLabel = "DIR", description = "A folder of transport plugins (jars, or"
            + " folders of jars); repeatable. Also FERRY_PLUGIN_PATH (colon-separated) and ~/.ferry/plugins.")
    java.util.List<java.nio.file.Path> pluginPaths = new java.util.ArrayList<>();

    /** --plugin-path, then FERRY_PLUGIN_PATH, then ~/.ferry/plugins when it exists. */
    public java.util.List<java.nio.file.Path> pluginPath() {
        java.util.List<java.nio.file.Path> all = new java.util.ArrayList<>(pluginPaths);
        String env = System.getenv("FERRY_PLUGIN_PATH");
        if (env != null) {
            for (String part : env.split(":")) {
                if (!part.isBlank()) {
                    all.add(java.nio.file.Path.of(part));
                }
            }
        }
        java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("user.home"), ".ferry", "plugins");
        if (java.nio.file.Files.isDirectory(home)) {
            all.add(home);
        }
        return all;
    }

    public boolean debug() {
        return debug;
    }

    public boolean quiet() {
        return quiet;
    }
}
