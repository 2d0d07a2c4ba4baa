package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
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
}
