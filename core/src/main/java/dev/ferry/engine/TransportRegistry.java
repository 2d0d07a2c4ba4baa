package dev.ferry.engine;

import static java.util.Objects.requireNonNull;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.Transport;
import dev.ferry.spi.UnknownTransportException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/** The transports Ferry knows, by name, and the parsing of {@code transport:rest} references. */
public final class TransportRegistry {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    /**
     * A transport and where it came from.
     *
     * @param transport the transport
     * @param origin the jar (or class folder) that holds it
     * @param version its implementation version, or null
     */
    public record Entry(Transport transport, String origin, String version) {
        public Entry {
            requireNonNull(transport, "transport is null");
            requireNonNull(origin, "origin is null");
        }

        public static Entry of(Transport transport) {
            return new Entry(
                    transport,
                    originOf(transport.getClass()),
                    transport.getClass().getPackage() == null
                            ? null
                            : transport.getClass().getPackage().getImplementationVersion());
        }
    }

    private final Map<String, Entry> byName;
    private final Map<String, String> aliases;

    private TransportRegistry(Map<String, Entry> byName, Map<String, String> aliases) {
        this.byName = byName;
        this.aliases = aliases;
    }

    /**
     * This registry with {@code alias} standing for the transport {@code target}: references written
     * {@code alias:rest} go to {@code target}, as {@code docker-daemon:} goes to {@code docker-api} or
     * {@code docker-cli}.
     */
    public TransportRegistry withAlias(String alias, String target) {
        Map<String, String> copy = new LinkedHashMap<>(aliases);
        copy.put(alias, target);
        return new TransportRegistry(byName, copy);
    }

    /** The aliases, each with the transport it stands for. */
    public Map<String, String> aliases() {
        return Collections.unmodifiableMap(aliases);
    }

    /**
     * The registry of the given entries.
     *
     * @throws DuplicateTransportException if two have one name
     * @throws FerryException if a name is not valid
     */
    public static TransportRegistry of(List<Entry> entries) throws FerryException {
        Map<String, Entry> map = new LinkedHashMap<>();
        for (Entry entry : entries) {
            String name = entry.transport().name();
            if (name == null || !NAME.matcher(name).matches()) {
                throw new FerryException(
                        "transport " + entry.transport().getClass().getName() + " in " + entry.origin()
                                + " has an invalid name \"" + name + "\"",
                        "names are lowercase letters, digits and '-'");
            }
            Entry previous = map.putIfAbsent(name, entry);
            if (previous != null) {
                throw new DuplicateTransportException(name, previous.origin(), entry.origin());
            }
        }
        return new TransportRegistry(map, Map.of());
    }

    /**
     * Finds transports with {@link ServiceLoader} in {@code loader}.
     *
     * @throws FerryException if a transport fails to load, or two share a name
     */
    public static TransportRegistry load(ClassLoader loader) throws FerryException {
        List<Entry> entries = new ArrayList<>();
        try {
            for (ServiceLoader.Provider<Transport> provider :
                    ServiceLoader.load(Transport.class, loader).stream().toList()) {
                entries.add(Entry.of(provider.get()));
            }
        } catch (ServiceConfigurationError e) {
            throw new FerryException(
                    "a transport failed to load: " + e.getMessage(), "remove or fix the jar that declares it", e);
        }
        return of(entries);
    }

    /** Every transport, by name. */
    public List<Entry> entries() {
        return byName.values().stream()
                .sorted(Comparator.comparing(e -> e.transport().name()))
                .toList();
    }

    public Optional<Entry> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * Parses {@code transport:rest}, split at the first colon.
     *
     * @throws UnknownTransportException if the prefix names no transport
     * @throws InvalidReferenceException if there is no prefix or the transport rejects the rest
     */
    public ImageReference parse(String reference) throws InvalidReferenceException {
        requireNonNull(reference, "reference is null");
        int colon = reference.indexOf(':');
        if (colon <= 0) {
            throw new InvalidReferenceException(
                    reference,
                    "it has no transport prefix",
                    "write TRANSPORT:DETAILS, for example oci:./layout:latest (known transports: "
                            + String.join(
                                    ", ", byName.keySet().stream().sorted().toList()) + ")");
        }
        return parse(reference.substring(0, colon), reference.substring(colon + 1), reference);
    }

    /**
     * Parses {@code rest} with the transport named {@code name} (or the one that alias stands for): the
     * reference of a user who gave the transport apart ({@code --src-transport}).
     *
     * @throws UnknownTransportException if the name is not a transport or alias
     * @throws InvalidReferenceException if the transport rejects the rest
     */
    public ImageReference parse(String name, String rest, String asWritten) throws InvalidReferenceException {
        String target = aliases.getOrDefault(name, name);
        Entry entry = byName.get(target);
        if (entry == null) {
            if (!target.equals(name)) {
                throw new InvalidReferenceException(
                        asWritten,
                        name + ": stands for transport \"" + target + "\", which is not installed",
                        "`ferry transports` lists what is installed");
            }
            List<String> known = new ArrayList<>(byName.keySet());
            known.addAll(aliases.keySet());
            throw new UnknownTransportException(
                    asWritten, name, known.stream().sorted().toList());
        }
        return entry.transport().parse(rest);
    }

    /** The jar or folder a class was loaded from, as a file name. */
    static String originOf(Class<?> type) {
        try {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return "(unknown origin)";
            }
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return "(unknown origin)";
        }
    }
}
