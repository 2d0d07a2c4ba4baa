package dev.ferry.service;

import dev.ferry.spi.OpenContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-registry settings of a sync (a sync file's {@code credentials}, {@code tls-verify}, {@code cert-dir}), applied
 * in this one place. Options are named as the registry transport reads them ({@code creds}, {@code tls-verify},
 * {@code cert-dir}, ...).
 */
final class RegistryScopes {
    private RegistryScopes() {}

    /** {@code base} with {@code options} for the source registry {@code host}. */
    static OpenContext apply(OpenContext base, String host, Map<String, String> options) {
        OpenContext c = base;
        for (Map.Entry<String, String> e : options.entrySet()) {
            // each source image of the file is opened with its registry's own context: the source side's names
            c = c.withOption("registry.src." + e.getKey(), e.getValue());
        }
        return c;
    }

    /**
     * The context a sync's destination is looked up and written with: its side's settings. The registry transport
     * reads a lookup ({@code HEAD}) with the source side's names, so the destination's own ones are given there too.
     */
    static OpenContext destination(OpenContext base) {
        Map<String, String> options = new HashMap<>();
        base.options().forEach((name, value) -> {
            if (!name.startsWith("registry.src.")) {
                options.put(name, value);
            }
        });
        base.options().forEach((name, value) -> {
            if (name.startsWith("registry.dest.")) {
                options.put("registry.src." + name.substring("registry.dest.".length()), value);
            }
        });
        return new OpenContext(base.tmpDir(), options, base.tmpDirChosen());
    }
}
