package dev.ferry.spi.support;

import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.CorruptImageException;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * The files of a tar archive, served in place: the headers are read once, in one pass that skips the data, and
 * each file is then read by its offset with positional reads, so several may be read at once and nothing is
 * unpacked. Names are normalized ({@code ./a//b} is {@code a/b}); names that are absolute or climb out with
 * {@code ..} are ignored. Symbolic links are recorded and can be followed, within the archive only.
 */
public final class TarIndex implements Closeable {
    /** How many links {@link #resolve} follows before it calls it a loop. */
    public static final int MAX_LINKS = 16;

    /**
     * A regular file of the archive gzip-compressed as it was split ({@link #split(InputStream, Path, String,
     * boolean)}): the file, its digest and its size.
     */
    public record Gzipped(Path file, Digest digest, long size) {}

    /** Files smaller than this are not gzipped by a split: configs and manifests, never layers worth it. */
    static final long GZIP_MIN = 64 << 10;

    /**
     * An entry: a regular file's data (in the archive at offset, or in a file of its own, with maybe a gzipped
     * copy), or a link's target.
     */
    private record Entry(long offset, long size, String linkTarget, Path data, Digest digest, Gzipped gzipped) {
        Entry(long offset, long size, String linkTarget) {
            this(offset, size, linkTarget, null, null, null);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Entry> entries;

    private TarIndex(Path file, FileChannel channel, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
    }

    /**
     * Indexes the tar file at {@code file}.
     *
     * @throws CorruptImageException if it is not a readable tar, or is truncated
     */
    public static TarIndex open(Path file) throws IOException {
        Map<String, Entry> entries = new HashMap<>();
        long length = Files.size(file);
        try (TarFile tar = new TarFile(file, "UTF-8")) {
            for (TarArchiveEntry entry : tar.getEntries()) {
                String name = normalize(entry.getName());
                if (name == null) {
                    continue;
                }
                if (entry.isSymbolicLink()) {
                    entries.put(name, new Entry(-1, 0, entry.getLinkName()));
                } else if (entry.isLink()) {
                    // A hard link names another entry of the archive, by its full name.
                    entries.put(name, new Entry(-1, 0, "/" + entry.getLinkName()));
                } else if (entry.isFile()) {
                    long end = entry.getDataOffset() + entry.getSize();
                    if (entry.getDataOffset() < 0 || end > length) {
                        throw new CorruptImageException("archive " + file + " is truncated: " + entry.getName()
                                + " ends at byte " + end + " of a " + length + "-byte file");
                    }
                    entries.put(name, new Entry(entry.getDataOffset(), entry.getSize(), null));
                }
            }
        } catch (CorruptImageException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptImageException("archive " + file + " is not a readable tar file: " + e.getMessage(), e);
        }
        return new TarIndex(file, FileChannel.open(file, StandardOpenOption.READ), entries);
    }

    /**
     * Reads a tar stream once and splits it: each regular file goes to a file of its own in {@code dir} (named by a
     * counter, never by the entry's name), where a sink on that filesystem may link it ({@link #dataFile}). For
     * streams that cannot be indexed in place, such as a {@code docker save} whose manifest comes last. The
     * caller owns {@code dir} and deletes it; on failure the files written so far are left there for it.
     *
     * @throws CorruptImageException if the stream is not a readable tar, or is truncated
     */
    public static TarIndex split(InputStream stream, Path dir, String what) throws IOException {
        return split(stream, dir, what, false);
    }

    /**
     * As {@link #split(InputStream, Path, String)}; with {@code gzip}, each regular file of 64 KiB or more is
     * also gzip-compressed as it passes ({@link ParallelGzipOutputStream} at its layer level, on every core), into
     * a file beside it ({@link #gzipped}): for a reader that will write the layers compressed, so that the
     * compression overlaps with whatever produces the stream (a daemon's save) instead of following it. Such a
     * file is then kept only gzipped ({@link #dataFile} null, {@link #open} fails; its size and {@link
     * #dataDigest} are those of the uncompressed bytes), since the reader wants the gzipped copy: 1.6 GB fewer
     * bytes written for the benchmark's save. A file that already starts as gzip or zstd data (a Docker 25
     * save's compressed blob) is not gzipped again, and kept as it is.
     */
    public static TarIndex split(InputStream stream, Path dir, String what, boolean gzip) throws IOException {
        Map<String, Entry> entries = new HashMap<>();
        int count = 0;
        byte[] buffer = new byte[1 << 20];
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(stream, "UTF-8");
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = normalize(entry.getName());
                if (name == null) {
                    continue;
                }
                if (entry.isSymbolicLink()) {
                    entries.put(name, new Entry(-1, 0, entry.getLinkName()));
                } else if (entry.isLink()) {
                    entries.put(name, new Entry(-1, 0, "/" + entry.getLinkName()));
                } else if (entry.isFile()) {
                    Path data = dir.resolve(Integer.toString(count++));
                    long size = 0;
                    MessageDigest sha256 = Digests.forBlob(DigestAlgorithm.SHA256, entry.getSize());
                    // the first bytes, to tell data that is compressed already (kept as it is, not gzipped)
                    int head = gzip && entry.getSize() >= GZIP_MIN ? tar.readNBytes(buffer, 0, buffer.length) : 0;
                    Path gz = head > 0 && MediaTypes.Compression.sniff(buffer, head) == MediaTypes.Compression.NONE
                            ? dir.resolve(data.getFileName() + ".gz")
                            : null;
                    if (gz != null) {
                        data = null; // kept only gzipped
                    }
                    HashingOutputStream gzFile = null;
                    try (OutputStream out = data == null
                                    ? OutputStream.nullOutputStream()
                                    : Files.newOutputStream(
                                            data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                            HashingOutputStream hashing =
                                    gz == null ? null : new HashingOutputStream(gzipFile(gz, entry.getSize()));
                            ParallelGzipOutputStream compressed = gz == null
                                    ? null
                                    : new ParallelGzipOutputStream(
                                            new NonClosingOutputStream(hashing),
                                            ParallelGzipOutputStream.LAYER_LEVEL)) {
                        gzFile = hashing;
                        int n = head;
                        if (n > 0) {
                            out.write(buffer, 0, n);
                            if (compressed != null) {
                                compressed.write(buffer, 0, n);
                            }
                            sha256.update(buffer, 0, n);
                            size += n;
                        }
                        while ((n = tar.read(buffer)) > 0) {
                            out.write(buffer, 0, n);
                            if (compressed != null) {
                                compressed.write(buffer, 0, n);
                            }
                            sha256.update(buffer, 0, n);
                            size += n;
                        }
                    }
                    if (size != entry.getSize()) {
                        throw new CorruptImageException(what + " is truncated: " + entry.getName() + " has " + size
                                + " of its " + entry.getSize() + " bytes");
                    }
                    Gzipped gzipped = gzFile == null ? null : new Gzipped(gz, gzFile.digest(), gzFile.count());
                    entries.put(
                            name,
                            new Entry(
                                    0,
                                    size,
                                    null,
                                    data,
                                    Digest.fromHash(DigestAlgorithm.SHA256, sha256.digest()),
                                    gzipped));
                }
            }
        } catch (CorruptImageException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            if (e instanceof InterruptedIOException || e instanceof ClosedByInterruptException) {
                throw e;
            }
            throw new CorruptImageException(what + " is not a readable tar stream: " + e.getMessage(), e);
        }
        return new TarIndex(dir, null, entries);
    }

    /**
     * The file of its own that holds the regular file {@code name} (links not followed), for an index made by
     * {@link #split}; null otherwise, and for a file kept only gzipped. It is not modified while this index is
     * open.
     */
    public Path dataFile(String name) {
        Entry entry = entries.get(name);
        return entry == null || entry.linkTarget() != null ? null : entry.data();
    }

    /**
     * The SHA-256 of {@link #dataFile}{@code (name)}, computed from the bytes as they were written there; null for
     * an index not made by {@link #split}.
     */
    public Digest dataDigest(String name) {
        Entry entry = entries.get(name);
        return entry == null || entry.linkTarget() != null ? null : entry.digest();
    }

    /**
     * The gzipped copy of the regular file {@code name} (links not followed), for an index made by
     * {@link #split(InputStream, Path, String, boolean)} with gzip; null when there is none (a file under 64 KiB).
     * It is not modified while this index is open.
     */
    public Gzipped gzipped(String name) {
        Entry entry = entries.get(name);
        return entry == null || entry.linkTarget() != null ? null : entry.gzipped();
    }

    /**
     * A new file for a gzipped copy: written around the page cache when large ({@link DirectFileOutput}), since the
     * reader links it into a store (which forces it) and does not read it again.
     */
    private static OutputStream gzipFile(Path gz, long uncompressedSize) throws IOException {
        OutputStream direct = uncompressedSize >= DirectFileOutput.MIN_SIZE ? DirectFileOutput.create(gz) : null;
        return direct != null
                ? direct
                : Files.newOutputStream(gz, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Counts and hashes (SHA-256) what passes; buffered, since gzip writes in small pieces. */
    private static final class HashingOutputStream extends FilterOutputStream {
        private final MessageDigest sha256 = Digests.forStream(DigestAlgorithm.SHA256);
        private long count;

        HashingOutputStream(OutputStream out) {
            super(new BufferedOutputStream(out, 1 << 16));
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sha256.update(b, off, len);
            count += len;
        }

        Digest digest() {
            return Digest.fromHash(DigestAlgorithm.SHA256, sha256.digest());
        }

        long count() {
            return count;
        }
    }

    /** {@code ./a//b} becomes {@code a/b}; names that climb out ({@code ..}) or are absolute give null. */
    public static String normalize(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        if (n.startsWith("/")) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String part : n.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                return null;
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.length() == 0 ? null : out.toString();
    }

    /** The names of every regular file and link. */
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** The archive's path; for an index made by {@link #split}, the folder of its files. */
    public Path file() {
        return file;
    }

    /**
     * The regular file {@code name} stands for, following symbolic links (relative to the link's folder, or hard
     * links by full name), never outside the archive.
     *
     * @return the name of a regular file, or null if there is no such entry
     * @throws CorruptImageException if a link loops or points outside the archive
     */
    public String resolve(String name) throws CorruptImageException {
        String current = normalize(name);
        for (int hops = 0; current != null; hops++) {
            Entry entry = entries.get(current);
            if (entry == null) {
                return null;
            }
            if (entry.linkTarget() == null) {
                return current;
            }
            if (hops >= MAX_LINKS) {
                throw new CorruptImageException("archive " + file + ": " + name + " is a loop of links");
            }
            String target = entry.linkTarget();
            String next;
            if (target.startsWith("/")) {
                next = normalize(target.substring(1));
            } else {
                int slash = current.lastIndexOf('/');
                String base = slash < 0 ? "" : current.substring(0, slash + 1);
                next = normalizeWithin(base + target);
            }
            if (next == null) {
                throw new CorruptImageException(
                        "archive " + file + ": " + current + " links to \"" + target + "\", outside the archive");
            }
            current = next;
        }
        return null;
    }

    /** Normalizes a relative path that may use {@code ..}, or null if it climbs out of the root. */
    private static String normalizeWithin(String path) {
        ArrayDeque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return parts.isEmpty() ? null : String.join("/", parts);
    }

    /** The size of the regular file {@code name} (links not followed), or -1 if there is none. */
    public long size(String name) {
        Entry entry = entries.get(name);
        return entry == null || entry.linkTarget() != null ? -1 : entry.size();
    }

    /**
     * Opens the regular file {@code name} (links not followed; see {@link #resolve}).
     *
     * @throws NoSuchFileException if there is none, or a split kept it only gzipped
     */
    public InputStream open(String name) throws IOException {
        Entry entry = entries.get(name);
        if (entry == null || entry.linkTarget() != null) {
            throw new NoSuchFileException(file + "!" + name);
        }
        if (entry.data() != null) {
            return Files.newInputStream(entry.data());
        }
        if (channel == null) {
            throw new NoSuchFileException(file + "!" + name, null, "kept only gzipped");
        }
        return new RegionInputStream(channel, entry.offset(), entry.size());
    }

    /** Reads a small regular file whole. */
    public byte[] readAll(String name, int limit) throws IOException {
        long size = size(name);
        if (size > limit) {
            throw new CorruptImageException("archive " + file + ": " + name + " has " + size + " bytes, more than the "
                    + limit + " Ferry reads");
        }
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    /** A window of a file channel, read with positional reads (thread-safe, no shared position). */
    static final class RegionInputStream extends InputStream {
        private final FileChannel channel;
        private long position;
        private final long end;

        RegionInputStream(FileChannel channel, long offset, long size) {
            this.channel = channel;
            this.position = offset;
            this.end = offset + size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            long remaining = end - position;
            if (remaining <= 0) {
                return -1;
            }
            int want = (int) Math.min(len, remaining);
            int n = channel.read(ByteBuffer.wrap(buf, off, want), position);
            if (n < 0) {
                throw new CorruptImageException("archive ends early: " + remaining + " bytes missing");
            }
            position += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long step = Math.max(0, Math.min(n, end - position));
            position += step;
            return step;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, end - position);
        }
    }
}
