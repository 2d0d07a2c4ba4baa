package dev.ferry.cli;

import dev.ferry.engine.TransportRegistry;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry conformance TRANSPORT}: runs the conformance kit against a transport, built-in or plugin.
 *
 * <p>The kit, JUnit and the built-in transports' fixtures are not on Ferry's class path: they are in {@value
 * #KIT_FOLDER} beside ferry.jar, which only this command loads, in a class loader of its own whose parent is
 * Ferry's. Plugins see the kit's package through it, for their own fixtures. The kit is reached by name, so that
 * no class of the CLI links against it. When the kit is already on the class path (tests, a library's users), that
 * one serves.
 */
@Command(
        name = "conformance",
        mixinStandardHelpOptions = true,
        description = {
            "Run the conformance kit against TRANSPORT (built-in, or from --plugin-path) and print each"
                    + " check, named by the promise it proves; ends with 'N passed, N failed'. Exit 1 when a check"
                    + " failed. A plugin's fixture comes from its jar"
                    + " (META-INF/services/dev.ferry.conformance.ConformanceFixture)."
        })
public class ConformanceCommand implements Callable<Integer> {
    /** Where the kit, JUnit and the built-in fixtures are, beside ferry.jar (as its lib/ is). */
    static final String KIT_FOLDER = "lib/conformance";

    private static final String RUNNER = "dev.ferry.conformance.ConformanceRunner";

    @Mixin
    GlobalOptions global;

    @Mixin
    TransportOptions transportOptions;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "TRANSPORT",
            description = "The transport's name, as `ferry transports`" + " lists it.")
    String name;

    @Option(
            names = "--scratch",
            paramLabel = "DIR",
            description = "Where the checks write, each in a check-* folder of its own that is kept, to look at"
                    + " what a failing check left (default: temporary folders, removed afterwards).")
    Path scratch;

    @Override
    public Integer call() throws Exception {
        ClassLoader ferry = ConformanceCommand.class.getClassLoader();
        URLClassLoader own = null;
        try {
            ClassLoader kit;
            try {
                Class.forName(RUNNER, false, ferry);
                kit = ferry;
            } catch (ClassNotFoundException e) {
                own = kitLoader(ferry);
                kit = own;
            }
            TransportRegistry registry = transportOptions.registry(
                    FerryModule.transports(global, kit), spec.commandLine().getErr());
            Transport transport = registry.find(name)
                    .map(TransportRegistry.Entry::transport)
                    .orElseThrow(() ->
                            new UsageException("no transport named \"" + name + "\"", "`ferry transports` lists them"));
            if (scratch != null) {
                Files.createDirectories(scratch);
            }
            int failed = run(kit, transport, scratch == null ? null : scratch.toAbsolutePath());
            return failed == 0 ? 0 : ErrorHandler.FAILED;
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    /** {@code ConformanceRunner.runCommand}, called by name in {@code kit}. */
    private int run(ClassLoader kit, Transport transport, Path scratchDir) throws Exception {
        try {
            Object failed = Class.forName(RUNNER, true, kit)
                    .getMethod("runCommand", Transport.class, Path.class, PrintWriter.class)
                    .invoke(null, transport, scratchDir, spec.commandLine().getOut());
            return (Integer) failed;
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new FerryException(
                    "the conformance kit in " + KIT_FOLDER + " does not match this ferry: " + e,
                    "reinstall Ferry, or rebuild it with mvn package",
                    e);
        }
    }

    /** A class loader for the jars of {@value #KIT_FOLDER} beside the jar (or folder) Ferry's classes came from. */
    private static URLClassLoader kitLoader(ClassLoader ferry) throws FerryException {
        Path home;
        try {
            home = Path.of(ConformanceCommand.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .getParent();
        } catch (URISyntaxException | RuntimeException e) {
            throw new FerryException(
                    "cannot tell where Ferry is installed: " + e.getMessage(), "run the ferry command as installed", e);
        }
        Path dir = home.resolve(KIT_FOLDER);
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir, "*.jar")) {
            list.forEach(jars::add);
        } catch (IOException e) {
            jars.clear();
        }
        Collections.sort(jars);
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new FerryException("cannot load " + jar + ": " + e.getMessage(), "reinstall Ferry", e);
            }
        }
        if (urls.isEmpty()) {
            throw new FerryException(
                    "the conformance kit is not installed (no jars in " + dir + ")",
                    "reinstall Ferry, or rebuild it with mvn package");
        }
        return new URLClassLoader("ferry-conformance", urls.toArray(URL[]::new), ferry);
    }
}
