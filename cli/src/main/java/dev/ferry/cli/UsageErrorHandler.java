package dev.ferry.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** A usage error: one line naming the problem and where to read the usage; exit code 2. */
final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cli = ex.getCommandLine();
        PrintWriter err = cli.getErr();
        String command = cli.getCommandSpec().qualifiedName();
        String message = message(ex);
        err.println("ferry: " + message + (message.endsWith("?") ? " See '" : "; see '") + command + " --help'");
        err.flush();
        return ErrorHandler.USAGE;
    }

    /**
     * The problem in one line. An unknown option is named alone (picocli also lists the operands it pushed out of
     * place: {@code copy --formt oci SRC DEST} would report DEST too), with the nearest names as suggestions; so is
     * an unknown command.
     */
    static String message(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            CommandSpec spec = ex.getCommandLine().getCommandSpec();
            List<String> options = new ArrayList<>();
            for (String arg : unmatched.getUnmatched()) {
                if (arg.startsWith("-") && arg.length() > 1 && !arg.equals("--")) {
                    options.add(arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg);
                }
            }
            if (!options.isEmpty()) {
                String first = options.get(0);
                List<String> names = new ArrayList<>();
                for (OptionSpec option : spec.options()) {
                    if (!option.hidden()) {
                        names.addAll(List.of(option.names()));
                    }
                }
                String text = (options.size() == 1 ? "unknown option '" : "unknown options '")
                        + String.join("', '", options) + "'";
                return text + didYouMean(first, names);
            }
            String first = unmatched.getUnmatched().get(0);
            if (!spec.subcommands().isEmpty() && spec.positionalParameters().isEmpty()) {
                return "unknown command '" + first + "'"
                        + didYouMean(first, spec.subcommands().keySet());
            }
        }
        Matcher help = UNKNOWN_SUBCOMMAND.matcher(String.valueOf(ex.getMessage()));
        if (help.find()) { // ferry help cpy
            CommandLine parent = ex.getCommandLine().getParent();
            CommandLine root = parent != null ? parent : ex.getCommandLine();
            return "unknown command '" + help.group(1) + "'"
                    + didYouMean(
                            help.group(1), root.getCommandSpec().subcommands().keySet());
        }
        return ex.getMessage().replace('\n', ' ');
    }

    /** What picocli's help command says about a command it does not know. */
    private static final Pattern UNKNOWN_SUBCOMMAND = Pattern.compile("Unknown subcommand '([^']*)'");

    private static String didYouMean(String typed, Iterable<String> names) {
        List<String> near = suggestions(typed, names);
        return near.isEmpty() ? "" : "; did you mean '" + String.join("' or '", near) + "'?";
    }

    /** The names nearest {@code typed} (at most three): a few edits away, or starting with it. */
    static List<String> suggestions(String typed, Iterable<String> names) {
        String t = typed.toLowerCase(Locale.ROOT);
        String bare = t.replaceFirst("^-+", "");
        List<String> near = new ArrayList<>();
        List<Integer> distances = new ArrayList<>();
        for (String name : names) {
            String n = name.toLowerCase(Locale.ROOT);
            String nBare = n.replaceFirst("^-+", "");
            int distance = distance(bare, nBare);
            int limit = Math.max(1, Math.min(3, nBare.length() / 3));
            if (distance <= limit || (bare.length() >= 2 && nBare.startsWith(bare))) {
                if (!near.contains(name)) {
                    near.add(name);
                    distances.add(nBare.startsWith(bare) ? Math.min(distance, 1) : distance);
                }
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < near.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(distances::get));
        List<String> sorted = new ArrayList<>();
        for (int i : order.subList(0, Math.min(3, order.size()))) {
            sorted.add(near.get(i));
        }
        return sorted;
    }

    /** Damerau-Levenshtein distance (optimal string alignment): a swap of two letters is one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
