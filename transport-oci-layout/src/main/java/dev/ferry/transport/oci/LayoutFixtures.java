package dev.ferry.transport.oci;

import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.StoreContents;
import dev.ferry.model.Descriptor;
import dev.ferry.model.LayoutIndex;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.TarIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The conformance kit's fixtures for {@code oci:} and {@code oci-archive:}: a new layout (or archive) per reference,
 * other images of it named by their ref ({@code PATH:NAME}), listed from its {@code index.json}. Loaded by
 * {@code ferry conformance} through {@code META-INF/services/dev.ferry.conformance.ConformanceFixture}; the kit is
 * a {@code provided} dependency of this jar.
 */
public final class LayoutFixtures {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private LayoutFixtures() {}

    static String path(String reference) {
        int colon = reference.indexOf(':');
        return colon < 0 ? reference : reference.substring(0, colon);
    }

    /** The references an {@code index.json} names, as {@code PATH:REF}. */
    static List<String> references(String path, byte[] indexJson) {
        List<String> refs = new ArrayList<>();
        if (indexJson == null) {
            return refs;
        }
        for (Descriptor d : LayoutIndex.parse(indexJson, path + "/index.json").entries()) {
            if (d.refName() != null) {
                refs.add(path + ":" + d.refName());
            }
        }
        return refs;
    }

    /** {@code oci:}: a layout folder; everything under it but the blobs is listed. */
    public static final class Oci implements ConformanceFixture {
        @Override
        public String transportName() {
            return "oci";
        }

        @Override
        public String freshReference(Path scratch) {
            return scratch.resolve("layout-" + COUNTER.incrementAndGet()) + ":conformance";
        }

        @Override
        public String siblingReference(String reference, String name) {
            return path(reference) + ":" + name;
        }

        @Override
        public StoreContents storeContents(String reference, OpenContext context) throws IOException {
            String path = path(reference);
            Path index = Path.of(path).resolve("index.json");
            byte[] json = Files.isRegularFile(index) ? Files.readAllBytes(index) : null;
            return StoreContents.of(references(path, json), StoreContents.files(Path.of(path)));
        }

        @Override
        public List<String> invalidReferences() {
            return List.of(":ref", "/tmp/x:bad ref", "/tmp/x:-dash", "/tmp/x:");
        }
    }

    /** {@code oci-archive:}: a tar of a layout; its entries but the blobs are listed. */
    public static final class OciArchive implements ConformanceFixture {
        @Override
        public String transportName() {
            return "oci-archive";
        }

        @Override
        public String freshReference(Path scratch) {
            return scratch.resolve("archive-" + COUNTER.incrementAndGet() + ".tar") + ":conformance";
        }

        @Override
        public String siblingReference(String reference, String name) {
            return path(reference) + ":" + name;
        }

        @Override
        public StoreContents storeContents(String reference, OpenContext context) throws IOException {
            String path = path(reference);
            Path archive = Path.of(path);
            byte[] json = null;
            if (Files.isRegularFile(archive)) {
                try (TarIndex tar = TarIndex.open(archive)) {
                    if (tar.names().contains("index.json")) {
                        json = tar.readAll("index.json", 1 << 24);
                    }
                }
            }
            return StoreContents.of(references(path, json), StoreContents.tarEntries(archive));
        }

        @Override
        public List<String> invalidReferences() {
            return List.of(":ref", "/tmp/x.tar:bad ref", "/tmp/x.tar:");
        }
    }
}
