package dev.ferry.cli;

import com.google.inject.AbstractModule;
import com.google.inject.ConfigurationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.FutureTask;
import picocli.CommandLine;

/**
 * Creates picocli's objects, and has Guice inject the commands' members before they run. The commands are made at
 * once (picocli reflects over their options while the command line is built) and injected only when one runs:
 * {@link #injectMembers} waits for the injector, which is made in the background while picocli builds the command
 * line, the transports' options are added and the arguments are parsed (each about a third of start-up), or on
 * first use. {@code ferry --version}, {@code --help} and usage errors make no injector, and a command's help
 * injects nothing.
 * {@link GlobalOptions} (the root's) and {@link Transports} are one instance each for the command line, bound into
 * the injector. Other objects come from picocli's own factory until the injector is made, and from Guice after.
 */
final class GuiceFactory implements CommandLine.IFactory {
    private final Module module;
    private final GlobalOptions global;
    private final Transports transports;
    private final Set<Class<?>> commands;
    private final Set<Object> uninjected = Collections.newSetFromMap(new IdentityHashMap<>());
    private Injector injector;
    private FutureTask<Injector> pending;

    /** The {@code commands} are made by picocli's factory and injected by {@link #injectMembers}. */
    GuiceFactory(Module module, GlobalOptions global, Transports transports, Set<Class<?>> commands) {
        this.module = module;
        this.global = global;
        this.transports = transports;
        this.commands = commands;
    }

    /**
     * Starts, on a background thread, {@code before}, then the injector and its binding of {@code command}, then
     * {@code after} (other warm-up); {@link #injector()} waits for the injector.
     */
    synchronized void prepare(Class<?> command, Runnable before, Runnable after) {
        if (injector == null && pending == null) {
            FutureTask<Injector> task = new FutureTask<>(() -> {
                Injector made = make();
                try {
                    made.getMembersInjector(command); // the command's injected members found
                } catch (ConfigurationException e) {
                    // injectMembers meets it again
                }
                return made;
            });
            pending = task;
            Thread thread = new Thread(
                    () -> {
                        before.run();
                        task.run();
                        after.run();
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
                bind(Transports.class).toInstance(transports);
            }
        });
    }

    /** Injects the members of {@code command}, when it is one this factory made and has not injected yet. */
    void injectMembers(Object command) {
        boolean made;
        synchronized (this) {
            made = uninjected.remove(command);
        }
        if (made) {
            injector().injectMembers(command);
        }
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        if (type == GlobalOptions.class) {
            return type.cast(global);
        }
        if (commands.contains(type)) {
            K command = CommandLine.defaultFactory().create(type);
            if (type != CommandLine.HelpCommand.class) {
                synchronized (this) {
                    uninjected.add(command);
                }
            }
            return command;
        }
        Injector made;
        synchronized (this) {
            made = injector;
        }
        if (made == null) {
            return CommandLine.defaultFactory().create(type);
        }
        try {
            return made.getInstance(type);
        } catch (ConfigurationException e) {
            return CommandLine.defaultFactory().create(type);
        }
    }
}
