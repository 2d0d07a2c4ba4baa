package dev.ferry.spi;

import java.io.IOException;
import java.util.List;

/**
 * Optional capability of a {@link Transport} whose stores are grouped in a larger one (a registry's repositories):
 * lists them. Contract as for {@link ImageStore#list}: nothing read but the listing, nothing changed.
 */
public interface RepositoryCatalog extends Transport {
    /**
     * Whether {@code location} (the text after {@code name:}) names a whole catalog (for example {@code //HOST} for
     * a registry) rather than one store. Does no I/O.
     */
    boolean isCatalog(String location);

    /**
     * One reference into each store of the catalog at {@code location} (each an {@link ImageStore}, whose
     * {@link ImageStore#list} gives its images), in the catalog's order, every page.
     *
     * @throws InvalidReferenceException if {@code location} names no catalog
     */
    List<ImageStore> repositories(String location, OpenContext context) throws IOException;
}
