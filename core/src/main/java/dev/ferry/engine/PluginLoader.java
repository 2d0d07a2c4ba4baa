package dev.ferry.engine;

import dev.ferry.spi.Transport;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Third-party transports from the plugin path. Each jar in a plugin folder, and each subfolder (a plugin jar with
 * its own dependencies), gets a class loader of its own whose parent shows only Ferry's SPI and model packages
 * (and the JDK), so a plugin's Jackson or Guava never meets Ferry's. Transports are found in it with
 * {@link ServiceLoader}. A plugin that fails to load is a warning naming the jar and the cause; the others work.
 */
public final class PluginLoader {
    /** What plugins see of Ferry. */
    public static final Set<String> SHARED_PACKAGES =
            Set.of("dev.ferry.spi", "dev.ferry.spi.support", "dev.ferry.model", "dev.ferry.conformance");

    private PluginLoader() {}

    /**
     * Loads the transports of every plugin in {@code pluginPaths}; a plugin that fails is one warning.
     *
     * @param ferry the class loader that holds Ferry (its SPI and model are what plugins see)
     */
    public static List<TransportRegistry.Entry> load(
            List<Path> pluginPaths, ClassLoader ferry, Consumer<String> warnings) {
        List<TransportRegistry.Entry> entries = new ArrayList<>();
        for (Path dir : pluginPaths) {
            if (!Files.isDirectory(dir)) {
                warnings.accept("plugin path " + dir + " is not a folder; skipped");
                continue;
            }
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
                list.forEach(children::add);
            } catch (IOException e) {
                warnings.accept("cannot read plugin path " + dir + ": " + e.getMessage());
                continue;
            }
            Collections.sort(children);
            for (Path child : children) {
                List<Path> jars = new ArrayList<>();
                if (Files.isRegularFile(child) && child.toString().endsWith(".jar")) {
                    jars.add(child);
                } else if (Files.isDirectory(child)) {
                    try (DirectoryStream<Path> inner = Files.newDirectoryStream(child, "*.jar")) {
                        inner.forEach(jars::add);
                    } catch (IOException e) {
                        warnings.accept("cannot read plugin " + child + ": " + e.getMessage());
                        continue;
                    }
                }
                if (!jars.isEmpty()) {
                    Collections.sort(jars);
                    loadPlugin(child, jars, ferry, entries, warnings);
                }
            }
        }
        return entries;
    }

    private static void loadPlugin(
            Path plugin,
            List<Path> jars,
            ClassLoader ferry,
            List<TransportRegistry.Entry> entries,
            Consumer<String> warnings) {
        List<TransportRegistry.Entry> found = new ArrayList<>();
        try {
            URL[] urls = new URL[jars.size()];
            for (int i = 0; i < urls.length; i++) {
                urls[i] = jars.get(i).toUri().toURL();
            }
            URLClassLoader loader =
                    new URLClassLoader("ferry-plugin:" + plugin.getFileName(), urls, new SpiOnly(ferry));
            for (ServiceLoader.Provider<Transport> provider :
                    ServiceLoader.load(Transport.class, loader).stream().toList()) {
                found.add(TransportRegistry.Entry.of(provider.get()));
            }
            if (found.isEmpty()) {
                warnings.accept("plugin " + plugin + " declares no transport (META-INF/services/"
                        + Transport.class.getName() + ")");
            }
            entries.addAll(found);
        } catch (ServiceConfigurationError | LinkageError | MalformedURLException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            warnings.accept("plugin " + plugin + " failed to load and is skipped: " + cause);
        }
    }

    /** The parent of every plugin class loader: the JDK, plus Ferry's SPI and model packages, nothing else. */
    static final class SpiOnly extends ClassLoader {
        private final ClassLoader ferry;

        SpiOnly(ClassLoader ferry) {
            super("ferry-spi", ClassLoader.getPlatformClassLoader());
            this.ferry = ferry;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            int dot = name.lastIndexOf('.');
            if (dot > 0 && SHARED_PACKAGES.contains(name.substring(0, dot))) {
                return ferry.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            return ClassLoader.getPlatformClassLoader().getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return ClassLoader.getPlatformClassLoader().getResources(name);
        }
    }
}
