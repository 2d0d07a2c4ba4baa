package dev.ferry.cli;

/** The {@code ferry} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Start-up: Guice generates no bytecode (its fast classes cost ~10 ms per command and buy nothing for
        // objects made once) and records no binding sources (a stack walk per binding, for error messages ferry
        // never shows). Set before any Guice class loads; an explicit -D wins.
        defaultProperty("guice_bytecode_gen_option", "DISABLED");
        defaultProperty("guice_include_stack_traces", "OFF");
        System.exit(Ferry.run(System.out, System.err, args));
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
