package dev.ferry.service;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.SyncEngine;
import dev.ferry.engine.TransportRegistry;
import dev.ferry.internal.Futures;
import dev.ferry.model.Digest;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.OperationNotSupportedException;
import dev.ferry.spi.RepositoryCatalog;
import dev.ferry.spi.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * Mirrors many images: plans which images a sync source holds and where each lands, then has the
 * {@link SyncEngine} copy them (incrementally, each shared blob once, several images at once).
 *
 * <p>Sources: a registry repository ({@code docker://HOST/NAME}: every tag), a whole registry ({@code docker://HOST}:
 * every repository of its catalog), a layout or archive (every ref), or skopeo sync's YAML file. Destinations: a
 * registry namespace ({@code docker://HOST[/PREFIX]}), where each image lands at {@code PREFIX/NAME:TAG} as skopeo
 * puts it ({@link Naming}); or a folder of layouts ({@code oci:FOLDER}: one layout per repository at
 * {@code FOLDER/NAME}, refs named by tag; with {@link Request#oneLayout()}, one layout whose refs are
 * {@code NAME:TAG}).
 */
public final class ImageSync {
    /** Where an image of repository {@code HOST/PATH/LAST} lands under the destination's prefix. */
    public enum Naming {
        /** {@code PREFIX/LAST}, as skopeo sync does by default. */
        LAST_COMPONENT,
        /** {@code PREFIX/HOST/PATH/LAST}, as skopeo sync {@code --scoped}. */
        SCOPED,
        /** {@code PREFIX/PATH/LAST}. */
        KEEP_PATH
    }

    /**
     * A sync to plan.
     *
     * @param source a reference to a repository, registry, layout or archive; null when {@code file} is given
     * @param file skopeo sync's YAML file, or null
     * @param destination {@code docker://HOST[/PREFIX]} or a layout transport's folder ({@code oci:FOLDER})
     * @param naming how repositories are named at the destination
     * @param oneLayout for a layout destination: one layout, refs {@code NAME:TAG}
     * @param tags only tags this pattern finds (anywhere in the tag), or null for all
     * @param repositories for a whole registry: only repositories this pattern finds, or null for all
     * @param sourceContext the settings of the sources (a sync file's per-registry ones are scoped over them)
     * @param destinationContext the settings of the destination
     */
    public record Request(
            String source,
            SyncFile file,
            String destination,
            Naming naming,
            boolean oneLayout,
            Pattern tags,
            Pattern repositories,
            OpenContext sourceContext,
            OpenContext destinationContext) {
        public Request {
            requireNonNull(destination, "destination is null");
            requireNonNull(naming, "naming is null");
            requireNonNull(sourceContext, "sourceContext is null");
            requireNonNull(destinationContext, "destinationContext is null");
            if ((source == null) == (file == null)) {
                throw new IllegalArgumentException("give a source or a file, not both or neither");
            }
        }
    }

    /** Stores listed at once. */
    private static final int LISTING_THREADS = 16;

    private final TransportRegistry transports;
    private final SyncEngine engine;
    /** The folders planned layout destinations go in, made before they are written. */
    private final Map<ImageReference, Path> folders = new ConcurrentHashMap<>();

    public ImageSync(TransportRegistry transports, CopyEngine copy) {
        this.transports = requireNonNull(transports, "transports is null");
        this.engine = new SyncEngine(copy);
    }

    /** The images {@code request} names, each with where it lands. Reads listings only. */
    public List<SyncEngine.Image> plan(Request original) throws IOException {
        // one session for the listing and the copies: a registry's client is set up once
        String session = UUID.randomUUID().toString();
        Request request = original.sourceContext().option(SyncEngine.SESSION).isPresent()
                ? original
                : new Request(
                        original.source(),
                        original.file(),
                        original.destination(),
                        original.naming(),
                        original.oneLayout(),
                        original.tags(),
                        original.repositories(),
                        original.sourceContext().withOption(SyncEngine.SESSION, session),
                        original.destinationContext().withOption(SyncEngine.SESSION, session));
        Destination destination = destination(request);
        List<Listing> listings = new ArrayList<>();
        if (request.file() != null) {
            for (SyncFile.Registry registry : request.file().registries()) {
                OpenContext context =
                        RegistryScopes.apply(request.sourceContext(), registry.host(), registry.options());
                Transport docker = catalogTransport();
                for (Map.Entry<String, List<String>> e : registry.images().entrySet()) {
                    ImageStore repo = store(docker, registry.host() + "/" + e.getKey());
                    if (e.getValue().isEmpty()) {
                        listings.add(new Listing(repo, null, null, context, true));
                    } else {
                        List<ImageStore> refs = new ArrayList<>();
                        for (String ref : e.getValue()) {
                            String sep = Digest.tryParse(ref).isPresent() ? "@" : ":";
                            refs.add(store(docker, registry.host() + "/" + e.getKey() + sep + ref));
                        }
                        listings.add(new Listing(null, refs, null, context, true));
                    }
                }
                for (Map.Entry<String, Pattern> e : registry.tagPatterns().entrySet()) {
                    ImageStore repo = store(docker, registry.host() + "/" + e.getKey());
                    listings.add(new Listing(repo, null, e.getValue(), context, true));
                }
            }
        } else {
            String text = request.source();
            int colon = text.indexOf(':');
            Transport transport = colon > 0
                    ? transports
                            .find(transports.aliases().getOrDefault(text.substring(0, colon), text.substring(0, colon)))
                            .map(TransportRegistry.Entry::transport)
                            .orElse(null)
                    : null;
            if (transport instanceof RepositoryCatalog catalog && catalog.isCatalog(text.substring(colon + 1))) {
                for (ImageStore repo : catalog.repositories(text.substring(colon + 1), request.sourceContext())) {
                    if (request.repositories() == null
                            || request.repositories().matcher(repoPath(repo)).find()) {
                        listings.add(new Listing(repo, null, null, request.sourceContext(), true));
                    }
                }
            } else {
                ImageReference ref = transports.parse(text);
                if (!(ref instanceof ImageStore store)) {
                    throw new OperationNotSupportedException(
                            ref.transport().name(), "list the images of a store (sync)");
                }
                boolean registry = ref.transport() instanceof RepositoryCatalog;
                boolean all = registry ? !tagged(text) : store.refName() == null;
                listings.add(new Listing(
                        all ? store : null, all ? null : List.of(store), null, request.sourceContext(), registry));
            }
        }
        List<SyncEngine.Image> images = new ArrayList<>();
        for (Listing listing : list(listings)) {
            addAll(images, listing.refs(), listing.context(), listing.registry(), request, destination);
        }
        return images;
    }

    /**
     * What to list: a store (its refs, those {@code pattern} finds when given), or the refs already known; in the
     * context of its registry.
     */
    private record Listing(
            ImageStore store, List<ImageStore> refs, Pattern pattern, OpenContext context, boolean registry) {}

    /** The listings with their refs, listed a few at once (a registry answers each in a round trip). */
    private static List<Listing> list(List<Listing> listings) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(LISTING_THREADS, r -> {
            Thread t = new Thread(r, "ferry-list");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Listing>> futures = new ArrayList<>();
            for (Listing l : listings) {
                futures.add(pool.submit(() -> {
                    if (l.store() == null) {
                        return l;
                    }
                    List<ImageStore> refs = new ArrayList<>();
                    for (ImageStore ref : l.store().list(l.context())) {
                        if (l.pattern() == null
                                || l.pattern().matcher(ref.refName()).find()) {
                            refs.add(ref);
                        }
                    }
                    return new Listing(null, refs, null, l.context(), l.registry());
                }));
            }
            List<Listing> done = new ArrayList<>();
            for (Future<Listing> f : futures) {
                done.add(Futures.await(f, "listing"));
            }
            return done;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Whether a registry reference names a tag or digest (then that image alone is synced, as skopeo does). */
    private static boolean tagged(String text) {
        int slash = text.lastIndexOf('/');
        String last = text.substring(slash + 1);
        return last.indexOf(':') >= 0 || last.indexOf('@') >= 0;
    }

    /** Runs a plan. */
    public List<SyncEngine.Result> run(
            List<SyncEngine.Image> images, SyncEngine.Options options, SyncEngine.Listener listener)
            throws IOException {
        if (!options.dryRun()) {
            for (SyncEngine.Image image : images) {
                Path folder = folders.get(image.destination());
                if (folder != null) {
                    Files.createDirectories(folder);
                }
            }
        }
        return engine.sync(images, options, listener);
    }

    private Transport catalogTransport() throws FerryException {
        for (TransportRegistry.Entry e : transports.entries()) {
            if (e.transport() instanceof RepositoryCatalog) {
                return e.transport();
            }
        }
        throw new FerryException("no registry transport is installed", "a sync file needs the docker transport");
    }

    private static ImageStore store(Transport transport, String name) throws IOException {
        ImageReference ref = transport.parse("//" + name);
        if (!(ref instanceof ImageStore store)) {
            throw new OperationNotSupportedException(transport.name(), "list tags");
        }
        return store;
    }

    private void addAll(
            List<SyncEngine.Image> images,
            List<ImageStore> refs,
            OpenContext sourceContext,
            boolean registry,
            Request request,
            Destination destination)
            throws IOException {
        for (ImageStore ref : refs) {
            if (ref.refName() == null) {
                continue;
            }
            Named named = registry ? registryName(ref) : layoutName(ref);
            if (request.tags() != null && !request.tags().matcher(named.tag()).find()) {
                continue;
            }
            images.add(new SyncEngine.Image(
                    ref, sourceContext, destination.reference(named, request), destination.context()));
        }
    }

    /** A source image's repository (host and path) and tag (or digest, {@code sha256:...}). */
    private record Named(String host, String path, String tag) {
        String name(Naming naming) {
            return switch (naming) {
                case LAST_COMPONENT -> path.substring(path.lastIndexOf('/') + 1);
                case SCOPED -> host == null ? path : host + "/" + path;
                case KEEP_PATH -> path;
            };
        }
    }

    /** {@code HOST/PATH} of a registry store. */
    private static String repoPath(ImageStore ref) {
        String name = ref.storeName();
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }

    private static Named registryName(ImageStore ref) {
        String name = ref.storeName();
        int slash = name.indexOf('/');
        return new Named(name.substring(0, slash), name.substring(slash + 1), ref.refName());
    }

    /** A layout's ref {@code NAME:TAG} names its repository; a plain {@code TAG} is the layout folder's own. */
    private static Named layoutName(ImageStore ref) {
        String r = ref.refName();
        int colon = r.lastIndexOf(':');
        if (colon > 0 && colon > r.lastIndexOf('/')) {
            return new Named(null, r.substring(0, colon), r.substring(colon + 1));
        }
        String folder = ref.storeName().replaceAll("/+$", "");
        folder = folder.substring(folder.lastIndexOf('/') + 1);
        int dot = folder.indexOf('.');
        if (dot > 0) {
            folder = folder.substring(0, dot); // app.tar -> app
        }
        folder = folder.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._/-]", "-");
        return new Named(null, folder, r);
    }

    /** Where images land. */
    private final class Destination {
        private final String transport;
        private final String location;
        private final boolean registry;
        private final OpenContext context;

        Destination(String transport, String location, boolean registry, OpenContext context) {
            this.transport = transport;
            this.location = location;
            this.registry = registry;
            this.context = context;
        }

        OpenContext context() {
            return context;
        }

        ImageReference reference(Named named, Request request) throws InvalidReferenceException {
            String name = named.name(request.naming());
            boolean digest = Digest.tryParse(named.tag()).isPresent();
            if (registry) {
                String base = location.replaceAll("/+$", "");
                return transports.parse(transport, base + "/" + name + (digest ? "@" : ":") + named.tag(), null);
            }
            String tag = digest ? Digest.tryParse(named.tag()).get().shortHex() : named.tag();
            ImageReference ref;
            Path folder;
            if (request.oneLayout()) {
                ref = transports.parse(transport, location + ":" + name + ":" + tag, null);
                folder = Path.of(location).toAbsolutePath().getParent();
            } else {
                String path = location.replaceAll("/+$", "") + "/" + name;
                ref = transports.parse(transport, path + ":" + tag, null);
                folder = Path.of(path).toAbsolutePath().getParent();
            }
            if (folder != null) {
                folders.put(ref, folder);
            }
            return ref;
        }
    }

    private Destination destination(Request request) throws IOException {
        String text = request.destination();
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new InvalidReferenceException(
                    text, "it has no transport prefix", "write docker://HOST[/PREFIX] or oci:FOLDER");
        }
        String name = transports.aliases().getOrDefault(text.substring(0, colon), text.substring(0, colon));
        Transport transport = transports
                .find(name)
                .map(TransportRegistry.Entry::transport)
                .orElseThrow(() -> new InvalidReferenceException(text, "unknown transport " + name, null));
        String rest = text.substring(colon + 1);
        boolean registry = transport instanceof RepositoryCatalog;
        if (registry && !rest.startsWith("//")) {
            throw new InvalidReferenceException(
                    text, "a registry destination starts with //", "docker://HOST[/PREFIX]");
        }
        if (!registry && rest.indexOf(':') >= 0) {
            throw new InvalidReferenceException(
                    text, "a sync destination names a folder, not an image", "write " + name + ":FOLDER");
        }
        if (!transport.capabilities().write()) {
            throw new OperationNotSupportedException(name, "write images");
        }
        return new Destination(name, rest, registry, request.destinationContext());
    }

    /** Keeps the listed order but drops an image listed twice (same source and destination). */
    static List<SyncEngine.Image> distinct(List<SyncEngine.Image> images) {
        Map<String, SyncEngine.Image> seen = new LinkedHashMap<>();
        for (SyncEngine.Image i : images) {
            seen.putIfAbsent(i.source().displayName() + "\n" + i.destination().displayName(), i);
        }
        return new ArrayList<>(seen.values());
    }
}
