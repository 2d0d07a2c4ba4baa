package dev.ferry.cli;

/** The {@code ferry} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(Ferry.run(System.out, System.err, args));
    }
}
