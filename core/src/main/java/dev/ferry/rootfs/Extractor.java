package dev.ferry.rootfs;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ferry.internal.Json;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.support.AtomicFiles;
import dev.ferry.spi.support.Streams;
import dev.ferry.spi.support.TempFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Writes a flattened root filesystem to a folder, confined to it as umoci is: every name, and every symlink met
 * on the way, is resolved inside the root ({@code ..} stops at the root, an absolute link target starts from the
 * root), so nothing is ever created outside it; the last component is never followed. As root, owners, modes
 * (setuid included), device nodes and mtimes are applied; rootless, owners are recorded instead and device nodes
 * skipped with a warning.
 */
public final class Extractor implements RootfsWriter, AutoCloseable {
    private static final int MAX_LINKS = 255;
    /** How many resolved parent folders are remembered (a bounded cache: memory stays flat). */
    private static final int PARENTS_REMEMBERED = 64;

    private static final int COPY_BUFFER = 1 << 17;
    private static final OpenOption[] CREATE_FILE = {
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS
    };

    private final Path root;
    private final boolean rootless;
    private final Consumer<String> warnings;
    private final Path tmpDir;
    /**
     * What must wait for the end, kept off the heap (in {@code tmpDir}) so that memory does not grow with the
     * number of entries: the folders' mtimes, the owners recorded when rootless. Made at the first need.
     */
    private Path spill;

    private BigBuffer directoryTimes;
    private long directoryTimesSize;
    private BigBuffer owners;
    private long ownersSize;
    private long ownerCount;
    private DiskSpace space;
    private boolean warnedDevices;
    private boolean warnedXattrs;
    private byte[] copyBuffer;
    /**
     * The parent folders of recent entries, clean name to the real folder it resolved to and that exists (a tar
     * lists a folder's entries together: most entries find their parent here instead of an lstat of every
     * component of their path). Forgotten whenever anything is removed, the one change that can make a name
     * resolve elsewhere (an entry never replaces what exists without removing it first).
     */
    private final Map<String, Path> parents = new LinkedHashMap<>(PARENTS_REMEMBERED * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Path> eldest) {
            return size() > PARENTS_REMEMBERED;
        }
    };

    /**
     * An extractor that keeps its bookkeeping on the heap (compactly); see
     * {@link #Extractor(Path, boolean, Consumer, Path)}.
     */
    public Extractor(Path root, boolean rootless, Consumer<String> warnings) {
        this(root, rootless, warnings, null);
    }

    /**
     * @param root the folder to fill, which must exist
     * @param rootless record owners instead of applying them, skip device nodes
     * @param warnings where warnings go, one line each
     * @param tmpDir where the bookkeeping that waits for the end (folder mtimes, owners) goes, in memory-mapped
     *     temporary files ({@link TempFiles}, removed by {@link #close}), so that the heap stays the same
     *     whatever the number of entries; null to keep it on the heap
     */
    public Extractor(Path root, boolean rootless, Consumer<String> warnings, Path tmpDir) {
        this.root = root.toAbsolutePath().normalize();
        this.rootless = rootless;
        this.warnings = warnings;
        this.tmpDir = tmpDir;
    }

    private BigBuffer buffer(String name) throws IOException {
        if (tmpDir != null && spill == null) {
            spill = TempFiles.createDirectory(tmpDir, "unpack-state");
        }
        return BigBuffer.create(spill, name);
    }

    /** The number of owners recorded (rootless). */
    public long recordedOwnerCount() {
        return ownerCount;
    }

    /** The owners recorded when rootless, clean path to {uid, gid}, in the order written; built on the heap. */
    public Map<String, long[]> recordedOwners() throws IOException {
        Map<String, long[]> map = new LinkedHashMap<>();
        forEachOwner((name, uid, gid) -> map.put(name, new long[] {uid, gid}));
        return map;
    }

    /** An owner recorded. */
    private interface OwnerVisitor {
        void visit(String name, long uid, long gid) throws IOException;
    }

    private void forEachOwner(OwnerVisitor visitor) throws IOException {
        for (long pos = 0; pos < ownersSize; ) {
            long uid = owners.getLong(pos);
            long gid = owners.getLong(pos + 8);
            int len = (int) owners.getLong(pos + 16);
            byte[] bytes = new byte[len];
            owners.get(pos + 24, bytes, 0, len);
            visitor.visit(PathIndex.decode(bytes, 0, len), uid, gid);
            pos += 24 + pad8(len);
        }
    }

    private static void grow(BigBuffer buffer, long size) throws IOException {
        try {
            buffer.ensure(size);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static long pad8(long n) {
        return (n + 7) & ~7L;
    }

    /**
     * Writes the owners recorded (rootless) as JSON, {@code {"PATH":[UID,GID],...}} in the order written,
     * streamed to a temporary file beside {@code target} and renamed over it.
     */
    public void writeOwners(Path target) throws IOException {
        Path tmp = TempFiles.createFile(
                target.toAbsolutePath().getParent(), target.getFileName().toString());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out);
                json.writeStartObject();
                forEachOwner((name, uid, gid) -> {
                    json.writeFieldName(name);
                    json.writeStartArray();
                    json.writeNumber(uid);
                    json.writeNumber(gid);
                    json.writeEndArray();
                });
                json.writeEndObject();
                json.flush();
                out.flush();
                ch.force(true);
            }
            AtomicFiles.move(tmp, target);
        } finally {
            TempFiles.delete(tmp);
        }
    }

    /**
     * {@code path} (clean, relative) resolved inside the root: symlinks on the way are followed within the root;
     * the last component is followed only when {@code followLast}.
     */
    Path resolve(String path, boolean followLast) throws IOException {
        Deque<String> todo = new ArrayDeque<>(List.of(path.split("/")));
        todo.removeIf(String::isEmpty);
        Path current = root;
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                current = current.equals(root) ? root : current.getParent();
                continue;
            }
            Path next = current.resolve(part);
            if ((followLast || !todo.isEmpty()) && Files.isSymbolicLink(next)) {
                if (++links > MAX_LINKS) {
                    throw new CorruptImageException("too many symbolic links resolving " + path + " in the image");
                }
                String target = Files.readSymbolicLink(next).toString();
                if (target.startsWith("/")) {
                    current = root;
                }
                List<String> parts = new ArrayList<>(List.of(target.split("/")));
                for (int i = parts.size() - 1; i >= 0; i--) {
                    if (!parts.get(i).isEmpty()) {
                        todo.addFirst(parts.get(i));
                    }
                }
                continue;
            }
            current = next;
        }
        if (!current.startsWith(root)) {
            throw new IllegalStateException("resolved outside the root: " + current);
        }
        return current;
    }

    /** Creates the folders of {@code dir} (already resolved inside the root) that are missing. */
    private void mkdirs(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!dir.startsWith(root)) {
            throw new IllegalStateException(dir + " is outside " + root);
        }
        mkdirs(dir.getParent());
        removeExisting(dir);
        Files.createDirectory(dir);
    }

    /** A new file at {@code dest}, replacing what is there. */
    private OutputStream createFile(Path dest, String name) throws IOException {
        try {
            return Files.newOutputStream(dest, CREATE_FILE);
        } catch (FileAlreadyExistsException e) {
            replace(dest, name);
            return Files.newOutputStream(dest, CREATE_FILE);
        }
    }

    /** Removes what is at {@code dest}, the place of entry {@code name}: a folder in the way is corrupt input. */
    private void replace(Path dest, String name) throws IOException {
        try {
            removeExisting(dest);
        } catch (DirectoryNotEmptyException e) {
            throw new CorruptImageException("cannot replace folder " + name + ": " + e.getMessage());
        }
    }

    /** Removes whatever is at {@code path} (never following it), so another kind of entry can take its place. */
    private void removeExisting(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        parents.clear();
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(path)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        } else {
            Files.delete(path);
        }
    }

    @Override
    public void write(TarArchiveEntry entry, InputStream content) throws IOException {
        FileNames.check(entry);
        String name = Paths.clean(entry.getName());
        if (name.isEmpty()) {
            return;
        }
        String parentName = Paths.parent(name);
        Path parent = parents.get(parentName);
        if (parent == null) {
            parent = resolve(parentName, true);
            mkdirs(parent);
            parents.put(parentName, parent);
        }
        Path dest = parent.resolve(Paths.base(name));
        // Each entry is created first, and what is in its way removed only when the creation says so: no lookup
        // before each creation (on Java 17 a lookup of a missing name costs an exception).
        if (entry.isDirectory()) {
            try {
                Files.createDirectory(dest);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                    replace(dest, name);
                    Files.createDirectory(dest);
                }
            }
            parents.put(name, dest); // a real folder now: the parent of the entries that follow
        } else if (entry.isSymbolicLink()) {
            Path target = Path.of(entry.getLinkName());
            try {
                Files.createSymbolicLink(dest, target);
            } catch (FileAlreadyExistsException e) {
                replace(dest, name);
                Files.createSymbolicLink(dest, target);
            }
        } else if (entry.isLink()) {
            Path target = resolve(Paths.clean(entry.getLinkName()), false);
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                replace(dest, name);
                warnings.accept("skipped hardlink " + name + ": its target " + entry.getLinkName()
                        + " is not a file in the image");
                return;
            }
            try {
                Files.createLink(dest, target);
            } catch (FileAlreadyExistsException e) {
                replace(dest, name);
                Files.createLink(dest, target);
            }
            return; // a hardlink shares its target's inode: owner, mode and times are the target's
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            replace(dest, name);
            if (!special(entry, dest, name)) {
                return;
            }
        } else {
            long written = 0;
            try (OutputStream out = createFile(dest, name)) {
                if (content != null) {
                    if (copyBuffer == null) {
                        copyBuffer = new byte[COPY_BUFFER];
                    }
                    written = Streams.copy(content, out, copyBuffer); // not one system call per 8 KiB
                }
            }
            guardSpace(written);
        }
        applyMetadata(entry, dest, name);
    }

    /**
     * Stops before the file system of the root is full ({@link DiskSpace}: less than its reserve left, checked
     * every 64 MiB written): an image that expands past what the disk holds fails with a clear error, and the
     * caller removes what was written, instead of leaving a full disk to every other process.
     */
    private void guardSpace(long written) throws IOException {
        if (space == null) {
            space = DiskSpace.of(root);
        }
        if (space.wrote(written)) {
            throw new FerryException(
                    "stopped unpacking into " + root.getParent() + ": its file"
                            + " system has less than " + LayerLimit.format(space.reserve()) + " left ("
                            + LayerLimit.format(space.usable()) + ")",
                    "free some space, or unpack elsewhere");
        }
    }

    private boolean special(TarArchiveEntry entry, Path dest, String name) throws IOException {
        if (rootless && !entry.isFIFO()) {
            if (!warnedDevices) {
                warnings.accept("rootless: device nodes are skipped (first: " + name + ")");
                warnedDevices = true;
            }
            return false;
        }
        List<String> cmd = entry.isFIFO()
                ? List.of("mkfifo", dest.toString())
                : List.of(
                        "mknod",
                        dest.toString(),
                        entry.isCharacterDevice() ? "c" : "b",
                        Integer.toString(entry.getDevMajor()),
                        Integer.toString(entry.getDevMinor()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                warnings.accept("skipped " + name + ": " + out);
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while creating " + name, null);
        }
    }

    private void applyMetadata(TarArchiveEntry entry, Path dest, String name) throws IOException {
        boolean link = entry.isSymbolicLink();
        if (rootless) {
            // Each path comes once (as from Flattener), so the records are the map's entries, in order.
            if (owners == null) {
                owners = buffer("owners");
            }
            byte[] bytes = PathIndex.encode(name);
            grow(owners, ownersSize + 24 + pad8(bytes.length));
            owners.putLong(ownersSize, entry.getLongUserId());
            owners.putLong(ownersSize + 8, entry.getLongGroupId());
            owners.putLong(ownersSize + 16, bytes.length);
            owners.put(ownersSize + 24, bytes, 0, bytes.length);
            ownersSize += 24 + pad8(bytes.length);
            ownerCount++;
        } else {
            Files.setAttribute(dest, "unix:uid", (int) entry.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(dest, "unix:gid", (int) entry.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        }
        if (!link) {
            Files.setAttribute(dest, "unix:mode", entry.getMode() & 07777);
        }
        for (Map.Entry<String, String> pax : entry.getExtraPaxHeaders().entrySet()) {
            String key = pax.getKey();
            String attr = key.startsWith("SCHILY.xattr.") ? key.substring(13) : null;
            if (attr == null || link) {
                continue;
            }
            if (attr.startsWith("user.")) {
                UserDefinedFileAttributeView view =
                        Files.getFileAttributeView(dest, UserDefinedFileAttributeView.class);
                if (view != null) {
                    view.write(attr.substring(5), ByteBuffer.wrap(PaxXattrs.bytes(pax.getValue())));
                }
            } else if (rootless || !setfattr(dest, attr, PaxXattrs.bytes(pax.getValue()))) {
                if (!warnedXattrs) {
                    warnings.accept("xattr " + attr + " of " + name + " (and others outside user.*) not applied:"
                            + (rootless ? " not root" : " setfattr (Debian package attr) is missing or failed"));
                    warnedXattrs = true;
                }
            }
        }
        FileTime mtime = FileTime.from(entry.getModTime().toInstant());
        if (entry.isDirectory()) {
            // [name, padded to 8][mtime][name length]: read back from the end
            if (directoryTimes == null) {
                directoryTimes = buffer("directory-times");
            }
            byte[] bytes = PathIndex.encode(root.relativize(dest).toString());
            grow(directoryTimes, directoryTimesSize + pad8(bytes.length) + 16);
            directoryTimes.put(directoryTimesSize, bytes, 0, bytes.length);
            directoryTimesSize += pad8(bytes.length);
            directoryTimes.putLong(directoryTimesSize, mtime.toMillis());
            directoryTimes.putLong(directoryTimesSize + 8, bytes.length);
            directoryTimesSize += 16;
        } else if (entry.isFIFO() || entry.isCharacterDevice() || entry.isBlockDevice()) {
            // Java sets times through an open(2), which on a FIFO waits for a writer: leave their mtimes
        } else {
            // The access time given (now, as tar and umoci leave it), or the JDK reads it first to keep it; a
            // file just created (not a symlink, which it cannot have become since) set through the links option
            // that does not first stat it to learn whether it is a symlink.
            LinkOption[] options = link ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
            Files.getFileAttributeView(dest, BasicFileAttributeView.class, options)
                    .setTimes(mtime, FileTime.fromMillis(System.currentTimeMillis()), null);
        }
    }

    /** Sets a non-user xattr (security.*, trusted.*) with setfattr, which Java cannot do; false if that failed. */
    private static boolean setfattr(Path file, String name, byte[] value) throws IOException {
        try {
            Process p = new ProcessBuilder(
                            "setfattr",
                            "-h",
                            "-n",
                            name,
                            "-v",
                            "0x" + HexFormat.of().formatHex(value),
                            file.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting xattr " + name + " of " + file, e);
        }
    }

    /** Sets the folders' mtimes, last, since creating their children changed them. */
    public void finish() throws IOException {
        for (long end = directoryTimesSize; end > 0; ) {
            long millis = directoryTimes.getLong(end - 16);
            int len = (int) directoryTimes.getLong(end - 8);
            long start = end - 16 - pad8(len);
            byte[] bytes = new byte[len];
            directoryTimes.get(start, bytes, 0, len);
            Path dir = root.resolve(PathIndex.decode(bytes, 0, len));
            Files.getFileAttributeView(dir, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.fromMillis(millis), null, null);
            end = start;
        }
    }

    /**
     * Removes the bookkeeping's temporary files (best effort: what cannot be removed now is removed at exit, or by
     * the next run's sweep). The owners cannot be written afterwards.
     */
    @Override
    public void close() {
        for (BigBuffer b : new BigBuffer[] {directoryTimes, owners}) {
            try {
                if (b != null) {
                    b.close();
                }
            } catch (IOException e) {
                // removed with the folder below, or at exit
            }
        }
        directoryTimes = null;
        owners = null;
        directoryTimesSize = 0;
        ownersSize = 0;
        if (spill != null) {
            try {
                TempFiles.delete(spill);
            } catch (IOException e) {
                // the next run's sweep removes it
            }
            spill = null;
        }
    }
}
