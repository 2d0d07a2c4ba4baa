package dev.ferry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry completion bash|zsh}: prints the shell completion script, made at build time from the full command
 * tree (start-up builds only the command it runs, so the script cannot be made from the tree at hand).
 */
@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = "Print the shell completion script for bash or zsh.",
        footer = {
            "",
            "bash: source <(ferry completion bash), or save it as ~/.local/share/bash-completion/completions/ferry.",
            "zsh:  source <(ferry completion zsh) in ~/.zshrc (it uses bashcompinit)."
        })
public class CompletionCommand implements Callable<Integer> {
    /** The script, made by {@link Docs} while building. */
    static final String RESOURCE = "/dev/ferry/cli/completion.bash";

    /** The shells. */
    enum Shell {
        bash,
        zsh
    }

    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        out.print(script());
        out.flush();
        return 0;
    }

    /** The script: the one made at build time, else (classes run from an IDE) made now from the full tree. */
    static String script() throws IOException {
        try (InputStream in = CompletionCommand.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return generate();
    }

    /** The script for the full command tree (every command and transport option). */
    static String generate() {
        CommandLine full = Docs.fullTree();
        return AutoComplete.bash("ferry", full);
    }
}
