package dev.ferry.sample.dir;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.AtomicFiles;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code dir:PATH}: containers/image's directory format, written as a third party would write a Ferry transport,
 * against the SPI only. A folder with {@code manifest.json}, {@code version}, and a file per blob named by the hex
 * of its digest.
 */
public final class DirTransport implements Transport {
    static final String VERSION = "Directory Transport Version: 1.1\n";
    static final List<String> TYPES = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);

    @Override
    public String name() {
        return "dir";
    }

    @Override
    public String syntax() {
        return "dir:PATH";
    }

    @Override
    public ImageReference parse(String reference) throws InvalidReferenceException {
        if (reference.isBlank()) {
            throw new InvalidReferenceException("dir:" + reference, "the path is empty", "write dir:PATH");
        }
        if (reference.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidReferenceException(
                    "dir:" + reference.replaceAll("\\p{Cntrl}", "?"),
                    "the path holds a control character",
                    "write dir:PATH");
        }
        return new Ref(this, reference);
    }

    record Ref(DirTransport transport, String path) implements ImageReference {
        @Override
        public String stringWithinTransport() {
            return path;
        }

        Path dir() {
            return Path.of(path).toAbsolutePath();
        }

        @Override
        public ImageSource openSource(OpenContext context) throws IOException {
            Path dir = dir();
            if (!Files.isRegularFile(dir.resolve("manifest.json"))) {
                throw new ImageNotFoundException(displayName(), dir + " has no manifest.json", "check the path");
            }
            ManifestBytes manifest;
            try {
                manifest = ManifestBytes.of(Files.readAllBytes(dir.resolve("manifest.json")), null);
            } catch (IllegalArgumentException e) {
                throw new CorruptImageException(dir + "/manifest.json is malformed: " + e.getMessage());
            }
            Ref self = this;
            return new ImageSource() {
                @Override
                public ImageReference reference() {
                    return self;
                }

                @Override
                public ManifestBytes manifest() {
                    return manifest;
                }

                @Override
                public ManifestBytes manifest(Digest digest) throws IOException {
                    throw new BlobNotFoundException(digest, displayName());
                }

                @Override
                public BlobStream blob(Descriptor descriptor) throws IOException {
                    Path file = dir.resolve(descriptor.digest().hex());
                    if (!Files.isRegularFile(file)) {
                        throw new BlobNotFoundException(descriptor.digest(), displayName());
                    }
                    return new BlobStream(Files.newInputStream(file), Files.size(file));
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public ImageSink openSink(OpenContext context) throws IOException {
            Path dir = dir();
            if (Files.exists(dir.resolve("manifest.json"))) {
                throw new FerryException(dir + " already holds an image", "name a new folder");
            }
            boolean created = !Files.exists(dir);
            Files.createDirectories(dir);
            return new Sink(this, dir, created);
        }
    }

    /** Blobs go in as they come (verified, temp file + rename); manifest.json last, at commit. */
    static final class Sink implements ImageSink {
        private final Ref ref;
        private final Path dir;
        private final boolean created;
        private final List<Path> written = new ArrayList<>();
        private ManifestBytes manifest;
        private boolean committed;

        Sink(Ref ref, Path dir, boolean created) {
            this.ref = ref;
            this.dir = dir;
            this.created = created;
        }

        @Override
        public ImageReference reference() {
            return ref;
        }

        @Override
        public List<String> supportedManifestTypes() {
            return TYPES;
        }

        @Override
        public boolean hasBlob(Descriptor descriptor) throws IOException {
            Path file = dir.resolve(descriptor.digest().hex());
            return Files.isRegularFile(file) && Files.size(file) == descriptor.size();
        }

        @Override
        public synchronized void putBlob(Descriptor descriptor, InputStream in) throws IOException {
            Path tmp = AtomicFiles.tempPath(dir, descriptor.digest().hex());
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    VerifyingInputStream.verify(in, descriptor).transferTo(out);
                }
                Path target = dir.resolve(descriptor.digest().hex());
                AtomicFiles.move(tmp, target);
                written.add(target);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }

        @Override
        public void putManifest(ManifestBytes m) throws IOException {
            if (!TYPES.contains(m.mediaType())) {
                throw new UnsupportedManifestException(ref.displayName(), m.mediaType(), TYPES);
            }
            manifest = m;
        }

        @Override
        public void commit() throws IOException {
            AtomicFiles.replace(dir.resolve("version"), VERSION.getBytes(StandardCharsets.UTF_8));
            AtomicFiles.replace(dir.resolve("manifest.json"), manifest.bytes());
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                for (Path p : written) {
                    Files.deleteIfExists(p);
                }
                if (created) {
                    Files.deleteIfExists(dir);
                }
            }
        }
    }
}
