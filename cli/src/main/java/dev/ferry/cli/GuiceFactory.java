package dev.ferry.cli;

import com.google.inject.AbstractModule;
import com.google.inject.ConfigurationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.Set;
import java.util.concurrent.FutureTask;
import picocli.CommandLine;

/**
 * Creates picocli's objects through Guice, falling back to picocli's own factory for what Guice cannot make. The
 * injector is made when the first subcommand is (a third of start-up: {@code ferry --version}, {@code --help} and
 * usage errors never make one); until then only the root's objects are made, which inject nothing. {@link
 * GlobalOptions} is one instance, the root's, bound into the injector. When the command line names a command, the
 * injector can be {@linkplain #prepare made in the background} while picocli builds the root (each is about a third
 * of start-up): it is still only used from the first subcommand on.
 */
final class GuiceFactory implements CommandLine.IFactory {
    private final Module module;
    private final GlobalOptions global;
    private final Set<Class<?>> injected;
    private Injector injector;
    private FutureTask<Injector> pending;

    /** Objects of the {@code injected} types (and any type, once one of them is made) come from Guice. */
    GuiceFactory(Module module, GlobalOptions global, Set<Class<?>> injected) {
        this.module = module;
        this.global = global;
        this.injected = injected;
    }

    /**
     * Starts making the injector, and its binding of {@code command}, on a background thread, then runs {@code then}
     * there (other warm-up); {@link #injector()} waits for it. Nothing made through this factory comes from the
     * injector before that call.
     */
    synchronized void prepare(Class<?> command, Runnable then) {
        if (injector == null && pending == null) {
            FutureTask<Injector> task = new FutureTask<>(() -> {
                Injector made = make();
                try {
                    made.getBinding(command); // the command's just-in-time binding, its injected members found
                } catch (ConfigurationException e) {
                    // create() meets it again and falls back to picocli's factory
                }
                return made;
            });
            pending = task;
            Thread thread = new Thread(
                    () -> {
                        task.run();
                        then.run();
                    },
                    "ferry-start-up");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** The injector, made on first use (or by {@link #prepare}). */
    synchronized Injector injector() {
        if (injector == null) {
            injector = pending == null ? make() : Ferry.joined(pending);
        }
        return injector;
    }

    private Injector make() {
        return Guice.createInjector(module, new AbstractModule() {
            @Override
            protected void configure() {
                bind(GlobalOptions.class).toInstance(global);
            }
        });
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
