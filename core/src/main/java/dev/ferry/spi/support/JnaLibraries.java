package dev.ferry.spi.support;

import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Opens native libraries through JNA without the {@code ldconfig -p} that JNA's {@link NativeLibrary} runs, as a
 * child process, when its class is first used on Linux (to learn the directories of the loader's cache; 25-60 ms
 * of a copy's wall time here, and a fork of the JVM). When {@code jna.platform.library.path} is unset, it is set
 * first to what JNA would have found: its default directories, then those {@code /etc/ld.so.conf} names (which
 * are the directories {@code ldconfig} caches). Libraries opened by their soname (libcrypto.so.3) are found by the
 * system's loader either way.
 */
final class JnaLibraries {
    static final String PROPERTY = "jna.platform.library.path";

    private JnaLibraries() {}

    /**
     * Why the environment variable {@code variable}, whose value is {@code value} (or null), keeps a native library
     * out ("VARIABLE=jdk": the JDK's own code instead), or null when it does not.
     */
    static String forcedToJdk(String variable, String value) {
        return value != null && value.strip().toLowerCase(Locale.ROOT).equals("jdk") ? variable + "=jdk" : null;
    }

    /** The library named {@code name}, JNA's search path set up first as described above. */
    static NativeLibrary open(String name) {
        setSearchPath();
        return NativeLibrary.getInstance(name);
    }

    private static synchronized void setSearchPath() {
        if (System.getProperty(PROPERTY) == null
                && System.getProperty("os.name", "").startsWith("Linux")) {
            System.setProperty(PROPERTY, String.join(":", searchPath(Path.of("/etc/ld.so.conf"))));
        }
    }

    /** JNA's default directories on a 64-bit Linux, then those of {@code conf} (and the files it includes). */
    static List<String> searchPath(Path conf) {
        Set<String> dirs = new LinkedHashSet<>();
        String triplet = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64" -> "aarch64-linux-gnu";
            default -> null;
        };
        if (triplet != null) {
            dirs.add("/usr/lib/" + triplet);
            dirs.add("/lib/" + triplet);
        }
        dirs.add("/usr/lib64");
        dirs.add("/lib64");
        dirs.add("/usr/lib");
        dirs.add("/lib");
        readConf(conf, dirs, 0);
        return new ArrayList<>(dirs);
    }

    private static void readConf(Path conf, Set<String> dirs, int depth) {
        if (depth > 4) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(conf);
        } catch (IOException | RuntimeException e) {
            return; // no such file, unreadable: JNA's defaults stay
        }
        for (String raw : lines) {
            int hash = raw.indexOf('#');
            String line = (hash < 0 ? raw : raw.substring(0, hash)).strip();
            if (line.isEmpty() || line.startsWith("hwcap")) {
                continue;
            }
            if (line.startsWith("include") && line.length() > 7 && Character.isWhitespace(line.charAt(7))) {
                String pattern = line.substring(8).strip();
                Path glob = conf.resolveSibling(pattern); // relative includes are relative to the file
                Path parent = glob.getParent();
                if (parent == null) {
                    continue;
                }
                List<Path> files = new ArrayList<>();
                try (DirectoryStream<Path> found =
                        Files.newDirectoryStream(parent, glob.getFileName().toString())) {
                    found.forEach(files::add);
                } catch (IOException | RuntimeException e) {
                    continue;
                }
                files.sort(null);
                for (Path file : files) {
                    readConf(file, dirs, depth + 1);
                }
            } else if (line.startsWith("/")) {
                dirs.add(line.split("[\\s:,=]", 2)[0]);
            }
        }
    }
}
