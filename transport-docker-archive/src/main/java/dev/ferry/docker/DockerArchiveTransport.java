package dev.ferry.docker;

import dev.ferry.spi.Capabilities;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.ImageStore;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.support.OutputFile;
import dev.ferry.spi.support.ShortPath;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code docker-archive:PATH[:NAME[:TAG]|:@INDEX]}: a {@code docker save} tar file, no daemon needed. Read: both
 * the legacy and the Docker 25 forms, gzip-compressed or not; NAME:TAG or @INDEX picks one of several images.
 * Written: the legacy form, tagged NAME:TAG if given, as a stream into a temporary file renamed over PATH at
 * commit. As with skopeo, an existing non-empty file is not modified.
 */
public final class DockerArchiveTransport implements Transport {
    @Override
    public String name() {
        return "docker-archive";
    }

    @Override
    public String syntax() {
        return "docker-archive:PATH[:NAME[:TAG]|:@INDEX]";
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.READ_WRITE.toBuilder().list(true).build();
    }

    @Override
    public ImageReference parse(String reference) throws InvalidReferenceException {
        String full = name() + ":" + reference;
        int colon = reference.indexOf(':');
        String path = colon < 0 ? reference : reference.substring(0, colon);
        String rest = colon < 0 ? null : reference.substring(colon + 1);
        if (path.isBlank()) {
            throw new InvalidReferenceException(full, "the path is empty", "write " + syntax());
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidReferenceException(full, "the path holds a control character", "write " + syntax());
        }
        DockerReference name = null;
        int index = -1;
        if (rest != null) {
            if (rest.startsWith("@")
                    && rest.length() > 1
                    && rest.substring(1).chars().allMatch(Character::isDigit)) {
                try {
                    index = Integer.parseInt(rest.substring(1));
                } catch (NumberFormatException e) {
                    throw new InvalidReferenceException(full, "image index " + rest + " is too large");
                }
            } else {
                try {
                    name = DockerReference.parse(rest);
                } catch (IllegalArgumentException e) {
                    throw new InvalidReferenceException(full, e.getMessage(), "write " + syntax());
                }
                if (name.id().isPresent()) {
                    throw new InvalidReferenceException(
                            full, "an archive's images are picked by NAME:TAG or @INDEX", "write " + syntax());
                }
            }
        }
        return new Reference(this, path, rest, name, index);
    }

    /** A parsed {@code docker-archive:} reference. */
    static final class Reference implements ImageStore {
        private final DockerArchiveTransport transport;
        private final String pathText;
        private final String rest;
        private final DockerReference name;
        private final int index;

        Reference(DockerArchiveTransport transport, String pathText, String rest, DockerReference name, int index) {
            this.transport = transport;
            this.pathText = pathText;
            this.rest = rest;
            this.name = name;
            this.index = index;
        }

        @Override
        public Transport transport() {
            return transport;
        }

        @Override
        public String stringWithinTransport() {
            return rest == null ? pathText : pathText + ":" + rest;
        }

        private Path path() {
            return Path.of(pathText).toAbsolutePath().normalize();
        }

        @Override
        public ImageSource openSource(OpenContext context) throws IOException {
            Path file = path();
            if (!Files.isRegularFile(file)) {
                throw new ImageNotFoundException(
                        displayName(),
                        file + (Files.isDirectory(file) ? " is a directory, not a tar file" : " does not exist"),
                        "check the path");
            }
            return DockerArchiveSource.open(this, DockerArchive.open(file, context.tmpDir()), name, index);
        }

        @Override
        public String refName() {
            return rest;
        }

        @Override
        public String storeName() {
            return pathText;
        }

        /** Each tag of each image (as {@code PATH:NAME:TAG}), and {@code PATH:@INDEX} for an image without one. */
        @Override
        public List<ImageStore> list(OpenContext context) throws IOException {
            Path file = path();
            if (!Files.isRegularFile(file)) {
                throw new ImageNotFoundException(displayName(), file + " does not exist", "check the path");
            }
            List<ImageStore> refs = new ArrayList<>();
            try (DockerArchive archive = DockerArchive.open(file, context.tmpDir())) {
                List<DockerArchive.Entry> images = archive.images();
                for (int i = 0; i < images.size(); i++) {
                    List<String> tags = images.get(i).repoTags();
                    if (tags == null || tags.isEmpty()) {
                        refs.add((ImageStore) transport.parse(pathText + ":@" + i));
                        continue;
                    }
                    for (String tag : tags) {
                        try {
                            refs.add((ImageStore) transport.parse(pathText + ":" + tag));
                        } catch (InvalidReferenceException e) {
                            refs.add((ImageStore) transport.parse(pathText + ":@" + i));
                        }
                    }
                }
            }
            return refs;
        }

        @Override
        public ImageSink openSink(OpenContext context) throws IOException {
            Path file = path();
            if (index >= 0) {
                throw new FerryException(
                        "cannot write to " + displayName() + ": @INDEX only picks an image to read",
                        "write docker-archive:PATH or docker-archive:PATH:NAME:TAG");
            }
            // a regular file (or a symlink to one) or nothing: never a device, FIFO, socket or folder
            OutputFile out = OutputFile.check(file);
            if (out.exists() && Files.size(out.file()) > 0) {
                throw new FerryException(
                        ShortPath.of(file) + " exists; docker-archive does not modify existing" + " archives",
                        "remove it first, or name another file");
            }
            return new DockerArchiveSink(
                    this, new FileTarget(out), name == null ? List.of() : List.of(name.forDocker()));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reference other && other.pathText.equals(pathText) && Objects.equals(other.rest, rest);
        }

        @Override
        public int hashCode() {
            return Objects.hash(pathText, rest);
        }

        @Override
        public String toString() {
            return displayName();
        }
    }

    /** A temporary file beside the target, renamed over it at commit (see {@link OutputFile}). */
    static final class FileTarget implements DockerArchiveSink.Target {
        private final OutputFile file;
        private OutputStream stream;

        FileTarget(OutputFile file) {
            this.file = file;
        }

        @Override
        public OutputStream stream() throws IOException {
            if (stream == null) {
                stream = Channels.newOutputStream(file.open());
            }
            return stream;
        }

        @Override
        public void commit() throws IOException {
            file.commit();
        }

        @Override
        public void abort() {
            try {
                file.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }
}
