package dev.ferry.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.ImageInspector;
import dev.ferry.engine.PluginLoader;
import dev.ferry.engine.TransportRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Ferry's bindings. Free of side effects. The command line binds two more, one instance each for it: the root's
 * {@link GlobalOptions} and the {@link Transports} (made by {@link #transports}: discovered when first asked for,
 * which is before the arguments are parsed when a command opens images, so that their options are offered), see
 * {@link GuiceFactory}.
 */
public class FerryModule extends AbstractModule {
    private final Stdout stdout;

    /** Bindings for a process whose standard output is {@code stdout}. */
    public FerryModule(OutputStream stdout) {
        this.stdout = new Stdout(stdout);
    }

    @Override
    protected void configure() {
        bind(Stdout.class).toInstance(stdout);
        bind(CopyEngine.class).in(Singleton.class);
        bind(ImageInspector.class).in(Singleton.class);
    }

    /**
     * The built-in transports and the plugins, which see Ferry's SPI and model through {@code shared} (Ferry's
     * class loader, or for {@code ferry conformance} the one holding the kit too).
     */
    static Transports transports(GlobalOptions global, ClassLoader shared) {
        return new Transports(warnings -> {
            try {
                ClassLoader ferry = Ferry.class.getClassLoader();
                List<TransportRegistry.Entry> all =
                        new ArrayList<>(TransportRegistry.load(ferry).entries());
                all.addAll(PluginLoader.load(global.pluginPath(), shared, warnings));
                return TransportRegistry.of(all);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
