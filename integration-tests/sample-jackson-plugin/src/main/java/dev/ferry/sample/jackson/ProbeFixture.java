package dev.ferry.sample.jackson;

import dev.ferry.conformance.ConformanceFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The kit's view of the read-only probe: most checks are skipped, and its read-only declaration is tested. */
public final class ProbeFixture implements ConformanceFixture {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    @Override
    public String transportName() {
        return "jackson-probe";
    }

    @Override
    public String freshReference(Path scratch) {
        return "anything-" + COUNTER.incrementAndGet();
    }

    @Override
    public List<String> invalidReferences() {
        return List.of();
    }
}
