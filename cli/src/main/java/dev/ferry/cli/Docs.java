package dev.ferry.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Made at build time from the full command tree: the shell completion script and a man page per command. Run by
 * the build ({@code exec-maven-plugin}, phase process-classes) as {@code Docs CLASSES_DIR MAN_DIR}.
 */
public final class Docs {
    private Docs() {}

    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        Path man = Path.of(args[1]);
        CommandLine full = fullTree();
        Path script = classes.resolve(CompletionCommand.RESOURCE.substring(1));
        Files.createDirectories(script.getParent());
        Files.writeString(script, AutoComplete.bash("ferry", full), StandardCharsets.UTF_8);
        Path man1 = man.resolve("man1");
        Files.createDirectories(man1);
        for (CommandLine command : commands(full)) {
            String name = command.getCommandSpec().qualifiedName("-");
            Files.writeString(man1.resolve(name + ".1"), manPage(command.getCommandSpec()), StandardCharsets.UTF_8);
        }
    }

    /** Every command and subcommand, built (with every transport's options), as users run them. */
    static CommandLine fullTree() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        return Ferry.create(new FerryModule(sink), sink, new ByteArrayOutputStream(), null);
    }

    /** The command and its subcommands, depth first, without picocli's {@code help}. */
    static List<CommandLine> commands(CommandLine root) {
        List<CommandLine> all = new ArrayList<>();
        all.add(root);
        for (CommandLine sub : root.getSubcommands().values()) {
            if (!(sub.getCommand() instanceof CommandLine.HelpCommand) && !all.contains(sub)) {
                all.addAll(commands(sub));
            }
        }
        return all.stream().distinct().toList();
    }

    /** The man page of one command, in troff (man macros). */
    static String manPage(CommandSpec spec) {
        StringBuilder page = new StringBuilder();
        String name = spec.qualifiedName("-");
        String[] description = lines(spec.usageMessage().description());
        page.append(".TH \"")
                .append(name.toUpperCase(Locale.ROOT))
                .append("\" 1 \"\" \"ferry ")
                .append(VersionProvider.version())
                .append("\" \"Ferry Manual\"\n");
        page.append(".SH NAME\n")
                .append(escape(name))
                .append(" \\- ")
                .append(escape(description.length == 0 ? "" : lowerFirst(strip(description[0]))))
                .append('\n');
        page.append(".SH SYNOPSIS\n.B ").append(escape(spec.qualifiedName(" "))).append('\n');
        StringBuilder synopsis = new StringBuilder();
        if (!spec.options().isEmpty()) {
            synopsis.append("[\\fIOPTIONS\\fR]");
        }
        if (!spec.subcommands().isEmpty()) {
            synopsis.append(" \\fICOMMAND\\fR [\\fIARGS\\fR]");
        }
        for (PositionalParamSpec positional : spec.positionalParameters()) {
            if (positional.hidden()) {
                continue;
            }
            String label = "\\fI" + escape(positional.paramLabel()) + "\\fR";
            boolean optional = positional.arity().min() == 0;
            boolean many = positional.arity().isVariable() || positional.arity().max() > 1;
            synopsis.append(' ')
                    .append(optional ? "[" : "")
                    .append(label)
                    .append(many ? "..." : "")
                    .append(optional ? "]" : "");
        }
        page.append(synopsis.toString().strip()).append('\n');
        page.append(".SH DESCRIPTION\n");
        for (String line : description) {
            page.append(text(line)).append('\n');
        }
        if (!spec.subcommands().isEmpty()) {
            page.append(".SH COMMANDS\n");
            for (Map.Entry<String, CommandLine> sub : spec.subcommands().entrySet()) {
                String[] subDescription =
                        lines(sub.getValue().getCommandSpec().usageMessage().description());
                page.append(".TP\n.B ").append(escape(sub.getKey())).append('\n');
                page.append(text(subDescription.length == 0 ? "" : subDescription[0]))
                        .append('\n');
            }
        }
        if (!spec.positionalParameters().isEmpty()) {
            page.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec positional : spec.positionalParameters()) {
                if (positional.hidden()) {
                    continue;
                }
                page.append(".TP\n.I ").append(escape(positional.paramLabel())).append('\n');
                for (String line : lines(positional.description())) {
                    page.append(text(line)).append('\n');
                }
            }
        }
        if (!spec.options().isEmpty()) {
            page.append(".SH OPTIONS\n");
            List<OptionSpec> options = new ArrayList<>(spec.options());
            options.sort((a, b) -> strip(a.longestName()).compareTo(strip(b.longestName())));
            for (OptionSpec option : options) {
                if (option.hidden()) {
                    continue;
                }
                page.append(".TP\n");
                List<String> names = new ArrayList<>();
                for (String n : option.names()) {
                    names.add("\\fB" + escape(n) + "\\fR");
                }
                String head = String.join(", ", names);
                if (option.arity().max() > 0 && !option.paramLabel().isEmpty() && !isBoolean(option)) {
                    head += "=\\fI" + escape(option.paramLabel()) + "\\fR";
                }
                page.append(head).append('\n');
                for (String line : lines(option.description())) {
                    page.append(text(line)).append('\n');
                }
            }
        }
        String[] footer = lines(spec.usageMessage().footer());
        if (footer.length > 0) {
            page.append(".SH NOTES\n");
            for (String line : footer) {
                page.append(text(line)).append('\n');
            }
        }
        page.append(".SH SEE ALSO\n");
        String parent = spec.parent() == null ? null : spec.parent().qualifiedName("-");
        List<String> see = new ArrayList<>();
        if (parent != null) {
            see.add("\\fB" + escape(parent) + "\\fR(1)");
        }
        for (CommandLine sub : spec.subcommands().values()) {
            if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                see.add("\\fB" + escape(sub.getCommandSpec().qualifiedName("-")) + "\\fR(1)");
            }
        }
        see.add("\\fBskopeo\\fR(1)");
        page.append(String.join(", ", see.stream().distinct().toList())).append('\n');
        return page.toString();
    }

    private static boolean isBoolean(OptionSpec option) {
        Class<?> type = option.type();
        return type == boolean.class || type == Boolean.class;
    }

    /** picocli's description lines: format specifiers ({@code %n}) resolved, blank lines kept as paragraphs. */
    private static String[] lines(String[] description) {
        List<String> out = new ArrayList<>();
        for (String line : description) {
            String formatted = line.replace("%n", "\n").replace("%%", "%");
            out.addAll(List.of(formatted.split("\n", -1)));
        }
        while (!out.isEmpty() && out.get(0).isBlank()) {
            out.remove(0);
        }
        return out.toArray(String[]::new);
    }

    /** One line of running text: a blank line is a paragraph break. */
    private static String text(String line) {
        if (line.isBlank()) {
            return ".PP";
        }
        String escaped = escape(strip(line));
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }

    private static String strip(String s) {
        return s.strip().replaceAll("@\\|[a-z,]+ ([^|]*)\\|@", "$1");
    }

    private static String lowerFirst(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && !Character.isUpperCase(s.charAt(1))) {
            s = Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** Text for troff: backslashes and hyphens escaped. */
    static String escape(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }
}
