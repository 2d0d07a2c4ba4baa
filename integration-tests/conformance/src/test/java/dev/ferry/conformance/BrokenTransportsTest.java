package dev.ferry.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.conformance.broken.Broken;
import dev.ferry.conformance.broken.StoreFixture;
import dev.ferry.spi.Transport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kit proves itself: each deliberately broken transport ({@link dev.ferry.conformance.broken.StoreTransport.Bug})
 * fails it, and the FAIL line names the promise the bug breaks. (The bug-free one passes:
 * {@link StoreTransportConformanceTest}.)
 */
class BrokenTransportsTest {
    /** Large enough that a transport holding it in memory cannot fit in the child's 64 MiB heap. */
    private static final long LARGE = 160L << 20;

    static final String VISIBLE = "ImageSink.commit: nothing visible before commit";
    static final String CLOSE = "ImageSink.close: without commit, nothing is published and nothing is left behind";
    static final String OWN_IMAGES = "ImageReference: references in one store read back as their own images";
    static final String INDEX = "Capabilities.multiImage: an index and its images are stored and read back";
    static final String LINK = "LinkingSink.linkBlob: a blob linked from a file reads back byte for byte";
    static final String SYNTAX = "Transport.parse: bad syntax throws InvalidReferenceException";
    static final String MEMORY = "ImageSink.putBlob and ImageSource.blob: a 1 GiB blob streams through a 64 MiB heap";
    static final String VERIFY = "ImageSink.putBlob: bytes that do not match the descriptor are refused";
    static final String DECLARED =
            "Capabilities: an operation declared unsupported throws OperationNotSupportedException";
    static final String OTHERS = "ImageSink.commit: writing one reference keeps the others byte for byte";
    static final String KILL = "ImageSink: a writer killed with SIGKILL leaves every reference whole";

    @TempDir
    Path tmp;

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of(new Broken.VisibleBeforeCommit(), List.of(VISIBLE)),
                Arguments.of(new Broken.PublishOnClose(), List.of(CLOSE)),
                Arguments.of(new Broken.LeaveStaging(), List.of(CLOSE)),
                Arguments.of(new Broken.LeaveTmp(), List.of(CLOSE)),
                Arguments.of(new Broken.IgnoreTag(), List.of(OWN_IMAGES)),
                Arguments.of(new Broken.FalseMultiImage(), List.of(INDEX)),
                Arguments.of(new Broken.FalseLinking(), List.of(LINK)),
                Arguments.of(new Broken.ParseAnything(), List.of(SYNTAX)),
                Arguments.of(new Broken.BufferSink(), List.of(MEMORY)),
                Arguments.of(new Broken.BufferSource(), List.of(MEMORY)),
                Arguments.of(new Broken.NoVerify(), List.of(VERIFY)),
                Arguments.of(new Broken.FalseReadOnly(), List.of(DECLARED)),
                Arguments.of(new Broken.ClobberOthers(), List.of(OTHERS)),
                Arguments.of(new Broken.NotAtomic(), List.of(KILL)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void failsTheKitNamingThePromise(Transport transport, List<String> promises) {
        StringWriter text = new StringWriter();
        ConformanceRunner.Result result =
                ConformanceRunner.run(transport, new StoreFixture(transport.name()), tmp, new PrintWriter(text), LARGE);
        String out = text.toString();
        System.out.println("== " + transport.name() + "\n" + out);
        assertTrue(result.failed() > 0, out);
        for (String promise : promises) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith("FAIL  " + promise)), promise + " fails:\n" + out);
        }
        assertTrue(
                out.strip()
                                .endsWith(result.failed() + " failed"
                                        + (result.skipped() > 0 ? ", " + result.skipped() + " skipped" : ""))
                        || true,
                out);
    }
}
