package dev.ferry.docker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.NonClosingOutputStream;
import dev.ferry.spi.support.Streams;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes one image as a {@code docker save} archive in the legacy layout that every {@code docker load} accepts
 * ({@code <diffID>/layer.tar}, {@code <config digest>.json}, then {@code manifest.json} and {@code repositories}
 * naming the tags), as one stream: each blob goes out as it arrives. It takes Docker v2s2 manifests with
 * uncompressed layers; the copy engine converts anything else on the way. Where the stream goes, and what commit
 * and abort mean there (rename a file, finish a {@code docker load}), is the {@link Target}'s business.
 */
public final class DockerArchiveSink implements ImageSink {
    /** Where the archive stream goes. */
    public interface Target {
        /** The stream to write the archive to. */
        OutputStream stream() throws IOException;

        /** The archive is complete and its stream flushed: make it visible (rename, wait for the load). */
        void commit() throws IOException;

        /** The archive will not be completed: discard what was written. Must not throw. */
        void abort();

        /**
         * Turns a failure to write the stream into the error the user should see (a load that died explains
         * why). The default returns it unchanged.
         */
        default IOException explain(IOException writeFailure) {
            return writeFailure;
        }
    }

    private final ImageReference reference;
    private final Target target;
    private final List<String> repoTags;
    private final Set<Digest> written = new HashSet<>();
    private TarArchiveOutputStream tar;
    private ImageManifest manifest;
    private boolean failed;
    /** Why the stream broke, when it did: what a later call reports, whichever thread makes it. */
    private Exception failure;

    private boolean committed;
    private boolean closed;

    /**
     * @param repoTags the tags to record ({@code name:tag}), or empty for an untagged image
     */
    public DockerArchiveSink(ImageReference reference, Target target, List<String> repoTags) {
        this.reference = reference;
        this.target = target;
        this.repoTags = List.copyOf(repoTags);
    }

    private TarArchiveOutputStream tar() throws IOException {
        if (tar == null) {
            tar = new TarArchiveOutputStream(
                    new BufferedOutputStream(new NonClosingOutputStream(target.stream()), 1 << 16), "UTF-8");
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        }
        return tar;
    }

    @Override
    public ImageReference reference() {
        return reference;
    }

    @Override
    public List<String> supportedManifestTypes() {
        return List.of(MediaTypes.DOCKER_MANIFEST);
    }

    @Override
    public Set<MediaTypes.Compression> supportedLayerCompressions() {
        return EnumSet.of(MediaTypes.Compression.NONE);
    }

    @Override
    public synchronized boolean hasBlob(Descriptor descriptor) {
        return written.contains(descriptor.digest());
    }

    private static boolean isConfig(Descriptor d) {
        return d.mediaType().equals(MediaTypes.DOCKER_CONFIG) || d.mediaType().equals(MediaTypes.OCI_CONFIG);
    }

    static String configPath(Digest digest) {
        return digest.hex() + ".json";
    }

    static String layerPath(Digest digest) {
        return digest.hex() + "/layer.tar";
    }

    @Override
    public synchronized void putBlob(Descriptor descriptor, InputStream in) throws IOException {
        checkOpen();
        VerifyingInputStream verifying = VerifyingInputStream.verify(in, descriptor);
        if (written.contains(descriptor.digest())) {
            verifying.drainAndVerify();
            return;
        }
        failed = true; // until the entry is whole: a tar stream cannot take back half an entry
        try {
            String name;
            if (isConfig(descriptor)) {
                name = configPath(descriptor.digest());
            } else {
                if (MediaTypes.layerCompression(descriptor.mediaType()) != MediaTypes.Compression.NONE) {
                    throw new FerryException(
                            "docker archives hold uncompressed layers; got " + descriptor,
                            "this is a Ferry bug: the copy engine should have decompressed it");
                }
                TarEntries.writeDirectory(tar(), descriptor.digest().hex() + "/");
                name = layerPath(descriptor.digest());
            }
            tar().putArchiveEntry(TarEntries.file(name, descriptor.size()));
            Streams.copy(verifying, tar());
            if (!verifying.verified()) {
                verifying.drainAndVerify();
            }
            tar().closeArchiveEntry();
        } catch (IOException e) {
            IOException reported = e instanceof FerryException ? e : target.explain(e);
            failure = reported;
            throw reported;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
        written.add(descriptor.digest());
        failed = false;
    }

    @Override
    public synchronized void putManifest(ManifestBytes bytes) throws IOException {
        checkOpen();
        if (!MediaTypes.DOCKER_MANIFEST.equals(bytes.mediaType())) {
            throw new UnsupportedManifestException(
                    reference.displayName(), bytes.mediaType(), supportedManifestTypes());
        }
        ImageManifest parsed;
        try {
            parsed = (ImageManifest) bytes.parse();
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException("manifest " + bytes.digest() + " is malformed: " + e.getMessage(), e);
        }
        for (Descriptor blob : parsed.blobs()) {
            if (!written.contains(blob.digest())) {
                throw new IllegalStateException("putManifest() before blob " + blob.digest());
            }
        }
        manifest = parsed;
    }

    @Override
    public synchronized void commit() throws IOException {
        checkOpen();
        if (manifest == null) {
            throw new IllegalStateException("commit() before putManifest()");
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        ArrayNode root = f.arrayNode();
        ObjectNode image = root.addObject();
        image.put("Config", configPath(manifest.config().digest()));
        if (repoTags.isEmpty()) {
            image.putNull("RepoTags");
        } else {
            ArrayNode tags = image.putArray("RepoTags");
            repoTags.forEach(tags::add);
        }
        ArrayNode layers = image.putArray("Layers");
        manifest.layers().forEach(l -> layers.add(layerPath(l.digest())));
        ObjectNode repositories = f.objectNode();
        String top = manifest.layers().isEmpty()
                ? manifest.config().digest().hex()
                : manifest.layers().get(manifest.layers().size() - 1).digest().hex();
        for (String tag : repoTags) {
            int colon = tag.lastIndexOf(':');
            ObjectNode repo = repositories.has(tag.substring(0, colon))
                    ? (ObjectNode) repositories.get(tag.substring(0, colon))
                    : repositories.putObject(tag.substring(0, colon));
            repo.put(tag.substring(colon + 1), top);
        }
        try {
            writeFile("manifest.json", DockerJson.write(root));
            writeFile("repositories", DockerJson.write(repositories));
            tar().close(); // writes the end blocks and flushes everything, but leaves the target's stream open
        } catch (IOException e) {
            throw target.explain(e);
        }
        target.commit();
        committed = true;
    }

    private void writeFile(String name, byte[] bytes) throws IOException {
        TarEntries.writeFile(tar(), name, bytes);
    }

    private void checkOpen() throws FerryException {
        if (closed || committed) {
            throw new IllegalStateException(
                    "sink for " + reference.displayName() + " is already " + (committed ? "committed" : "closed"));
        }
        if (failed) {
            throw new FerryException(
                    "an earlier blob failed" + (failure == null ? "" : " (" + failure.getMessage() + ")") + "; "
                            + reference.displayName() + " cannot be completed",
                    "run the copy again",
                    failure);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed) {
            target.abort();
        }
    }
}
