package dev.ferry.conformance.broken;

import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.StoreContents;
import dev.ferry.spi.OpenContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** The fixture of {@link StoreTransport} and its broken variants: a new store folder per reference. */
public class StoreFixture implements ConformanceFixture {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private final String name;

    public StoreFixture() {
        this("store");
    }

    public StoreFixture(String name) {
        this.name = name;
    }

    @Override
    public String transportName() {
        return name;
    }

    @Override
    public String freshReference(Path scratch) {
        return scratch.resolve("store-" + COUNTER.incrementAndGet()) + ":one";
    }

    @Override
    public String siblingReference(String reference, String name) {
        return reference.substring(0, reference.lastIndexOf(':')) + ":" + name;
    }

    @Override
    public StoreContents storeContents(String reference, OpenContext context) throws IOException {
        Path dir = Path.of(reference.substring(0, reference.lastIndexOf(':')));
        List<String> refs = new ArrayList<>();
        if (Files.isDirectory(dir.resolve("refs"))) {
            try (Stream<Path> list = Files.list(dir.resolve("refs"))) {
                list.forEach(p -> refs.add(dir + ":" + p.getFileName()));
            }
        }
        return StoreContents.of(refs, StoreContents.files(dir));
    }

    @Override
    public List<String> invalidReferences() {
        return List.of("/tmp/x", "/tmp/x:", "/tmp/x:UPPER", ":tag");
    }
}
