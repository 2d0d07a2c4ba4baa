package dev.ferry.cli;

import com.google.inject.AbstractModule;
import com.google.inject.ConfigurationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.Set;
import picocli.CommandLine;

/**
 * Creates picocli's objects through Guice, falling back to picocli's own factory for what Guice cannot make. The
 * injector is made when the first subcommand is (a third of start-up: {@code ferry --version}, {@code --help} and
 * usage errors never make one); until then only the root's objects are made, which inject nothing. {@link
 * GlobalOptions} is one instance, the root's, bound into the injector.
 */
final class GuiceFactory implements CommandLine.IFactory {
    private final Module module;
    private final GlobalOptions global;
    private final Set<Class<?>> injected;
    private Injector injector;

    /** Objects of the {@code injected} types (and any type, once one of them is made) come from Guice. */
    GuiceFactory(Module module, GlobalOptions global, Set<Class<?>> injected) {
        this.module = module;
        this.global = global;
        this.injected = injected;
    }

    /** The injector, made on first use. */
    synchronized Injector injector() {
        if (injector == null) {
            injector = Guice.createInjector(module, new AbstractModule() {
                @Override
                protected void configure() {
                    bind(GlobalOptions.class).toInstance(global);
                }
            });
        }
        return injector;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        if (type == GlobalOptions.class) {
            return type.cast(global);
        }
        synchronized (this) {
            if (injector == null && !injected.contains(type)) {
                return CommandLine.defaultFactory().create(type);
            }
        }
        try {
            return injector().getInstance(type);
        } catch (ConfigurationException e) {
            return CommandLine.defaultFactory().create(type);
        }
    }
}
