package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The completion script and man pages made at build time (process-classes, before the tests run). */
class DocsTest {
    private static final Path MAN = Path.of("target", "man", "man1");

    @TempDir
    Path dir;

    private static String ferry(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, Ferry.run(out, err, args), err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), Files.readString(dir.resolve("stderr")));
        return out;
    }

    /** What bash offers for {@code line} (the word being completed last), with ferry's script loaded. */
    private String complete(String line) throws Exception {
        Files.writeString(dir.resolve("ferry.bash"), ferry("completion", "bash"));
        String script = "source ./ferry.bash\n"
                + "COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}\n"
                + "read -ra COMP_WORDS <<< \"$COMP_LINE\"; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                + "_complete_ferry 2>/dev/null\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        return run(dir, "bash", "-c", script);
    }

    @Test
    void bashCompletesCommands() throws Exception {
        Set<String> offered =
                new TreeSet<>(complete("ferry co").lines().map(String::strip).toList());
        assertEquals(Set.of("completion", "conformance", "copy"), offered);
    }

    @Test
    void bashCompletesOptionsOfACommandIncludingTransportOptions() throws Exception {
        List<String> offered =
                complete("ferry copy --for").lines().map(String::strip).toList();
        assertEquals(List.of("--format"), offered);
        assertTrue(complete("ferry copy --src-").contains("--src-creds"), "transport options are offered");
    }

    @Test
    void zshGetsTheSameScriptWhichLoadsBashcompinit() {
        String zsh = ferry("completion", "zsh");
        assertEquals(ferry("completion", "bash"), zsh);
        assertTrue(zsh.contains("bashcompinit"), zsh.substring(0, 400));
    }

    @Test
    void everyCommandHasAManPageThatRendersWithoutWarnings() throws Exception {
        Set<String> expected = new TreeSet<>();
        expected.add("ferry.1");
        for (String name : RootCommand.SUBCOMMANDS.keySet()) {
            if (!name.equals("help")) {
                expected.add("ferry-" + name + ".1");
            }
        }
        Set<String> pages = new TreeSet<>();
        try (var files = Files.list(MAN)) {
            files.forEach(f -> pages.add(f.getFileName().toString()));
        }
        assertTrue(pages.containsAll(expected), "pages " + pages + " for " + expected);
        List<String> problems = new ArrayList<>();
        for (String page : pages) {
            Path file = MAN.resolve(page).toAbsolutePath();
            ProcessBuilder man = new ProcessBuilder("man", "--warnings", "-E", "UTF-8", "-l", file.toString())
                    .redirectError(dir.resolve("stderr").toFile());
            man.environment().put("MANWIDTH", "80");
            Process process = man.start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .replaceAll(".\b", ""); // overstrike (bold) when not on a terminal
            int code = process.waitFor();
            String warnings = Files.readString(dir.resolve("stderr"));
            if (code != 0 || !warnings.isEmpty()) {
                problems.add(page + ": exit " + code + ": " + warnings);
            }
            assertTrue(text.contains("NAME") && text.contains("SYNOPSIS"), page + ":\n" + text);
        }
        assertEquals(List.of(), problems);
        String copy = Files.readString(MAN.resolve("ferry-copy.1"));
        assertTrue(copy.contains("\\-\\-format"), "copy's page lists its options");
        assertTrue(copy.contains("\\-\\-src\\-creds"), "and the transports' options");
    }

    @Test
    void startUpStillBuildsOnlyTheCommandItRuns() {
        CommandSpec root = new CommandLine(RootCommand.class).getCommandSpec();
        assertEquals(
                List.of(CompletionCommand.class),
                List.copyOf(RootCommand.neededFor(new String[] {"completion"}, root)));
        assertEquals(
                List.of(CopyCommand.class),
                List.copyOf(RootCommand.neededFor(new String[] {"--progress", "plain", "copy", "a", "b"}, root)));
        assertEquals(List.of(), List.copyOf(RootCommand.neededFor(new String[] {"--version"}, root)));
        assertEquals(
                List.of(CommandLine.HelpCommand.class),
                List.copyOf(RootCommand.neededFor(new String[] {"--debug", "nosuch"}, root)));
    }
}
