package dev.ferry.sample.dir;

import dev.ferry.conformance.Behavior;
import dev.ferry.conformance.ConformanceFixture;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** How the conformance kit exercises {@code dir:}: a new folder per reference; an image is never rewritten. */
public final class DirFixture implements ConformanceFixture {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    @Override
    public String transportName() {
        return "dir";
    }

    @Override
    public String freshReference(Path scratch) {
        return scratch.resolve("dir-" + COUNTER.incrementAndGet()).toString();
    }

    @Override
    public Set<Behavior> unsupported() {
        return Set.of(Behavior.REWRITE_SAME_REFERENCE);
    }
}
