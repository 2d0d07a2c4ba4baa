package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import dev.ferry.engine.ImageInspector;
import dev.ferry.spi.FerryException;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Start-up does only what the command line needs: no injector for {@code --version}, {@code --help} or an unknown
 * command; one for a command that runs; the root's options are one instance with the commands'.
 */
class StartUpTest {
    /** Ferry's module, counting the injectors made from it. */
    private static final class Counting extends AbstractModule {
        final AtomicInteger made = new AtomicInteger();
        private final FerryModule ferry;

        Counting(ByteArrayOutputStream out) {
            ferry = new FerryModule(out);
        }

        @Override
        protected void configure() {
            made.incrementAndGet();
            install(ferry);
        }
    }

    private static int run(Counting module, ByteArrayOutputStream out, String... args) {
        CommandLine cli = Ferry.create(module, out, new ByteArrayOutputStream(), args);
        int code = cli.execute(args);
        cli.getOut().flush();
        return code;
    }

    @Test
    void versionHelpAndUsageErrorsMakeNoInjector() {
        for (String[] args : new String[][] {{"--version"}, {"--help"}, {"nosuch"}, {"--debug", "cpy"}, {}}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Counting module = new Counting(out);
            run(module, out, args);
            assertEquals(0, module.made.get(), String.join(" ", args));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Counting module = new Counting(out);
        assertEquals(0, run(module, out, "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String command : RootCommand.SUBCOMMANDS.keySet()) {
            assertTrue(help.contains("\n  " + command + " "), command + " listed:\n" + help);
        }
    }

    @Test
    void theNamesOfTheCommandsAreThoseOfTheirAnnotations() {
        for (Map.Entry<String, Class<?>> command : RootCommand.SUBCOMMANDS.entrySet()) {
            assertEquals(
                    command.getValue().getAnnotation(CommandLine.Command.class).name(),
                    command.getKey(),
                    command.getValue().getName());
        }
    }

    @Test
    void noOptionHasATypeWhoseConverterIsExcluded() {
        // Main keeps picocli from registering these converters: an option of such a type would then fail to parse
        CommandLine cli = Ferry.create(
                new FerryModule(new ByteArrayOutputStream()),
                new ByteArrayOutputStream(),
                new ByteArrayOutputStream(),
                null);
        List<Pattern> excluded = Arrays.stream(Main.EXCLUDED_CONVERTERS.split(","))
                .map(Pattern::compile)
                .toList();
        List<CommandLine> all = new ArrayList<>(List.of(cli));
        int checked = 0;
        for (int i = 0; i < all.size(); i++) {
            all.addAll(all.get(i).getSubcommands().values());
            for (CommandLine.Model.ArgSpec arg : all.get(i).getCommandSpec().args()) {
                List<Class<?>> types = new ArrayList<>(List.of(arg.type()));
                types.addAll(List.of(arg.auxiliaryTypes()));
                for (Class<?> type : types) {
                    checked++;
                    for (Pattern p : excluded) {
                        assertFalse(
                                p.matcher(type.getName()).matches() && arg.converters().length == 0,
                                all.get(i).getCommandName() + " " + arg.paramLabel() + ": " + type.getName());
                    }
                }
            }
        }
        assertTrue(checked > 100, "options checked: " + checked);
    }

    @CommandLine.Command(name = "timed")
    static final class Timed {
        @CommandLine.Option(names = "--wait")
        Duration wait;
    }

    @Test
    void picocliReadsTheExclusionMainSets() {
        // the property's name and patterns are what picocli reads: with them, a Duration option has no converter
        assertEquals(
                "PT1S",
                new CommandLine(new Timed())
                        .parseArgs("--wait", "PT1S")
                        .matchedOptionValue("--wait", null)
                        .toString());
        String before = System.getProperty(Main.CONVERTERS_EXCLUDES);
        System.setProperty(Main.CONVERTERS_EXCLUDES, Main.EXCLUDED_CONVERTERS);
        try {
            CommandLine excluded = new CommandLine(new Timed());
            assertThrows(CommandLine.ParameterException.class, () -> excluded.parseArgs("--wait", "PT1S"));
        } finally {
            if (before == null) {
                System.clearProperty(Main.CONVERTERS_EXCLUDES);
            } else {
                System.setProperty(Main.CONVERTERS_EXCLUDES, before);
            }
        }
    }

    @Test
    void picocliReadsThePropertyMainSetsAndLooksForNoGroovy(@TempDir Path tmp) throws Exception {
        // picocli's default factory looks for Groovy once per JVM, when first used: a JVM of its own, whose Main sets
        // the property, with picocli's trace saying what the factory did
        String java = ProcessHandle.current().info().command().orElse("java");
        Path stderr = tmp.resolve("stderr");
        Process p = new ProcessBuilder(
                        java,
                        "-Dpicocli.trace=INFO",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "--help")
                .redirectError(stderr.toFile())
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        String err = Files.readString(stderr);
        assertTrue(out.startsWith("Usage: ferry "), out + err);
        assertTrue(err.contains("groovy Closures in annotations are disabled and will not be loaded"), err);
    }

    @Test
    void aCommandsHelpNeedsNoInjectionAndACommandThatRunsIsInjected() {
        // a broken module: any injection would fail (one may still be made in the background, and fail there)
        AbstractModule broken = new AbstractModule() {
            @Override
            protected void configure() {
                addError("broken binding");
            }
        };
        for (String[] args : new String[][] {{"inspect", "--help"}, {"copy", "-h"}, {"help", "copy"}}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CommandLine cli = Ferry.create(broken, out, new ByteArrayOutputStream(), args);
            assertEquals(0, cli.execute(args), String.join(" ", args));
            cli.getOut().flush();
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("Usage: ferry "), out.toString());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Counting module = new Counting(out);
        assertEquals(0, run(module, out, "transports"));
        assertEquals(1, module.made.get());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("oci-archive"), "the injected registry listed");
    }

    @Test
    void aCommandThatRunsMakesOneInjectorSharingTheRootsOptions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Counting module = new Counting(out);
        CommandLine cli = Ferry.create(module, out, new ByteArrayOutputStream(), new String[] {"-q", "transports"});
        assertEquals(0, cli.execute("-q", "transports"));
        assertEquals(1, module.made.get());
        CommandLine transports = cli.getSubcommands().get("transports");
        GlobalOptions root = ((RootCommand) cli.getCommand()).global;
        assertTrue(root == ((TransportsCommand) transports.getCommand()).global, "one GlobalOptions");
        assertTrue(root.quiet(), "the root's -q reaches the command");
        assertEquals(1, cli.getSubcommands().size(), "only the command that runs is built");
    }

    @Test
    void versionAloneIsPrintedAsPicocliPrintsIt() {
        for (String flag : new String[] {"--version", "-V"}) {
            assertTrue(Ferry.versionOnly(new String[] {flag}), flag);
            ByteArrayOutputStream picocli = new ByteArrayOutputStream();
            assertEquals(0, run(new Counting(picocli), picocli, flag));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(0, Ferry.run(out, err, flag));
            assertEquals(picocli.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("ferry "), out.toString());
            assertEquals("", err.toString(StandardCharsets.UTF_8));
        }
        // anything more is picocli's to parse (--version wins, as picocli has it; a usage error is one)
        assertFalse(Ferry.versionOnly(new String[] {"--version", "inspect"}));
        assertFalse(Ferry.versionOnly(new String[] {"inspect", "-V"}));
        assertFalse(Ferry.versionOnly(new String[] {"--version=1"}));
        assertFalse(Ferry.versionOnly(new String[] {}));
    }

    @Test
    void anInjectorMadeInTheBackgroundFailsAsOneMadeInTheForeground() {
        // "transports" names a command: its injector is started before picocli builds the root
        AbstractModule broken = new AbstractModule() {
            @Override
            protected void configure() {
                addError("broken binding");
            }
        };
        for (String[] args : new String[][] {{"transports"}, null}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CommandLine cli = Ferry.create(broken, new ByteArrayOutputStream(), err, args);
            int code = cli.execute("transports");
            cli.getErr().flush();
            String stderr = err.toString(StandardCharsets.UTF_8);
            assertEquals(ErrorHandler.FAILED, code, stderr);
            assertTrue(stderr.contains("broken binding"), stderr);
        }
    }

    @Test
    void aCommandWhoseMembersCannotBeInjectedFailsInOneLine() {
        // a binding whose provider fails (a plugin's module, a component that cannot start): one line, no stack trace
        for (String[] args : new String[][] {{"inspect", "oci:/nonexistent:x"}, null}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            AbstractModule failing = new AbstractModule() {
                @Override
                protected void configure() {
                    bind(Stdout.class).toInstance(new Stdout(out));
                    bind(ImageInspector.class).toProvider(() -> {
                        throw new UncheckedIOException(new FerryException("the inspector cannot start", "fix it"));
                    });
                }
            };
            CommandLine cli = Ferry.create(failing, out, err, args);
            int code = cli.execute("inspect", "oci:/nonexistent:x");
            cli.getErr().flush();
            String stderr = err.toString(StandardCharsets.UTF_8);
            assertEquals(ErrorHandler.FAILED, code, stderr);
            assertEquals("ferry: the inspector cannot start; fix it\n", stderr);
        }
    }
}
