package dev.ferry.conformance;

import dev.ferry.spi.OpenContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What the kit needs to know about one transport, beyond the SPI: how to name a fresh place to write, which
 * behaviours the transport declares it lacks, and how to clean up. A transport jar may provide one with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.ferry.conformance.ConformanceFixture}) so that
 * {@code ferry conformance NAME} can run the kit against it.
 */
public interface ConformanceFixture {
    /** The name of the transport this fixture is for. */
    String transportName();

    /**
     * A reference (without the transport prefix) to a place where no image is yet: each call a new one, inside
     * {@code scratch} when the transport writes files.
     */
    String freshReference(Path scratch) throws Exception;

    /** Syntax this transport must reject with {@code InvalidReferenceException}. */
    default List<String> invalidReferences() {
        return List.of("");
    }

    /** What this transport declares it does not do; those checks are skipped, with the reason shown. */
    default Set<Behavior> unsupported() {
        return Set.of();
    }

    /**
     * The settings the kit opens references with: {@code base} (a temporary folder) plus whatever this transport
     * needs to reach its store (a registry's TLS settings, say). The default adds nothing.
     */
    default OpenContext context(OpenContext base) {
        return base;
    }

    /** Called once the kit is done, to remove what it wrote outside {@code scratch} (daemon images, say). */
    default void cleanUp(List<String> referencesWritten) throws Exception {}
}
