package dev.ferry.sample.dir;

import dev.ferry.conformance.Behavior;
import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.StoreContents;
import dev.ferry.spi.OpenContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the conformance kit exercises {@code dir:}: a new folder per reference; a folder holds one image (so no
 * second reference), which is never rewritten. The store's listing: the folder itself as its one reference once it
 * has a {@code manifest.json}, and every file in it that is not a blob named by its digest.
 */
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
    public StoreContents storeContents(String reference, OpenContext context) throws IOException {
        Path dir = Path.of(reference);
        boolean image = Files.isRegularFile(dir.resolve("manifest.json"));
        return StoreContents.of(image ? List.of(reference) : List.of(), StoreContents.files(dir));
    }

    @Override
    public Set<Behavior> unsupported() {
        return Set.of(Behavior.REWRITE_SAME_REFERENCE);
    }
}
