package dev.ferry.conformance;

import dev.ferry.spi.OpenContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What the kit needs to know about one transport beyond the SPI: where to write, how to name a second image in
 * the same store, how to list what a store holds, and which behaviours the transport declares it lacks.
 *
 * <p>A fixture is a plain class with a public no-argument constructor (the kit re-creates it by class name in the
 * child JVMs it forks for its memory and SIGKILL checks). It must not depend on JUnit. A transport jar lists it in
 * {@code META-INF/services/dev.ferry.conformance.ConformanceFixture} so that {@code ferry conformance NAME} finds
 * it; that is why the kit is a {@code provided} dependency of the jar, not a {@code test} one.
 *
 * <p>The kit trusts nothing a fixture says about the transport: a capability is exercised, a store listing is
 * compared before and after, a behaviour claimed is checked working and one declared missing is checked absent
 * where that can be seen. What the fixture says about the store (its listing) is the kit's only window on places
 * outside the scratch folder (a daemon, a registry): make it complete.
 */
public interface ConformanceFixture {
    /** The name of the transport this fixture is for. */
    String transportName();

    /**
     * A reference (without the transport prefix) to a place where no image is yet: each call a new one, in a new
     * store (a new layout, archive, repository...), inside {@code scratch} when the transport writes files there.
     */
    String freshReference(Path scratch) throws Exception;

    /**
     * A second reference in the same store as {@code reference}, told apart by {@code name} (lowercase letters and
     * digits, different for each call on one reference): another tag in the same layout, archive or repository.
     * Each returned reference holds no image yet. The kit writes an image to each and checks that they read back
     * as their own images, that writing one keeps the others byte for byte and that rewriting one replaces only it.
     *
     * @return null when a store holds one image only (those checks are then skipped, with the reason shown)
     */
    default String siblingReference(String reference, String name) throws Exception {
        return null;
    }

    /**
     * What the store holding {@code reference} holds, for the kit to compare before, during and after a write.
     * Return every reference that names an image there (as {@link StoreContents#references()}, in this
     * transport's syntax, so the kit can open each one), and every other thing the store holds
     * ({@link StoreContents#entries()}): files under its folder outside the content-addressed blobs, entries of an
     * archive, a lock or staging file... {@link StoreContents} has helpers for a folder and an archive.
     *
     * <p>Nothing is {@code null} but the whole answer: return null only when the store cannot be listed at all
     * (the kit then checks what it can see: references it opens itself and the files under its scratch folder).
     * The store may not exist yet: that is an empty listing.
     *
     * @param context the context the kit opens references with
     */
    default StoreContents storeContents(String reference, OpenContext context) throws Exception {
        return null;
    }

    /**
     * Syntax this transport must reject with {@code InvalidReferenceException}, besides what no transport may
     * accept (empty, blank, control characters, NUL, a newline), which the kit always tries.
     */
    default List<String> invalidReferences() {
        return List.of();
    }

    /**
     * What this transport declares it does not do. The checks that need it are skipped with the reason shown,
     * and the declaration is checked where it can be seen (a transport that cannot rewrite a reference must
     * refuse to, and keep what is there).
     */
    default Set<Behavior> unsupported() {
        return Set.of();
    }

    /**
     * How long the memory check may take to write a 1 GiB blob and read it back: a transport whose store is slow
     * (a daemon, a remote registry) may ask for more. There is no way to skip the memory check.
     */
    default Duration largeBlobTimeLimit() {
        return Duration.ofMinutes(5);
    }

    /**
     * The settings the kit opens references with: {@code base} (a temporary folder of the kit's own, which must
     * be empty again once each sink and source is closed) plus whatever this transport needs to reach its store.
     * The default adds nothing.
     */
    default OpenContext context(OpenContext base) {
        return base;
    }

    /** Called after each check, to remove what it wrote outside the scratch folder (daemon images, say). */
    default void cleanUp(List<String> referencesWritten) throws Exception {}
}
