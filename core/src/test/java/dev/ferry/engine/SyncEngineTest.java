package dev.ferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.Capabilities;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.testing.MemoryTransport;
import dev.ferry.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The sync engine's scheduling: what it asks the stores, and how much at once. (What lands where, against real
 * registries and skopeo: SyncIT.)
 */
class SyncEngineTest {
    private final CopyEngine copy = new CopyEngine();
    private final Stores source = new Stores();
    private final Stores destination = new Stores();

    /** {@code count} images {@code repo:tN} at the source, sharing their 3 layers (own configs). */
    private List<ManifestBytes> images(String repo, int count) {
        List<ManifestBytes> made = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            ManifestBytes m = TestImages.imageManifest(source.memory, 3, 1000, 42, "arch" + repo + t);
            source.memory.images.put(repo + ":t" + t, m);
            made.add(m);
        }
        return made;
    }

    private List<SyncEngine.Image> plan(String repo, int count) {
        List<SyncEngine.Image> plan = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            plan.add(new SyncEngine.Image(
                    source.ref(repo + ":t" + t),
                    OpenContext.defaults(),
                    destination.ref("m" + repo + ":t" + t),
                    OpenContext.defaults()));
        }
        return plan;
    }

    private static SyncEngine.Options options(int parallelImages) {
        return new SyncEngine.Options(CopyOptions.defaults(), parallelImages, true, false);
    }

    @Test
    void aNewMirrorIsListedOncePerStoreAndNoImageIsLookedUp() throws Exception {
        images("a", 5);
        images("b", 3);
        List<SyncEngine.Image> plan = new ArrayList<>(plan("a", 5));
        plan.addAll(plan("b", 3));
        List<SyncEngine.Result> results = new SyncEngine(copy).sync(plan, options(4), SyncEngine.Listener.NONE);
        results.forEach(r -> assertEquals(SyncEngine.Status.COPIED, r.status(), String.valueOf(r.failure())));
        assertEquals(Map.of("ma", 1, "mb", 1), counts(destination.lists));
        assertEquals(0, destination.lookups.get(), "no digest asked at a store that was listed without the ref");
        assertEquals(0, source.lookups.get(), "nothing there: the source's digest is not needed");

        // again: every image is there, each costs a lookup on each side and nothing else
        destination.lookups.set(0);
        int puts = destination.memory.putBlobCalls.get();
        for (SyncEngine.Result r : new SyncEngine(copy).sync(plan, options(4), SyncEngine.Listener.NONE)) {
            assertEquals(SyncEngine.Status.UNCHANGED, r.status(), String.valueOf(r.failure()));
        }
        assertEquals(8, destination.lookups.get());
        assertEquals(8, source.lookups.get());
        assertEquals(puts, destination.memory.putBlobCalls.get());
    }

    @Test
    void blobsOfAnImageCommittedEarlierAreNotAskedForAgainInTheSameStore() throws Exception {
        List<ManifestBytes> made = images("a", 6);
        List<Digest> layers = new ArrayList<>();
        for (Descriptor d : ((ImageManifest) made.get(0).parse()).layers()) {
            layers.add(d.digest());
        }
        List<SyncEngine.Result> results = new SyncEngine(copy).sync(plan("a", 6), options(3), SyncEngine.Listener.NONE);
        results.forEach(r -> assertEquals(SyncEngine.Status.COPIED, r.status(), String.valueOf(r.failure())));
        for (Digest layer : layers) {
            // asked by the first image only (the others follow it, and know it committed the layer)
            assertEquals(1, destination.hasBlob.get(layer).get(), "asked for shared layer " + layer);
        }
        assertEquals(3, destination.memory.putBlobCalls.get() - 6, "each shared layer stored once, plus 6 configs");
        for (int t = 0; t < 6; t++) {
            assertEquals(made.get(t), destination.memory.images.get("ma:t" + t));
        }
    }

    @Test
    void imagesAreCheckedManyAtOnceWhateverTheImagesInFlight() throws Exception {
        images("a", 8);
        // every image is there already; the lookups at the source only return once all 8 are asked at once
        new SyncEngine(copy).sync(plan("a", 8), options(4), SyncEngine.Listener.NONE);
        CountDownLatch all = new CountDownLatch(8);
        source.onLookup = () -> {
            all.countDown();
            if (!all.await(20, TimeUnit.SECONDS)) {
                throw new IOException("the 8 lookups were not made at once");
            }
        };
        for (SyncEngine.Result r : new SyncEngine(copy).sync(plan("a", 8), options(1), SyncEngine.Listener.NONE)) {
            assertEquals(SyncEngine.Status.UNCHANGED, r.status(), String.valueOf(r.failure()));
        }
    }

    @Test
    void anImagesBlobsAreLookedUpInParallel() throws Exception {
        ManifestBytes m = TestImages.image(source.memory, "a:t0", 4, 1000, 7);
        CountDownLatch all = new CountDownLatch(4);
        destination.onHasBlob = () -> {
            all.countDown();
            if (!all.await(20, TimeUnit.SECONDS)) {
                throw new IOException("the 4 layers were not looked up at once");
            }
        };
        // the lookups run on the copy's pool, not one after the other
        CopyResult r = copy.copy(
                source.ref("a:t0"),
                destination.ref("x:y"),
                CopyOptions.defaults().withJobs(4),
                CopyListener.NONE);
        assertEquals(m.digest(), r.manifestDigest());
        assertTrue(all.getCount() <= 0);
    }

    private static Map<String, Integer> counts(Map<String, AtomicInteger> map) {
        Map<String, Integer> out = new ConcurrentHashMap<>();
        map.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @FunctionalInterface
    interface Hook {
        void run() throws IOException, InterruptedException;
    }

    /**
     * Stores {@code NAME:REF} over a {@link MemoryTransport} (which holds the images by {@code NAME:REF}), counting
     * listings, digest lookups and blob lookups.
     */
    static final class Stores implements Transport {
        final MemoryTransport memory = new MemoryTransport();
        final Map<String, AtomicInteger> lists = new ConcurrentHashMap<>();
        final AtomicInteger lookups = new AtomicInteger();
        final Map<Digest, AtomicInteger> hasBlob = new ConcurrentHashMap<>();
        volatile Hook onLookup;
        volatile Hook onHasBlob;

        @Override
        public String name() {
            return "stores";
        }

        @Override
        public Capabilities capabilities() {
            return Capabilities.builder()
                    .read(true)
                    .write(true)
                    .multiImage(true)
                    .list(true)
                    .build();
        }

        @Override
        public ImageReference parse(String reference) {
            return ref(reference);
        }

        Ref ref(String name) {
            return new Ref(name);
        }

        private static void run(Hook hook) throws IOException {
            if (hook != null) {
                try {
                    hook.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }

        final class Ref implements ImageStore {
            private final String name;

            Ref(String name) {
                this.name = name;
            }

            @Override
            public Transport transport() {
                return Stores.this;
            }

            @Override
            public String stringWithinTransport() {
                return name;
            }

            @Override
            public String storeName() {
                return name.substring(0, name.indexOf(':'));
            }

            @Override
            public String refName() {
                return name.substring(name.indexOf(':') + 1);
            }

            @Override
            public List<ImageStore> list(OpenContext context) throws IOException {
                lists.computeIfAbsent(storeName(), k -> new AtomicInteger()).incrementAndGet();
                List<ImageStore> refs = new ArrayList<>();
                for (String key : memory.images.keySet()) {
                    if (key.startsWith(storeName() + ":")) {
                        refs.add(new Ref(key));
                    }
                }
                if (refs.isEmpty()) {
                    throw new ImageNotFoundException(displayName(), "no such store", null);
                }
                return refs;
            }

            @Override
            public Optional<Digest> manifestDigest(OpenContext context) throws IOException {
                lookups.incrementAndGet();
                run(onLookup);
                ManifestBytes m = memory.images.get(name);
                return m == null ? Optional.empty() : Optional.of(m.digest());
            }

            @Override
            public ImageSource openSource(OpenContext context) throws IOException {
                return memory.ref(name).openSource(context);
            }

            @Override
            public ImageSink openSink(OpenContext context) throws IOException {
                ImageSink sink = memory.ref(name).openSink(context);
                return new ImageSink() {
                    @Override
                    public ImageReference reference() {
                        return Ref.this;
                    }

                    @Override
                    public List<String> supportedManifestTypes() {
                        return sink.supportedManifestTypes();
                    }

                    @Override
                    public boolean hasBlob(Descriptor descriptor) throws IOException {
                        hasBlob.computeIfAbsent(descriptor.digest(), k -> new AtomicInteger())
                                .incrementAndGet();
                        run(onHasBlob);
                        return sink.hasBlob(descriptor);
                    }

                    @Override
                    public void putBlob(Descriptor descriptor, InputStream in) throws IOException {
                        sink.putBlob(descriptor, in);
                    }

                    @Override
                    public void putChildManifest(ManifestBytes manifest) throws IOException {
                        sink.putChildManifest(manifest);
                    }

                    @Override
                    public void putManifest(ManifestBytes manifest) throws IOException {
                        sink.putManifest(manifest);
                    }

                    @Override
                    public void commit() throws IOException {
                        sink.commit();
                    }

                    @Override
                    public void close() throws IOException {
                        sink.close();
                    }
                };
            }
        }
    }
}
