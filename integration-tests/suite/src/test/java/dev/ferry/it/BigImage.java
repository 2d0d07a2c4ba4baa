package dev.ferry.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One big synthetic image (a 4 KiB layer and a 1 GiB layer, about 1 GiB in all), made once per test JVM on the fly
 * and deleted when it exits; never stored in the repository.
 */
final class BigImage {
    static final long BIG_LAYER = 1L << 30;
    private static Path layout;

    private BigImage() {}

    static synchronized Path layout() {
        if (layout == null) {
            try {
                Path dir = Files.createTempDirectory("ferry-big-image");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Fixtures.deleteTree(dir);
                    } catch (IOException e) {
                        // best effort
                    }
                }));
                layout = Fixtures.syntheticLayout(dir.resolve("layout"), "big", 4096, BIG_LAYER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return layout;
    }

    /** Runs the real {@code ./ferry} launcher in a child process, with {@code javaOptions}. */
    static Process ferry(String javaOptions, String... args) throws IOException {
        return ferry(javaOptions, null, args);
    }

    /** As {@link #ferry(String, String...)}, with stdout and stderr going to {@code output} (discarded if null). */
    static Process ferry(String javaOptions, Path output, String... args) throws IOException {
        Path launcher = Path.of(System.getProperty("ferry.repoRoot", "..")).resolve("ferry");
        String[] command = new String[args.length + 1];
        command[0] = launcher.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(
                        output == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(output.toFile()));
        pb.environment().put("FERRY_JAVA_OPTS", javaOptions);
        return pb.start();
    }
}
