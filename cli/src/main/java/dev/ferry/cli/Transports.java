package dev.ferry.cli;

import dev.ferry.engine.TransportRegistry;
import dev.ferry.spi.FerryException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/** The transport registry, loaded on first use. */
public final class Transports {
    private final Supplier<TransportRegistry> loader;
    private TransportRegistry registry;

    public Transports(Supplier<TransportRegistry> loader) {
        this.loader = loader;
    }

    /**
     * The registry.
     *
     * @throws FerryException if a transport failed to load
     */
    public synchronized TransportRegistry registry() throws FerryException {
        if (registry == null) {
            try {
                registry = loader.get();
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof FerryException f) {
                    throw f;
                }
                throw e;
            }
        }
        return registry;
    }
}
