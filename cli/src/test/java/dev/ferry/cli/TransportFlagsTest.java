package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.ImageReference;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.TransportOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The options transports declare, as the command line offers them and as each side's context receives them. */
class TransportFlagsTest {
    /** A transport that declares one option of each kind, as a plugin would. */
    static final class Declaring implements Transport {
        private final String name;
        private final List<TransportOption> options;

        Declaring(String name, TransportOption... options) {
            this.name = name;
            this.options = List.of(options);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ImageReference parse(String reference) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<TransportOption> options() {
            return options;
        }
    }

    static final TransportOption CREDS =
            TransportOption.of("creds", TransportOption.Kind.CREDENTIALS, "USER[:PASSWORD]", "Credentials.");
    static final TransportOption VERIFY = TransportOption.flag("tls-verify", "Verify.");
    static final TransportOption TIMES = TransportOption.of("retry-times", TransportOption.Kind.COUNT, "N", "Tries.");
    static final TransportOption DIR = TransportOption.path("cert-dir", "DIR", "Certificates.");
    static final TransportOption HOST =
            TransportOption.text("x-host", "URL", "A host.").withEnvironment("FERRY_TEST_UNSET_VARIABLE");

    @Command(name = "two")
    static final class TwoSided {
        @Option(names = "--format")
        String format;
    }

    private final List<String> warnings = new ArrayList<>();

    private CommandLine command(boolean twoSided, Transport... transports) {
        CommandLine cli = new CommandLine(new TwoSided());
        TransportFlags.addTo(cli.getCommandSpec(), List.of(transports), twoSided, warnings::add);
        return cli;
    }

    private static OpenContext context(CommandSpec spec, TransportFlags.Side side) throws Exception {
        return TransportFlags.context(spec, OpenContext.defaults(), side, new HashMap<>());
    }

    @Test
    void eachSideGetsTheSharedValuesWithItsOwnOnTop() throws Exception {
        CommandLine cli = command(true, new Declaring("reg", CREDS, VERIFY, TIMES, DIR));
        cli.parseArgs(
                "--creds",
                "both:pw",
                "--dest-creds",
                "dest:pw",
                "--src-tls-verify=false",
                "--tls-verify",
                "--retry-times",
                "2",
                "--dest-cert-dir",
                "certs");
        CommandSpec spec = cli.getCommandSpec();
        OpenContext source = context(spec, TransportFlags.Side.SOURCE);
        OpenContext destination = context(spec, TransportFlags.Side.DESTINATION);
        OpenContext both = context(spec, TransportFlags.Side.BOTH);
        assertEquals(Map.of("creds", "both:pw", "tls-verify", "false", "retry-times", "2"), source.options());
        assertEquals(
                Map.of(
                        "creds", "dest:pw",
                        "tls-verify", "true",
                        "retry-times", "2",
                        "cert-dir", Path.of("certs").toAbsolutePath().toString()),
                destination.options());
        assertEquals(Map.of("creds", "both:pw", "tls-verify", "true", "retry-times", "2"), both.options());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void aOneSidedCommandOffersOnlyTheSharedForm() {
        CommandLine cli = command(false, new Declaring("reg", CREDS));
        assertTrue(cli.getCommandSpec().findOption("--creds") != null);
        assertNull(cli.getCommandSpec().findOption("--src-creds"));
        assertThrows(CommandLine.UnmatchedArgumentException.class, () -> cli.parseArgs("--src-creds", "a:b"));
    }

    @Test
    void optionsOfTwoTransportsWithOneNameAreOneOption() throws Exception {
        CommandLine cli = command(true, new Declaring("api", HOST), new Declaring("cli", HOST, DIR));
        cli.parseArgs("--x-host", "tcp://h:1");
        assertEquals(
                Map.of("x-host", "tcp://h:1"),
                context(cli.getCommandSpec(), TransportFlags.Side.SOURCE).options());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void badValuesAreUsageErrors() {
        CommandLine cli = command(true, new Declaring("reg", VERIFY, TIMES));
        assertThrows(CommandLine.ParameterException.class, () -> cli.parseArgs("--retry-times", "-1"));
        assertThrows(CommandLine.ParameterException.class, () -> cli.parseArgs("--dest-retry-times", "many"));
        assertThrows(CommandLine.ParameterException.class, () -> cli.parseArgs("--tls-verify=maybe"));
    }

    @Test
    void anOptionNamedLikeOneOfFerrysIsLeftOutWithAWarning() {
        CommandLine cli = command(true, new Declaring("odd", TransportOption.text("format", "F", "Clashes.")));
        assertEquals(
                1,
                cli.getCommandSpec().options().stream()
                        .filter(o -> o.longestName().equals("--format"))
                        .count());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("--format"), warnings.get(0));
        // the one-side forms do not clash and are offered
        assertTrue(cli.getCommandSpec().findOption("--src-format") != null);
    }

    @Test
    void credentialsWithoutAUserAreRefused() {
        CommandLine cli = command(true, new Declaring("reg", CREDS));
        cli.parseArgs("--src-creds", ":pw");
        UsageException e =
                assertThrows(UsageException.class, () -> context(cli.getCommandSpec(), TransportFlags.Side.SOURCE));
        assertTrue(e.getMessage().contains("--src-creds has no user name"), e.getMessage());
    }

    @Test
    void namesAreCheckedWhereTheyAreDeclared() {
        assertThrows(IllegalArgumentException.class, () -> TransportOption.text("src-host", "H", "x"));
        assertThrows(IllegalArgumentException.class, () -> TransportOption.text("Host", "H", "x"));
        assertThrows(IllegalArgumentException.class, () -> TransportOption.text("a--b", "H", "x"));
        assertFalse(TransportOption.flag("tls-verify", "x").secret());
        assertTrue(CREDS.secret());
    }
}
