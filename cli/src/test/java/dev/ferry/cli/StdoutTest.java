package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output cut short (the reader closed the pipe) is a failure, whichever way the command writes. */
class StdoutTest {
    @TempDir
    Path tmp;

    /** Accepts {@code limit} bytes, then fails as a closed pipe does. */
    static final class ClosedAfter extends OutputStream {
        private long left;

        ClosedAfter(long limit) {
            left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                left = 0;
                throw new IOException("Broken pipe");
            }
            left -= len;
        }
    }

    private static String[] run(long limit, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Ferry.run(new ClosedAfter(limit), err, args);
        return new String[] {Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
    }

    private static void failsWithOneLine(String[] result) {
        assertEquals("1", result[0], result[1]);
        assertEquals(1, result[1].strip().lines().count(), result[1]);
        assertTrue(result[1].startsWith("ferry: standard output was closed before the end of the output"), result[1]);
    }

    @Test
    void aTarCutShortFailsWithOneLine() {
        Path hello = Path.of("../examples/hello").toAbsolutePath();
        assertTrue(Files.isDirectory(hello));
        failsWithOneLine(run(1000, "export", "oci:" + hello + ":latest", "-"));
    }

    @Test
    void textCutShortFailsToo() {
        // through picocli's PrintWriter, which swallows write errors
        failsWithOneLine(run(10, "transports"));
        failsWithOneLine(run(0, "--version"));
    }

    @Test
    void outputThatFitsSucceeds() {
        assertEquals("0", run(1 << 20, "transports")[0]);
    }
}
