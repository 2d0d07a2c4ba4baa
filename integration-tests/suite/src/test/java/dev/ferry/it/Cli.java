package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.cli.Ferry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code ferry} in this JVM, as a user would on the command line, capturing its output. */
final class Cli {
    private Cli() {}

    record Result(int code, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        Result ok() {
            assertEquals(0, code, "ferry failed: " + stderr);
            return this;
        }

        /** A failure with exit {@code expectedCode}: exactly one line on stderr, starting with "ferry: ". */
        Result fails(int expectedCode, String... fragments) {
            assertEquals(expectedCode, code, "exit code; stderr: " + stderr + " stdout: " + out());
            assertTrue(stderr.startsWith("ferry: "), stderr);
            assertEquals(1, stderr.strip().lines().count(), "one line on stderr: " + stderr);
            assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
            for (String fragment : fragments) {
                assertTrue(stderr.contains(fragment), "stderr should mention '" + fragment + "': " + stderr);
            }
            return this;
        }
    }

    static Result ferry(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Ferry.run(out, err, args);
        return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }
}
