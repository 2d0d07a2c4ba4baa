package dev.ferry.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.support.Gzip;
import dev.ferry.spi.support.TarIndex;
import dev.ferry.spi.support.TempFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code docker save} archive, opened in place: its tar headers are indexed in one pass and its files are then
 * served by offset. Both forms are read: the legacy one ({@code <id>/layer.tar}, {@code <id>.json},
 * {@code manifest.json} at the end) and Docker 25's (an OCI layout inside, with a {@code manifest.json} whose
 * paths point into {@code blobs/}). An archive gzip-compressed as a whole is first decompressed into a
 * temporary file, deleted on close.
 */
public final class DockerArchive implements Closeable {
    /** manifest.json lists images, never content; this bounds what is read into memory. */
    static final int MAX_MANIFEST = 16 * 1024 * 1024;

    /**
     * One image of {@code manifest.json}.
     *
     * @param config the config file's path in the archive
     * @param repoTags the image's tags, empty when {@code RepoTags} is null
     * @param layers the layer files' paths, base first
     */
    public record Entry(String config, List<String> repoTags, List<String> layers) {}

    private final TarIndex tar;
    private final Path temporary;
    private final List<Entry> images;
    private final Runnable cleanup;

    private DockerArchive(TarIndex tar, Path temporary, List<Entry> images, Runnable cleanup) {
        this.tar = tar;
        this.temporary = temporary;
        this.images = images;
        this.cleanup = cleanup;
    }

    /**
     * Opens the archive at {@code file}; a gzip-compressed one is decompressed into {@code tmpDir} first.
     *
     * @throws CorruptImageException if it is not a docker archive
     */
    public static DockerArchive open(Path file, Path tmpDir) throws IOException {
        Path temporary = null;
        Path tarFile = file;
        if (isGzip(file)) {
            temporary = TempFiles.createFile(tmpDir, "docker-archive.tar");
            try (InputStream in = Gzip.input(Files.newInputStream(file));
                    OutputStream out = Files.newOutputStream(temporary)) {
                in.transferTo(out);
            } catch (IOException e) {
                TempFiles.delete(temporary);
                throw new CorruptImageException("archive " + file + " does not decompress: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                TempFiles.delete(temporary);
                throw e;
            }
            tarFile = temporary;
        }
        return openTar(tarFile, temporary, file.toString());
    }

    /**
     * Spools a {@code docker save} stream to a temporary file in {@code tmpDir} (deleted on close) and opens it.
     * The stream must be read whole before any image can be served, since {@code manifest.json} comes last.
     */
    public static DockerArchive spool(InputStream stream, Path tmpDir, String what) throws IOException {
        Path temporary = newSpoolFile(tmpDir);
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                stream.transferTo(out);
            }
        } catch (IOException | RuntimeException e) {
            TempFiles.delete(temporary);
            throw e;
        }
        return openTemporary(temporary, what);
    }

    /** Reads a docker save stream, into a {@link TarIndex#split} of files under a temporary folder. */
    @FunctionalInterface
    public interface SaveReader {
        /** Reads the save stream {@code save} to its end (the caller closes it). */
        void read(InputStream save) throws IOException;
    }

    /** Produces a docker save stream and hands it to a reader, then checks that the save succeeded. */
    @FunctionalInterface
    public interface SaveStream {
        void readWith(SaveReader reader) throws IOException;
    }

    /**
     * Reads a {@code docker save} stream once, splitting it into a temporary folder under {@code tmpDir} (one file
     * per blob, deleted on close, on failure, and at exit if interrupted), then opens it. Layers are written as they
     * pass, so nothing is read twice; a sink on the same filesystem can link them instead of copying.
     */
    public static DockerArchive split(SaveStream save, Path tmpDir, String what) throws IOException {
        return split(save, tmpDir, what, false);
    }

    /**
     * As {@link #split(SaveStream, Path, String)}; with {@code gzip}, each file of the save (each layer) is also
     * gzip-compressed as it passes ({@link TarIndex#split(InputStream, Path, String, boolean)}).
     */
    public static DockerArchive split(SaveStream save, Path tmpDir, String what, boolean gzip) throws IOException {
        Path folder = TempFiles.createDirectory(tmpDir, "docker-save"); // removed whole at Ctrl-C/SIGTERM
        Runnable cleanup = () -> deleteTree(folder);
        TarIndex[] index = new TarIndex[1];
        boolean ok = false;
        try {
            save.readWith(in -> index[0] = TarIndex.split(in, folder, what, gzip));
            if (index[0] == null) {
                throw new CorruptImageException(what + ": the save stream was never read");
            }
            String manifest = index[0].resolve("manifest.json");
            if (manifest == null) {
                throw new CorruptImageException(what + " is not a docker archive: it has no manifest.json");
            }
            List<Entry> images = parseManifest(index[0].readAll(manifest, MAX_MANIFEST), what);
            ok = true;
            return new DockerArchive(index[0], null, images, cleanup);
        } finally {
            if (!ok) {
                cleanup.run();
            }
        }
    }

    private static void deleteTree(Path folder) {
        try {
            TempFiles.delete(folder);
        } catch (IOException | UncheckedIOException e) {
            // best effort: a sink's commit may already have removed the folder it was in
        }
    }

    /** A new temporary file for a spooled save, registered for deletion at exit. */
    public static Path newSpoolFile(Path tmpDir) throws IOException {
        return TempFiles.createFile(tmpDir, "docker-save.tar");
    }

    /** Opens a spooled save, taking ownership of the file: it is deleted on close, and on failure here. */
    public static DockerArchive openTemporary(Path temporary, String what) throws IOException {
        return openTar(temporary, temporary, what);
    }

    private static DockerArchive openTar(Path tarFile, Path temporary, String what) throws IOException {
        TarIndex tar = null;
        try {
            tar = TarIndex.open(tarFile);
            String manifest = tar.resolve("manifest.json");
            if (manifest == null) {
                throw new CorruptImageException(what + " is not a docker archive: it has no manifest.json");
            }
            List<Entry> images = parseManifest(tar.readAll(manifest, MAX_MANIFEST), what);
            return new DockerArchive(tar, temporary, images, null);
        } catch (IOException | RuntimeException e) {
            if (tar != null) {
                tar.close();
            }
            if (temporary != null) {
                TempFiles.delete(temporary);
            }
            throw e;
        }
    }

    private static List<Entry> parseManifest(byte[] bytes, String what) throws CorruptImageException {
        JsonNode root;
        try {
            root = DockerJson.parse(bytes, "manifest.json");
        } catch (IllegalArgumentException e) {
            throw new CorruptImageException(what + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new CorruptImageException(what + ": manifest.json is not a JSON array");
        }
        List<Entry> images = new ArrayList<>();
        for (JsonNode item : root) {
            try {
                String config = DockerJson.text(item, "Config");
                List<String> layers = DockerJson.strings(item, "Layers");
                if (config == null || layers == null) {
                    throw new IllegalArgumentException("an entry lacks \"Config\" or \"Layers\"");
                }
                List<String> tags = DockerJson.strings(item, "RepoTags");
                images.add(new Entry(config, tags == null ? List.of() : List.copyOf(tags), List.copyOf(layers)));
            } catch (IllegalArgumentException e) {
                throw new CorruptImageException(what + ": manifest.json: " + e.getMessage());
            }
        }
        return List.copyOf(images);
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** The images {@code manifest.json} lists, in order. */
    public List<Entry> images() {
        return images;
    }

    TarIndex tar() {
        return tar;
    }

    @Override
    public void close() throws IOException {
        try {
            tar.close();
        } finally {
            if (cleanup != null) {
                cleanup.run();
            }
            if (temporary != null) {
                TempFiles.delete(temporary);
            }
        }
    }
}
