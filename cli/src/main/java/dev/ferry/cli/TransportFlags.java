package dev.ferry.cli;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.TransportOption;
import java.io.Console;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * The options transports declare ({@link Transport#options()}), offered on the command line without the CLI knowing
 * any transport: {@code --NAME} for every image a command opens, and, on commands with a source and a destination,
 * {@code --src-NAME} and {@code --dest-NAME} for one side (the side's own wins). Each side's {@link OpenContext}
 * carries the values by the option's name.
 */
final class TransportFlags {
    /** A command that opens images, and so takes the transports' options. */
    interface OpensImages {
        /** Whether the command has a source and a destination, and so takes the one-side forms too. */
        default boolean twoSided() {
            return false;
        }
    }

    /** Which values a context gets. */
    enum Side {
        BOTH(""),
        SOURCE("src-"),
        DESTINATION("dest-");

        final String prefix;

        Side(String prefix) {
            this.prefix = prefix;
        }
    }

    private TransportFlags() {}

    /**
     * Adds the options {@code transports} declare to {@code spec}; one that clashes with an option of the command is
     * left out, with a warning.
     */
    static void addTo(CommandSpec spec, Iterable<Transport> transports, boolean twoSided, Consumer<String> warnings) {
        Map<String, TransportOption> declared = new LinkedHashMap<>();
        Map<String, String> declaredBy = new LinkedHashMap<>();
        for (Transport transport : transports) {
            for (TransportOption option : transport.options()) {
                TransportOption first = declared.putIfAbsent(option.name(), option);
                declaredBy.putIfAbsent(option.name(), transport.name());
                if (first != null && first.kind() != option.kind()) {
                    warnings.accept("transport " + transport.name() + " declares --" + option.name() + " as "
                            + option.kind() + ", but " + declaredBy.get(option.name()) + " as " + first.kind()
                            + "; the first is used");
                }
            }
        }
        List<Side> sides = twoSided ? List.of(Side.BOTH, Side.SOURCE, Side.DESTINATION) : List.of(Side.BOTH);
        for (TransportOption option : declared.values()) {
            for (Side side : sides) {
                String name = "--" + side.prefix + option.name();
                if (spec.findOption(name) != null) {
                    warnings.accept("transport " + declaredBy.get(option.name()) + "'s option " + name
                            + " has the name of one of ferry's own; it is left out");
                    continue;
                }
                spec.addOption(spec(name, option, side));
            }
        }
    }

    private static OptionSpec spec(String name, TransportOption option, Side side) {
        String description = switch (side) {
            case BOTH -> option.description();
            case SOURCE -> "As --" + option.name() + ", for SRC only.";
            case DESTINATION -> "As --" + option.name() + ", for DEST only.";
        };
        OptionSpec.Builder b = OptionSpec.builder(name)
                .paramLabel(option.label())
                .description(description)
                .userObject(option)
                .type(String.class);
        switch (option.kind()) {
            case BOOLEAN -> b.arity("0..1").fallbackValue("true").converters(TransportFlags::bool);
            case COUNT -> b.arity("1").converters(v -> count(name, v));
            case PATH ->
                b.arity("1").converters(v -> Path.of(v).toAbsolutePath().toString());
            case TEXT, CREDENTIALS -> b.arity("1");
        }
        return b.build();
    }

    private static String bool(String value) {
        return switch (value) {
            case "true", "false" -> value;
            default -> throw new TypeConversionException("\"" + value + "\" is not true or false");
        };
    }

    private static String count(String name, String value) {
        try {
            if (Integer.parseInt(value) >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new TypeConversionException(name + " must be a whole number, 0 or more, got \"" + value + "\"");
    }

    /**
     * {@code base} with the values given for {@code side}: {@code --NAME}, then {@code --src-NAME} or
     * {@code --dest-NAME}. A password asked on the terminal is asked once a flag: {@code asked} keeps the answers.
     */
    static OpenContext context(CommandSpec spec, OpenContext base, Side side, Map<String, String> asked)
            throws FerryException {
        Map<String, String> values = new LinkedHashMap<>();
        for (Side s : side == Side.BOTH ? List.of(Side.BOTH) : List.of(Side.BOTH, side)) {
            for (OptionSpec option : given(spec, s)) {
                TransportOption declared = (TransportOption) option.userObject();
                String value = option.getValue();
                if (declared.kind() == TransportOption.Kind.CREDENTIALS) {
                    String flag = option.longestName();
                    String given = value;
                    value = asked.get(flag);
                    if (value == null) {
                        value = credentials(given, flag);
                        asked.put(flag, value);
                    }
                }
                values.put(declared.name(), value);
            }
        }
        return base.withOptions(values);
    }

    private static List<OptionSpec> given(CommandSpec spec, Side side) {
        List<OptionSpec> given = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            if (option.userObject() instanceof TransportOption declared
                    && option.longestName().equals("--" + side.prefix + declared.name())
                    && option.getValue() != null) {
                given.add(option);
            }
        }
        return given;
    }

    /** {@code USER:PASSWORD}; the password is read from the terminal when only a user is given. */
    static String credentials(String value, String flag) throws FerryException {
        if (value.indexOf(':') >= 0) {
            if (value.startsWith(":")) {
                throw new UsageException(flag + " has no user name", "write " + flag + " USER[:PASSWORD]");
            }
            return value;
        }
        if (value.isEmpty()) {
            throw new UsageException(flag + " is empty", "write " + flag + " USER[:PASSWORD]");
        }
        Console console = System.console();
        if (console == null) {
            throw new UsageException(
                    flag + " gives no password and there is no terminal to ask for it",
                    "write " + flag + " USER:PASSWORD");
        }
        char[] password = console.readPassword("Password for %s: ", value);
        if (password == null) {
            throw new UsageException("no password given for " + flag, null);
        }
        return value + ":" + new String(password);
    }
}
