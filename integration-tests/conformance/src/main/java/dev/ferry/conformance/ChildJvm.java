package dev.ferry.conformance;

import dev.ferry.spi.Transport;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A child JVM writing through the transport under test ({@link ChildWriter}), with a small heap: an
 * OutOfMemoryError or a SIGKILL there cannot take the kit down. Its stdout lines are read as they come.
 */
final class ChildJvm implements AutoCloseable {
    /** The child's heap: far smaller than the large blob, large enough for any transport that streams. */
    static final String HEAP = "64m";

    private final Process process;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);
    private final Path log;
    private final List<String> seen = new ArrayList<>();

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            lines.offer(line);
                        }
                    } catch (IOException e) {
                        // the child is gone
                    } finally {
                        lines.offer("EOF");
                    }
                },
                "ferry-conformance-child");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a child writing through {@code transport}; {@code args} are {@link ChildWriter}'s. */
    static ChildJvm start(Transport transport, ConformanceFixture fixture, Path logDir, List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + HEAP);
        command.add("-XX:MaxDirectMemorySize=" + HEAP);
        command.add("-XX:+UseSerialGC");
        // settings a fixture reads from system properties (ferry.conformance.*) reach the child too
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("ferry.conformance.")) {
                command.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        command.add("-cp");
        command.add(classPath());
        command.add(ChildWriter.class.getName());
        command.add("transport=" + transport.getClass().getName());
        command.add("fixture=" + (fixture == null ? "" : fixture.getClass().getName()));
        command.add("urls=" + pluginUrls(transport));
        command.addAll(args);
        Files.createDirectories(logDir);
        Path log = Files.createTempFile(logDir, "child-", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
        return new ChildJvm(pb.start(), log);
    }

    /**
     * This JVM's class path, plus the kit's own jars when a class loader of their own holds them (as {@code ferry
     * conformance} loads the kit, JUnit and the built-in fixtures from lib/conformance/, which no other command
     * has on its class path): the child needs the kit and the fixture as much as the transport.
     */
    static String classPath() {
        List<String> entries = new ArrayList<>(List.of(System.getProperty("java.class.path")));
        ClassLoader kit = ChildJvm.class.getClassLoader();
        if (kit instanceof URLClassLoader u && kit != ClassLoader.getSystemClassLoader()) {
            for (URL url : u.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    // not a local file: the child cannot have it
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The jars of a transport loaded by a plugin class loader, or empty when it is on the kit's class path. */
    private static String pluginUrls(Transport transport) {
        ClassLoader loader = transport.getClass().getClassLoader();
        if (loader instanceof URLClassLoader u && loader != ChildJvm.class.getClassLoader()) {
            return Stream.of(u.getURLs()).map(URL::toString).collect(Collectors.joining(" "));
        }
        return "";
    }

    /**
     * The next line the child prints that starts with one of {@code prefixes} (others are kept for messages), or
     * "EOF" when it exits, or "TIMEOUT".
     */
    String await(long timeout, TimeUnit unit, String... prefixes) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                return "TIMEOUT";
            }
            seen.add(line);
            if (line.equals("EOF")) {
                return line;
            }
            for (String p : prefixes) {
                if (line.startsWith(p)) {
                    return line;
                }
            }
        }
    }

    /** The last step the child announced. */
    String lastStep() {
        for (int i = seen.size() - 1; i >= 0; i--) {
            if (seen.get(i).startsWith("STEP ")) {
                return seen.get(i).substring(5);
            }
        }
        return "start";
    }

    /** The end of the child's stderr, for a message. */
    String stderrTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            String[] ls = text.split("\n");
            StringBuilder b = new StringBuilder();
            for (int i = Math.max(0, ls.length - 3); i < ls.length; i++) {
                b.append(b.length() == 0 ? "" : " | ").append(ls[i].strip());
            }
            return b.toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills the child with SIGKILL and waits for it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    int exitCode() throws InterruptedException {
        process.waitFor(60, TimeUnit.SECONDS);
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // only a log
        }
    }
}
