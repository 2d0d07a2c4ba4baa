package dev.ferry.transport.oci;

import dev.ferry.spi.CorruptImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * The files of a tar archive, served in place: the headers are read once, in one pass that skips the data, and
 * each file is then read by its offset with positional reads, so several may be read at once and nothing is
 * unpacked.
 */
final class TarStore implements LayoutStore {
    /** A regular file's data inside the archive. */
    record Region(long offset, long size) {}

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Region> files;

    private TarStore(Path file, FileChannel channel, Map<String, Region> files) {
        this.file = file;
        this.channel = channel;
        this.files = files;
    }

    static TarStore open(Path file) throws IOException {
        Map<String, Region> files = new HashMap<>();
        long length;
        try (TarFile tar = new TarFile(file)) {
            length = java.nio.file.Files.size(file);
            for (TarArchiveEntry entry : tar.getEntries()) {
                if (!entry.isFile()) {
                    continue;
                }
                String name = normalize(entry.getName());
                if (name == null) {
                    continue;
                }
                long end = entry.getDataOffset() + entry.getSize();
                if (entry.getDataOffset() < 0 || end > length) {
                    throw new CorruptImageException("archive " + file + " is truncated: " + entry.getName()
                            + " ends at byte " + end + " of a " + length + "-byte file");
                }
                files.put(name, new Region(entry.getDataOffset(), entry.getSize()));
            }
        } catch (CorruptImageException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptImageException("archive " + file + " is not a readable tar file: " + e.getMessage(), e);
        }
        return new TarStore(file, FileChannel.open(file, StandardOpenOption.READ), files);
    }

    /** {@code ./a//b} becomes {@code a/b}; names that climb out ({@code ..}) or are absolute are ignored. */
    static String normalize(String name) {
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

    /** Every regular file's name. */
    java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(files.keySet());
    }

    @Override
    public long size(String path) {
        Region region = files.get(path);
        return region == null ? -1 : region.size();
    }

    @Override
    public InputStream open(String path) throws IOException {
        Region region = files.get(path);
        if (region == null) {
            throw new NoSuchFileException(file + "!" + path);
        }
        return new RegionInputStream(channel, region.offset(), region.size());
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public void close() throws IOException {
        channel.close();
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
