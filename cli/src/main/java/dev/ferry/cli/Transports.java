package dev.ferry.cli;

import dev.ferry.engine.TransportRegistry;
import dev.ferry.spi.FerryException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** The transport registry, built-in and plugins, loaded on first use. */
public final class Transports {
    private final Function<Consumer<String>, TransportRegistry> loader;
    private final List<String> warnings = new ArrayList<>();
    private TransportRegistry registry;

    /** @param loader builds the registry, reporting plugins that failed to load to the consumer it is given */
    public Transports(Function<Consumer<String>, TransportRegistry> loader) {
        this.loader = loader;
    }

    /**
     * The registry; on first use, the warnings of its loading go to {@code err}.
     *
     * @throws FerryException if it cannot be built (two transports with one name)
     */
    public synchronized TransportRegistry registry(PrintWriter err) throws FerryException {
        if (registry == null) {
            try {
                registry = loader.apply(warnings::add);
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof FerryException f) {
                    throw f;
                }
                throw e;
            }
            for (String warning : warnings) {
                err.println("ferry: warning: " + warning);
            }
            err.flush();
        }
        return registry;
    }
}
