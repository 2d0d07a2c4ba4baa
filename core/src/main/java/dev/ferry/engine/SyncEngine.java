package dev.ferry.engine;

import static java.util.Objects.requireNonNull;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageIndex;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.Manifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.OperationNotSupportedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Copies many images: a number of images at once ({@link Options#parallelImages()}), their blobs on one pool of
 * {@link CopyOptions#jobs()} transfers shared by all of them. Incremental: each image's manifest digest at the
 * source and at the destination are compared first ({@link ImageStore#manifestDigest}: one {@code HEAD} each for a
 * registry), and an image already there costs nothing more. A blob several images need is moved once per
 * destination store: the sinks skip what their store has, mount within a registry, and never upload one blob into
 * one repository twice at once. One image failing does not stop the others (unless {@link Options#keepGoing()} is
 * false); the results say which failed.
 */
public final class SyncEngine {
    /** One image to mirror: where from (with the settings to read it), where to (with the settings to write it). */
    public record Image(
            ImageReference source,
            OpenContext sourceContext,
            ImageReference destination,
            OpenContext destinationContext) {
        public Image {
            requireNonNull(source, "source is null");
            requireNonNull(sourceContext, "sourceContext is null");
            requireNonNull(destination, "destination is null");
            requireNonNull(destinationContext, "destinationContext is null");
        }
    }

    /**
     * How to sync.
     *
     * @param copy how each image is copied (platform or all, format, jobs: the blob pool shared by every image);
     *     its context is replaced by each image's
     * @param parallelImages images in flight at once
     * @param keepGoing false to stop at the first failure (images in flight finish)
     * @param dryRun only decide what to copy and skip: nothing is written
     */
    public record Options(CopyOptions copy, int parallelImages, boolean keepGoing, boolean dryRun) {
        public static final int DEFAULT_PARALLEL_IMAGES = 4;

        public Options {
            requireNonNull(copy, "copy is null");
            if (parallelImages < 1) {
                throw new IllegalArgumentException("parallelImages must be at least 1, got " + parallelImages);
            }
        }
    }

    /** What happened to one image. */
    public enum Status {
        /** Copied (or, in a dry run, to be copied). */
        COPIED,
        /** Already at the destination with the same manifest digest. */
        UNCHANGED,
        /** Failed: see {@link Result#failure()}. */
        FAILED,
        /** Not tried: an earlier failure stopped the sync. */
        NOT_TRIED
    }

    /**
     * One image's outcome.
     *
     * @param digest the destination's manifest digest (the source's, in a dry run), null if unknown
     * @param plannedBytes in a dry run, the bytes of the blobs its manifest names that no earlier image of this sync
     *     moves to the same destination store (an upper bound: blobs the destination has are not looked up)
     */
    public record Result(
            Image image,
            Status status,
            Digest digest,
            int blobsCopied,
            int blobsSkipped,
            long bytesCopied,
            long plannedBytes,
            long nanos,
            Exception failure) {}

    /** Follows a sync. Called from several threads. */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** The blobs of all images, as for one copy. */
        default CopyListener blobs() {
            return CopyListener.NONE;
        }

        /** An image is finished (copied, unchanged or failed). */
        default void imageDone(Result result) {}

        /**
         * Whether this listener wants {@link #imagePlanned}: each image to copy then costs a read of its manifests
         * before the copy (one request each for a registry), so only a display that shows the plan asks.
         */
        default boolean wantsPlan() {
            return false;
        }

        /**
         * An image is about to be copied: {@code bytes} of blobs its manifests name that no image of this sync
         * counted before for the same destination (what a dry run reports), from several threads.
         */
        default void imagePlanned(Image image, long bytes) {}
    }

    /**
     * The {@link OpenContext} option a sync sets to one value for all its images (the transports' contexts): a
     * transport may share connections, credentials and tokens between the opens of one session (the registry does).
     */
    public static final String SESSION = "session";

    private final CopyEngine engine;

    public SyncEngine(CopyEngine engine) {
        this.engine = requireNonNull(engine, "engine is null");
    }

    /**
     * Syncs {@code images}, in order as far as parallelism allows. Never throws for one image's failure: its result
     * says so.
     *
     * <p>Two stages, overlapping: each image is checked first ({@value #CHECKS} at once, or
     * {@link Options#parallelImages()} if more: a manifest digest on each side, a request each for a registry), and
     * only those to copy go on to the copies ({@link Options#parallelImages()} at once). A destination store that
     * several images go to is listed once first: an image whose ref it lacks is known to be missing without asking
     * (a new mirror costs no request per image to find that out). Per destination store, the first image to copy goes
     * alone and the others follow once it is in: what they share with it (a repository's tags share most layers) is
     * then there, and skipped without asking the store again.
     */
    public List<Result> sync(List<Image> original, Options options, Listener listener) throws IOException {
        // one session: transports may share connections and credentials between the images of this sync
        String session = UUID.randomUUID().toString();
        List<Image> images = new ArrayList<>(original.size());
        for (Image i : original) {
            images.add(new Image(
                    i.source(),
                    withSession(i.sourceContext(), session),
                    i.destination(),
                    withSession(i.destinationContext(), session)));
        }
        Run run = new Run(images, options, listener);
        Map<String, Store> stores = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            Store store = stores.computeIfAbsent(storeKey(images.get(i).destination()), k -> new Store());
            store.images.add(i);
            run.storeOf[i] = store;
        }
        try {
            for (Store store : stores.values()) {
                run.checks.execute(() -> {
                    try {
                        if (store.images.size() > 1 && !run.stop.get()) {
                            Image first = images.get(store.images.get(0));
                            store.refs = listRefs(first.destination(), first.destinationContext());
                        }
                    } finally {
                        for (int i : store.images) {
                            run.checks.execute(() -> run.check(i));
                        }
                    }
                });
            }
            run.finished.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while syncing");
        } finally {
            run.checks.shutdownNow();
            run.copies.shutdownNow();
        }
        return List.of(run.results);
    }

    /** Images checked at once (at least): each check is a request or two, no bytes. */
    static final int CHECKS = 16;

    /** The images going to one destination store. */
    private static final class Store {
        final List<Integer> images = new ArrayList<>();
        /** The refs the store held before the sync, or null when not listed (then each image's digest is asked). */
        volatile Set<String> refs;
        /** What the store is known to hold: blobs of the images this sync committed there. */
        final StoreBlobs blobs = new StoreBlobs();

        private int leader = -1;
        private boolean leaderDone;
        private final List<Integer> waiting = new ArrayList<>();

        /** Whether image {@code i} may start copying now: the first to ask, and any after the first is done. */
        synchronized boolean admit(int i) {
            if (leader < 0) {
                leader = i;
                return true;
            }
            if (leaderDone) {
                return true;
            }
            waiting.add(i);
            return false;
        }

        /** After image {@code i} is done: the images that waited for it, if it went first; else none. */
        synchronized List<Integer> done(int i) {
            if (i != leader || leaderDone) {
                return List.of();
            }
            leaderDone = true;
            List<Integer> released = new ArrayList<>(waiting);
            waiting.clear();
            return released;
        }
    }

    /** The refs a destination store holds, or null when it cannot tell (then each image is asked for). */
    private static Set<String> listRefs(ImageReference destination, OpenContext context) {
        if (!(destination instanceof ImageStore store)) {
            return null;
        }
        try {
            Set<String> refs = new HashSet<>();
            for (ImageStore ref : store.list(context)) {
                if (ref.refName() != null) {
                    refs.add(ref.refName());
                }
            }
            return refs;
        } catch (ImageNotFoundException e) {
            return Set.of(); // no such store yet: nothing there
        } catch (IOException | RuntimeException e) {
            return null; // not allowed to list, say: ask for each image
        }
    }

    /** One sync's state: its pools, what is decided, and what is finished. */
    private final class Run {
        final List<Image> images;
        final Options options;
        final Listener listener;
        final Store[] storeOf;
        final Result[] results;
        /** Per image: the source's digest when its check read it, and when its check began. */
        final Digest[] here;

        final long[] started;
        final CountDownLatch finished;
        final Semaphore pool;
        final AtomicBoolean stop = new AtomicBoolean();
        final Set<String> planned = ConcurrentHashMap.newKeySet();
        final ExecutorService checks;
        final ExecutorService copies;

        Run(List<Image> images, Options options, Listener listener) {
            this.images = images;
            this.options = options;
            this.listener = listener;
            this.storeOf = new Store[images.size()];
            this.results = new Result[images.size()];
            this.here = new Digest[images.size()];
            this.started = new long[images.size()];
            this.finished = new CountDownLatch(images.size());
            this.pool = new Semaphore(options.copy().jobs());
            int n = Math.max(1, images.size());
            this.checks = daemons(Math.min(Math.max(CHECKS, options.parallelImages()), n), "ferry-sync-check");
            this.copies = daemons(Math.min(options.parallelImages(), n), "ferry-sync");
        }

        /** Decides whether image {@code i} is to copy; finishes it if not, else hands it to the copies. */
        void check(int i) {
            Image image = images.get(i);
            long start = System.nanoTime();
            Result r;
            if (stop.get()) {
                finish(i, new Result(image, Status.NOT_TRIED, null, 0, 0, 0, 0, 0, null));
                return;
            }
            try {
                r = SyncEngine.check(image, options, storeOf[i].refs, start);
            } catch (IOException | RuntimeException | Error e) {
                if (e instanceof InterruptedIOException) {
                    Thread.currentThread().interrupt();
                }
                r = failed(image, e, start);
            }
            if (r.status() != Status.COPIED) {
                finish(i, r);
                return;
            }
            here[i] = r.digest();
            started[i] = start;
            if (storeOf[i].admit(i)) {
                copies.execute(() -> copy(i));
            }
        }

        /** Copies image {@code i} (or plans it, in a dry run); then lets the images that waited for it go. */
        void copy(int i) {
            Image image = images.get(i);
            long start = started[i];
            try {
                if (stop.get()) {
                    finish(i, new Result(image, Status.NOT_TRIED, null, 0, 0, 0, 0, 0, null));
                    return;
                }
                Result r;
                try {
                    r = one(image, here[i], options, pool, planned, listener, storeOf[i].blobs, start);
                } catch (RuntimeException | Error e) {
                    r = failed(image, e, start);
                }
                finish(i, r);
            } finally {
                for (int j : storeOf[i].done(i)) {
                    copies.execute(() -> copy(j));
                }
            }
        }

        private void finish(int i, Result r) {
            try {
                results[i] = r;
                if (r.status() == Status.FAILED && !options.keepGoing()) {
                    stop.set(true);
                }
                if (r.status() != Status.NOT_TRIED) {
                    listener.imageDone(r);
                }
            } catch (RuntimeException | Error e) {
                // a listener's failure does not stop the sync
            } finally {
                finished.countDown();
            }
        }
    }

    private static Result failed(Image image, Throwable e, long start) {
        return new Result(
                image,
                Status.FAILED,
                null,
                0,
                0,
                0,
                0,
                System.nanoTime() - start,
                e instanceof Exception x ? x : new RuntimeException(e));
    }

    private static ExecutorService daemons(int threads, String name) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** {@code context} in a session: its own if it has one (the planning's), else {@code session}. */
    private static OpenContext withSession(OpenContext context, String session) {
        return context.option(SESSION).isPresent() ? context : context.withOption(SESSION, session);
    }

    /** What images share a destination store by: the store's name, else the reference's. */
    private static String storeKey(ImageReference destination) {
        return destination instanceof ImageStore store
                ? destination.transport().name() + ":" + store.storeName()
                : destination.displayName();
    }

    /**
     * Whether an image is to copy: {@link Status#UNCHANGED} when the destination has the source's manifest digest
     * (or, for one platform of an index, the chosen image's), else {@link Status#COPIED} with the source's digest
     * when it was read. {@code refs}: what the destination store held when listed (null: not listed); a ref it lacks
     * is missing, unless the ref is a digest (a registry lists tags only).
     */
    private static Result check(Image image, Options options, Set<String> refs, long start) throws IOException {
        if (!image.destination().transport().capabilities().write()) {
            throw new OperationNotSupportedException(
                    image.destination().transport().name(), "write images");
        }
        String name = image.destination() instanceof ImageStore store ? store.refName() : null;
        boolean missing = refs != null && name != null && Digest.tryParse(name).isEmpty() && !refs.contains(name);
        Optional<Digest> there = missing ? Optional.empty() : digest(image.destination(), image.destinationContext());
        // nothing there: the source's digest is not needed (the copy reads its manifest anyway)
        Optional<Digest> here = there.isPresent() ? digest(image.source(), image.sourceContext()) : Optional.empty();
        if (there.isPresent() && here.isPresent()) {
            if (there.equals(here) || there.get().equals(wantedDigest(image, options.copy()))) {
                return new Result(image, Status.UNCHANGED, there.get(), 0, 0, 0, 0, System.nanoTime() - start, null);
            }
        }
        return new Result(image, Status.COPIED, here.orElse(null), 0, 0, 0, 0, 0, null);
    }

    private Result one(
            Image image,
            Digest here,
            Options options,
            Semaphore pool,
            Set<String> planned,
            Listener listener,
            StoreBlobs known,
            long start) {
        try {
            CopyOptions copy = options.copy();
            if (options.dryRun()) {
                long bytes = plannedBytes(image, copy, planned);
                return new Result(image, Status.COPIED, here, 0, 0, 0, bytes, System.nanoTime() - start, null);
            }
            if (listener.wantsPlan()) {
                try {
                    listener.imagePlanned(image, plannedBytes(image, copy, planned));
                } catch (IOException | RuntimeException e) {
                    // the copy reads the same manifests, and reports what fails
                }
            }
            CopyOptions imageOptions =
                    copy.withSourceContext(image.sourceContext()).withDestinationContext(image.destinationContext());
            CopyResult r = engine.copy(
                    ctx -> image.source().openSource(image.sourceContext().withDefaultTmpDir(ctx.tmpDir())),
                    image.destination(),
                    imageOptions,
                    listener.blobs(),
                    new BlobScheduler(copy.jobs(), pool),
                    known);
            return new Result(
                    image,
                    Status.COPIED,
                    r.manifestDigest(),
                    r.blobsCopied(),
                    r.blobsSkipped(),
                    r.bytesCopied(),
                    0,
                    System.nanoTime() - start,
                    null);
        } catch (IOException | RuntimeException e) {
            if (e instanceof InterruptedIOException) {
                Thread.currentThread().interrupt();
            }
            return new Result(image, Status.FAILED, null, 0, 0, 0, 0, System.nanoTime() - start, e);
        }
    }

    /** The manifest digest at {@code ref}: by the store's cheap way when it has one, else by opening the image. */
    private static Optional<Digest> digest(ImageReference ref, OpenContext context) throws IOException {
        if (ref instanceof ImageStore store) {
            return store.manifestDigest(context);
        }
        return Optional.empty();
    }

    /**
     * The digest the copy would store when the source is an index and one platform is copied: the chosen image's
     * (copied unconverted). Null when the source is not an index or the whole index is copied.
     */
    private static Digest wantedDigest(Image image, CopyOptions copy) throws IOException {
        if (copy.allPlatforms()) {
            return null;
        }
        try (ImageSource source = image.source().openSource(image.sourceContext())) {
            ManifestBytes top = source.manifest();
            if (!top.isIndex()) {
                return null;
            }
            Manifest parsed = ImageCopy.parse(top, image.source());
            if (!(parsed instanceof ImageIndex index)) {
                return null;
            }
            return PlatformSelector.select(
                            index, copy.platform(), image.source().displayName())
                    .digest();
        }
    }

    /** The bytes of the blobs an image names that no earlier image of this dry run counted for its destination. */
    private static long plannedBytes(Image image, CopyOptions copy, Set<String> planned) throws IOException {
        String store = image.destination() instanceof ImageStore s
                ? image.destination().transport().name() + ":" + s.storeName()
                : image.destination().displayName();
        long bytes = 0;
        try (ImageSource source = image.source().openSource(image.sourceContext())) {
            List<ManifestBytes> images = new ArrayList<>();
            ManifestBytes top = source.manifest();
            if (top.isIndex() && ImageCopy.parse(top, image.source()) instanceof ImageIndex index) {
                if (copy.allPlatforms()) {
                    for (Descriptor d : index.manifests()) {
                        images.add(source.manifest(d.digest()));
                    }
                } else {
                    images.add(source.manifest(PlatformSelector.select(
                                    index, copy.platform(), image.source().displayName())
                            .digest()));
                }
            } else {
                images.add(top);
            }
            Set<Digest> seen = new HashSet<>();
            for (ManifestBytes m : images) {
                if (ImageCopy.parse(m, image.source()) instanceof ImageManifest manifest) {
                    for (Descriptor blob : manifest.blobs()) {
                        if (seen.add(blob.digest()) && planned.add(store + "@" + blob.digest())) {
                            bytes += blob.size();
                        }
                    }
                }
            }
        }
        return bytes;
    }
}
