package dev.ferry.conformance.broken;

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
import dev.ferry.spi.LinkingSink;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.OperationNotSupportedException;
import dev.ferry.spi.Transport;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.AtomicFiles;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A small, correct transport for the kit to test itself on: {@code NAME:PATH:TAG}, a folder holding
 * {@code blobs/HEX} and {@code refs/TAG} (the manifest), written through a staging folder that {@code commit()}
 * renames into place. Each subclass in this package breaks one promise ({@link Bug}); the kit must fail it, naming
 * that promise. Every class has a public no-argument constructor, as the kit's child JVMs need.
 */
public class StoreTransport implements Transport {
    /** The one promise a subclass breaks. */
    public enum Bug {
        NONE,
        /** putManifest writes the reference at once. */
        VISIBLE_BEFORE_COMMIT,
        /** close() without commit publishes what was put. */
        PUBLISH_ON_CLOSE,
        /** close() without commit leaves its staging folder. */
        LEAVE_STAGING,
        /** A source serves the first image of the store, whatever the tag. */
        IGNORE_TAG,
        /** Declares multiImage but drops child manifests. */
        FALSE_MULTI_IMAGE,
        /** Implements LinkingSink, says it linked, stores nothing. */
        FALSE_LINKING,
        /** Accepts anything but the empty string. */
        PARSE_ANYTHING,
        /** putBlob reads the whole blob into memory. */
        BUFFER_SINK,
        /** blob() reads the whole blob into memory. */
        BUFFER_SOURCE,
        /** putBlob never checks the digest. */
        NO_VERIFY,
        /** Declares read-only, then writes anyway. */
        FALSE_READ_ONLY,
        /** commit() removes the store's other references. */
        CLOBBER_OTHERS,
        /** commit() writes the reference in place, half of it, then the rest after a pause. */
        NOT_ATOMIC,
        /** close() without commit leaves a spool file in the context's temporary folder. */
        LEAVE_TMP
    }

    private static final Pattern TAG = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    private final String name;
    final Bug bug;

    public StoreTransport() {
        this("store", Bug.NONE);
    }

    protected StoreTransport(String name, Bug bug) {
        this.name = name;
        this.bug = bug;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Capabilities capabilities() {
        if (bug == Bug.FALSE_READ_ONLY) {
            return Capabilities.READ_ONLY;
        }
        return bug == Bug.FALSE_MULTI_IMAGE ? Capabilities.READ_WRITE_MULTI_IMAGE : Capabilities.READ_WRITE;
    }

    @Override
    public ImageReference parse(String reference) throws InvalidReferenceException {
        if (reference.isEmpty()) {
            throw new InvalidReferenceException(name + ":", "empty", "write " + name + ":PATH:TAG");
        }
        int colon = reference.lastIndexOf(':');
        if (bug == Bug.PARSE_ANYTHING) {
            return colon < 0
                    ? new Ref(this, reference, "latest")
                    : new Ref(this, reference.substring(0, colon), reference.substring(colon + 1));
        }
        if (colon <= 0 || !TAG.matcher(reference.substring(colon + 1)).matches()) {
            throw new InvalidReferenceException(name + ":" + reference, "no valid :TAG", "write " + name + ":PATH:TAG");
        }
        String path = reference.substring(0, colon);
        if (path.isBlank() || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidReferenceException(name + ":" + reference, "bad path", "write " + name + ":PATH:TAG");
        }
        return new Ref(this, path, reference.substring(colon + 1));
    }

    /** A reference: a store folder and a tag. */
    public record Ref(StoreTransport transport, String path, String tag) implements ImageReference {
        @Override
        public String stringWithinTransport() {
            return path + ":" + tag;
        }

        Path dir() {
            return Path.of(path);
        }

        Path refFile() {
            return dir().resolve("refs").resolve(tag);
        }

        @Override
        public ImageSource openSource(OpenContext context) throws IOException {
            Path file = refFile();
            if (transport.bug == Bug.IGNORE_TAG && Files.isDirectory(dir().resolve("refs"))) {
                try (Stream<Path> refs = Files.list(dir().resolve("refs"))) {
                    file = refs.sorted().findFirst().orElse(file);
                }
            }
            if (!Files.isRegularFile(file)) {
                throw new ImageNotFoundException(displayName(), "no such tag", "write it first");
            }
            return new Source(this, ManifestBytes.of(Files.readAllBytes(file), null));
        }

        @Override
        public ImageSink openSink(OpenContext context) throws IOException {
            boolean created = !Files.exists(dir());
            Files.createDirectories(dir());
            Path staging = Files.createDirectory(dir().resolve(".staging-" + UUID.randomUUID()));
            return new Sink(this, staging, context.tmpDir(), created);
        }
    }

    record Source(Ref ref, ManifestBytes top) implements ImageSource {
        @Override
        public ImageReference reference() {
            return ref;
        }

        @Override
        public ManifestBytes manifest() {
            return top;
        }

        @Override
        public ManifestBytes manifest(Digest digest) throws IOException {
            Path file = ref.dir().resolve("blobs").resolve(digest.hex());
            if (!Files.isRegularFile(file)) {
                throw new BlobNotFoundException(digest, ref.displayName());
            }
            return ManifestBytes.of(Files.readAllBytes(file), null);
        }

        @Override
        public BlobStream blob(Descriptor descriptor) throws IOException {
            Path file = ref.dir().resolve("blobs").resolve(descriptor.digest().hex());
            if (!Files.isRegularFile(file)) {
                throw new BlobNotFoundException(descriptor.digest(), ref.displayName());
            }
            if (ref.transport.bug == Bug.BUFFER_SOURCE) {
                return new BlobStream(new ByteArrayInputStream(Files.readAllBytes(file)), Files.size(file));
            }
            return new BlobStream(Files.newInputStream(file), Files.size(file), file);
        }

        @Override
        public void close() {}
    }

    static final class Sink implements ImageSink, LinkingSink {
        private final Ref ref;
        private final Path staging;
        private final Path tmp;
        private final Map<Digest, Path> staged = new ConcurrentHashMap<>();
        private ManifestBytes manifest;
        private boolean committed;
        private boolean closed;

        private final boolean created;

        Sink(Ref ref, Path staging, Path tmp, boolean created) {
            this.ref = ref;
            this.staging = staging;
            this.tmp = tmp;
            this.created = created;
        }

        private Bug bug() {
            return ref.transport.bug;
        }

        @Override
        public ImageReference reference() {
            return ref;
        }

        @Override
        public List<String> supportedManifestTypes() {
            return bug() == Bug.FALSE_MULTI_IMAGE
                    ? List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST, MediaTypes.OCI_INDEX)
                    : List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);
        }

        @Override
        public boolean hasBlob(Descriptor d) throws IOException {
            Path file = ref.dir().resolve("blobs").resolve(d.digest().hex());
            return staged.containsKey(d.digest()) || (Files.isRegularFile(file) && Files.size(file) == d.size());
        }

        @Override
        public void putBlob(Descriptor d, InputStream in) throws IOException {
            Path file = staging.resolve(d.digest().hex() + "." + UUID.randomUUID());
            try {
                if (bug() == Bug.BUFFER_SINK) {
                    byte[] all = VerifyingInputStream.verify(in, d).readAllBytes();
                    Files.write(file, all);
                } else if (bug() == Bug.LEAVE_TMP) {
                    Path spool = Files.createTempFile(tmp, "spool-", ".tmp");
                    try (OutputStream out = Files.newOutputStream(spool)) {
                        VerifyingInputStream.verify(in, d).transferTo(out);
                    }
                    Files.copy(spool, file);
                } else {
                    try (OutputStream out = Files.newOutputStream(file)) {
                        (bug() == Bug.NO_VERIFY ? in : VerifyingInputStream.verify(in, d)).transferTo(out);
                    }
                }
                Path previous = staged.put(d.digest(), file);
                if (previous != null) {
                    Files.deleteIfExists(previous);
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(file);
                throw e;
            }
        }

        @Override
        public Path scratchDirectory() {
            return staging;
        }

        @Override
        public boolean canLink(Path file) throws IOException {
            return Files.getFileStore(file).equals(Files.getFileStore(staging));
        }

        @Override
        public boolean linkBlob(Descriptor d, Path file) throws IOException {
            if (bug() == Bug.FALSE_LINKING) {
                return true;
            }
            Path target = staging.resolve(d.digest().hex() + "." + UUID.randomUUID());
            try {
                Files.createLink(target, file);
            } catch (UnsupportedOperationException | IOException e) {
                return false;
            }
            staged.put(d.digest(), target);
            return true;
        }

        @Override
        public void putChildManifest(ManifestBytes m) throws IOException {
            if (bug() != Bug.FALSE_MULTI_IMAGE) {
                throw new OperationNotSupportedException(ref.transport.name(), "store an image index");
            }
            // the bug: dropped
        }

        @Override
        public void putManifest(ManifestBytes m) throws IOException {
            if (!supportedManifestTypes().contains(m.mediaType())) {
                throw new UnsupportedManifestException(ref.displayName(), m.mediaType(), supportedManifestTypes());
            }
            manifest = m;
            if (bug() == Bug.VISIBLE_BEFORE_COMMIT) {
                publish();
            }
        }

        @Override
        public void commit() throws IOException {
            if (manifest == null) {
                throw new IllegalStateException("commit before putManifest");
            }
            publish();
            committed = true;
        }

        private void publish() throws IOException {
            Files.createDirectories(ref.dir().resolve("blobs"));
            Files.createDirectories(ref.dir().resolve("refs"));
            if (bug() == Bug.NOT_ATOMIC) {
                publishInPlace();
                return;
            }
            for (Map.Entry<Digest, Path> e : staged.entrySet()) {
                Path target = ref.dir().resolve("blobs").resolve(e.getKey().hex());
                if (!Files.exists(target)) {
                    AtomicFiles.move(e.getValue(), target);
                }
            }
            if (bug() == Bug.CLOBBER_OTHERS) {
                try (Stream<Path> refs = Files.list(ref.dir().resolve("refs"))) {
                    for (Path p : refs.toList()) {
                        Files.delete(p);
                    }
                }
            }
            AtomicFiles.replace(ref.refFile(), manifest.bytes());
        }

        /** The NOT_ATOMIC bug: half the reference written in place at once, the rest after a pause, then the blobs. */
        private void publishInPlace() throws IOException {
            byte[] bytes = manifest.bytes();
            try (OutputStream out = Files.newOutputStream(ref.refFile())) {
                out.write(bytes, 0, bytes.length / 2);
                out.flush();
                try {
                    // in the kit's child JVMs only (64 MiB heaps), where the kit kills writers: in-process
                    // writes would only be slow
                    Thread.sleep(Runtime.getRuntime().maxMemory() <= 64L << 20 ? 30_000 : 0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
            }
            for (Map.Entry<Digest, Path> e : staged.entrySet()) {
                Path target = ref.dir().resolve("blobs").resolve(e.getKey().hex());
                if (!Files.exists(target)) {
                    AtomicFiles.move(e.getValue(), target);
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (!committed && bug() == Bug.PUBLISH_ON_CLOSE && manifest != null) {
                publish();
            }
            if (bug() == Bug.LEAVE_STAGING && !committed) {
                return;
            }
            try (Stream<Path> files = Files.list(staging)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(staging);
            if (created && !committed && !Files.exists(ref.refFile())) {
                try (Stream<Path> left = Files.list(ref.dir())) {
                    if (left.findAny().isEmpty()) {
                        Files.delete(ref.dir());
                    }
                }
            }
        }
    }
}
