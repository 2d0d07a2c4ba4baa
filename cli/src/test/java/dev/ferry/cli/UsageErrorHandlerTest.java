package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageErrorHandlerTest {
    private static String stderrOf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, Ferry.run(out, err, args));
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void anUnknownCommandGetsTheNearestCommandSuggested() {
        assertEquals("ferry: unknown command 'cpy'; did you mean 'copy'? See 'ferry --help'", stderrOf("cpy", "x"));
        assertEquals("ferry: unknown command 'inspct'; did you mean 'inspect'? See 'ferry --help'", stderrOf("inspct"));
        assertEquals("ferry: unknown command 'cpy'; did you mean 'copy'? See 'ferry --help'", stderrOf("help", "cpy"));
    }

    @Test
    void anUnknownOptionIsNamedAloneNotTheOperandsItPushedOutOfPlace() {
        assertEquals(
                "ferry: unknown option '--formt'; did you mean '--format'? See 'ferry copy --help'",
                stderrOf("copy", "--formt", "oci", "oci:a", "oci:b"));
        assertEquals(
                "ferry: unknown option '--frmat'; did you mean '--format'? See 'ferry copy --help'",
                stderrOf("copy", "--frmat=oci", "oci:a", "oci:b"));
    }

    @Test
    void nothingNearIsNoSuggestion() {
        assertEquals(
                "ferry: unknown option '--zzzzzz'; see 'ferry copy --help'",
                stderrOf("copy", "--zzzzzz", "oci:a", "oci:b"));
    }

    @Test
    void suggestionsAreTheNearestNames() {
        assertEquals(List.of("copy"), UsageErrorHandler.suggestions("cpoy", List.of("copy", "inspect", "build")));
        assertEquals(List.of("--quiet"), UsageErrorHandler.suggestions("--quite", List.of("--quiet", "--debug")));
        assertEquals(List.of(), UsageErrorHandler.suggestions("zzz", List.of("copy", "inspect")));
    }
}
