package dev.ferry.testing;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.Capabilities;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory transport for tests: {@code memory:NAME}. Small images only. */
public final class MemoryTransport implements Transport {
    public final Map<String, ManifestBytes> images = new ConcurrentHashMap<>();
    public final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
    public final Map<Digest, ManifestBytes> manifests = new ConcurrentHashMap<>();
    private final List<String> supported;
    private final boolean multiImage;
    public final AtomicInteger putBlobCalls = new AtomicInteger();
    /** Run first by every putBlob of a sink (a test makes blobs fail, or wait for one another); null for none. */
    public volatile BlobHook onPutBlob;
    /** Run first by every blob read from a source (a test makes reads wait); null for none. */
    public volatile BlobHook onBlob;

    /**
     * When set, a source serves each blob from a file written there (as a layout does: {@link BlobStream#file()}
     * set), not from memory; null for memory.
     */
    public volatile Path blobFiles;
    /**
     * When true, a sink is one stream that cannot take back half a blob (as a docker archive): after a putBlob that
     * failed, every call fails.
     */
    public volatile boolean oneStream;
    /** The layer compressions a sink takes. */
    public volatile Set<MediaTypes.Compression> layerCompressions = EnumSet.allOf(MediaTypes.Compression.class);
    /** How many sinks were opened. */
    public final AtomicInteger sinksOpened = new AtomicInteger();

    /** What a sink does first with a blob. */
    public interface BlobHook {
        void accept(Descriptor blob) throws IOException;
    }

    public MemoryTransport() {
        this(
                List.of(
                        MediaTypes.OCI_MANIFEST,
                        MediaTypes.OCI_INDEX,
                        MediaTypes.DOCKER_MANIFEST,
                        MediaTypes.DOCKER_MANIFEST_LIST),
                true);
    }

    public MemoryTransport(List<String> supported, boolean multiImage) {
        this.supported = List.copyOf(supported);
        this.multiImage = multiImage;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.builder()
                .read(true)
                .write(true)
                .multiImage(multiImage)
                .build();
    }

    @Override
    public ImageReference parse(String reference) throws InvalidReferenceException {
        if (reference.isEmpty()) {
            throw new InvalidReferenceException("memory:", "empty name");
        }
        return new Ref(reference);
    }

    public ImageReference ref(String name) {
        return new Ref(name);
    }

    final class Ref implements ImageReference {
        private final String name;

        Ref(String name) {
            this.name = name;
        }

        @Override
        public Transport transport() {
            return MemoryTransport.this;
        }

        @Override
        public String stringWithinTransport() {
            return name;
        }

        @Override
        public ImageSource openSource(OpenContext context) throws IOException {
            ManifestBytes top = images.get(name);
            if (top == null) {
                throw new ImageNotFoundException(displayName(), "no such image", null);
            }
            return new ImageSource() {
                @Override
                public ImageReference reference() {
                    return Ref.this;
                }

                @Override
                public ManifestBytes manifest() {
                    return top;
                }

                @Override
                public ManifestBytes manifest(Digest digest) throws IOException {
                    ManifestBytes m = manifests.get(digest);
                    if (m == null) {
                        throw new BlobNotFoundException(digest, "memory");
                    }
                    return m;
                }

                @Override
                public BlobStream blob(Descriptor descriptor) throws IOException {
                    BlobHook hook = onBlob;
                    if (hook != null) {
                        hook.accept(descriptor);
                    }
                    byte[] bytes = blobs.get(descriptor.digest());
                    if (bytes == null) {
                        throw new BlobNotFoundException(descriptor.digest(), "memory");
                    }
                    Path dir = blobFiles;
                    if (dir != null) {
                        Path file = dir.resolve(descriptor.digest().hex());
                        if (!Files.exists(file)) {
                            Files.write(file, bytes);
                        }
                        return new BlobStream(Files.newInputStream(file), bytes.length, file);
                    }
                    return new BlobStream(new ByteArrayInputStream(bytes), bytes.length);
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public ImageSink openSink(OpenContext context) {
            Map<Digest, byte[]> pending = new ConcurrentHashMap<>();
            Map<Digest, ManifestBytes> pendingManifests = new ConcurrentHashMap<>();
            ManifestBytes[] top = new ManifestBytes[1];
            boolean[] broken = new boolean[1];
            sinksOpened.incrementAndGet();
            return new ImageSink() {
                @Override
                public ImageReference reference() {
                    return Ref.this;
                }

                @Override
                public List<String> supportedManifestTypes() {
                    return supported;
                }

                @Override
                public Set<MediaTypes.Compression> supportedLayerCompressions() {
                    return layerCompressions;
                }

                @Override
                public boolean hasBlob(Descriptor descriptor) {
                    return blobs.containsKey(descriptor.digest()) || pending.containsKey(descriptor.digest());
                }

                @Override
                public void putBlob(Descriptor descriptor, InputStream in) throws IOException {
                    putBlobCalls.incrementAndGet();
                    BlobHook hook = onPutBlob;
                    if (hook != null) {
                        hook.accept(descriptor);
                    }
                    checkWhole();
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    try {
                        VerifyingInputStream.verify(in, descriptor).transferTo(out);
                    } catch (IOException | RuntimeException e) {
                        broken[0] = oneStream;
                        throw e;
                    }
                    pending.put(descriptor.digest(), out.toByteArray());
                }

                private void checkWhole() throws IOException {
                    if (broken[0]) {
                        throw new IOException("an earlier blob failed: the stream cannot be completed");
                    }
                }

                @Override
                public void putChildManifest(ManifestBytes manifest) throws IOException {
                    check(manifest);
                    pendingManifests.put(manifest.digest(), manifest);
                }

                @Override
                public void putManifest(ManifestBytes manifest) throws IOException {
                    checkWhole();
                    check(manifest);
                    top[0] = manifest;
                }

                private void check(ManifestBytes manifest) throws UnsupportedManifestException {
                    if (!supported.contains(manifest.mediaType())) {
                        throw new UnsupportedManifestException(displayName(), manifest.mediaType(), supported);
                    }
                }

                @Override
                public void commit() {
                    blobs.putAll(pending);
                    manifests.putAll(pendingManifests);
                    manifests.put(top[0].digest(), top[0]);
                    images.put(name, top[0]);
                }

                @Override
                public void close() {}
            };
        }
    }
}
