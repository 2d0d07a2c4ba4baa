package dev.ferry.conformance;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the kit against one transport through the JUnit Platform Launcher, printing each check, for
 * {@code ferry conformance}. The transport and its fixture are handed to {@link Subject} before the launch.
 */
public final class ConformanceRunner {
    /**
     * The outcome.
     *
     * @param passed checks that passed
     * @param failed checks that failed
     * @param skipped checks skipped, for what the transport declares it lacks
     */
    public record Result(int passed, int failed, int skipped) {}

    private static volatile Transport currentTransport;
    private static volatile ConformanceFixture currentFixture;
    private static volatile Path currentScratch;
    private static volatile long currentLargeBlob = TransportConformance.LARGE_BLOB;

    private ConformanceRunner() {}

    /** The fixture a transport's class loader provides for it, or null. */
    public static ConformanceFixture fixtureFor(Transport transport) {
        for (ClassLoader loader :
                new ClassLoader[] {transport.getClass().getClassLoader(), ConformanceRunner.class.getClassLoader()}) {
            for (ConformanceFixture f : ServiceLoader.load(ConformanceFixture.class, loader)) {
                if (f.transportName().equals(transport.name())) {
                    return f;
                }
            }
        }
        return null;
    }

    /**
     * {@code ferry conformance}: runs every check against {@code transport} with the fixture found for it
     * ({@link #fixtureFor}), printing each. The CLI calls it by name, from the class loader of its own that holds
     * the kit, JUnit and the built-in transports' fixtures (nothing else of the CLI sees them).
     *
     * @param scratch where the checks write, each in a folder of its own that is kept, or null for temporary ones
     * @return how many checks failed
     * @throws FerryException if the transport provides no fixture
     */
    public static int runCommand(Transport transport, Path scratch, PrintWriter out) throws FerryException {
        ConformanceFixture fixture = fixtureFor(transport);
        if (fixture == null) {
            throw new FerryException(
                    "transport " + transport.name() + " provides no conformance fixture",
                    "its jar must list one in META-INF/services/" + ConformanceFixture.class.getName());
        }
        return run(transport, fixture, scratch, out).failed();
    }

    /** Runs every check against {@code transport}; {@code scratch} (or null for a temporary one) holds what it writes. */
    public static Result run(Transport transport, ConformanceFixture fixture, Path scratch, PrintWriter out) {
        return run(transport, fixture, scratch, out, TransportConformance.LARGE_BLOB);
    }

    /** As {@link #run(Transport, ConformanceFixture, Path, PrintWriter)}, with a smaller large blob: the kit's own tests. */
    static synchronized Result run(
            Transport transport, ConformanceFixture fixture, Path scratch, PrintWriter out, long largeBlob) {
        currentLargeBlob = largeBlob;
        currentTransport = transport;
        currentFixture = fixture;
        currentScratch = scratch;
        int[] counts = new int[3];
        // JUnit finds its engines through the context class loader: the kit's, which may be a loader of its own
        // (ferry conformance loads the kit and JUnit apart from Ferry's class path)
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(ConformanceRunner.class.getClassLoader());
        try {
            launch(out, counts);
        } finally {
            thread.setContextClassLoader(context);
        }
        out.println(
                counts[0] + " passed, " + counts[1] + " failed" + (counts[2] > 0 ? ", " + counts[2] + " skipped" : ""));
        out.flush();
        return new Result(counts[0], counts[1], counts[2]);
    }

    private static void launch(PrintWriter out, int[] counts) {
        Launcher launcher = LauncherFactory.create();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(Subject.class))
                .build();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                if (test.isTest()) {
                    counts[2]++;
                    out.println("SKIP  " + test.getDisplayName() + ": " + reason);
                    out.flush();
                }
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (!test.isTest()) {
                    return;
                }
                switch (result.getStatus()) {
                    case SUCCESSFUL -> {
                        counts[0]++;
                        out.println("PASS  " + test.getDisplayName());
                    }
                    case ABORTED -> {
                        counts[2]++;
                        out.println("SKIP  " + test.getDisplayName() + ": "
                                + result.getThrowable()
                                        .map(t ->
                                                String.valueOf(t.getMessage()).replaceFirst("^Assumption failed: ", ""))
                                        .orElse(""));
                    }
                    case FAILED -> {
                        counts[1]++;
                        out.println("FAIL  " + test.getDisplayName() + ": "
                                + result.getThrowable()
                                        .map(t -> String.valueOf(t.getMessage()).replace('\n', ' '))
                                        .orElse(""));
                    }
                }
                out.flush();
            }
        });
    }

    /** The kit, bound to what {@link #run} was given. */
    public static class Subject extends TransportConformance {
        @Override
        protected Transport transport() {
            return currentTransport;
        }

        @Override
        protected ConformanceFixture fixture() {
            return currentFixture;
        }

        private Path own;

        @Override
        long largeBlobSize() {
            return currentLargeBlob;
        }

        @Override
        protected Path scratchDir() {
            if (currentScratch == null) {
                return super.scratchDir();
            }
            try {
                if (own == null) {
                    own = Files.createTempDirectory(currentScratch, "check-");
                }
                return own;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
