package dev.ferry.service;

import dev.ferry.spi.OpenContext;
import java.util.Map;

/**
 * Per-registry settings of a sync (a sync file's {@code credentials}, {@code tls-verify}, {@code cert-dir}), applied
 * in this one place: as options scoped to the registry's host ({@link OpenContext#withScopedOption}), which the
 * registry transport reads for that host only, over the source side's own. Options are named as the registry
 * transport declares them ({@code creds}, {@code tls-verify}, {@code cert-dir}, ...).
 */
final class RegistryScopes {
    private RegistryScopes() {}

    /** {@code base} with {@code options} for the registry {@code host} ({@code HOST[:PORT]}). */
    static OpenContext apply(OpenContext base, String host, Map<String, String> options) {
        OpenContext c = base;
        for (Map.Entry<String, String> e : options.entrySet()) {
            c = c.withScopedOption(host, e.getKey(), e.getValue());
        }
        return c;
    }
}
