package dev.ferry.rootfs;

import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
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
public final class Extractor implements RootfsWriter {
    private static final int MAX_LINKS = 255;

    private final Path root;
    private final boolean rootless;
    private final Consumer<String> warnings;
    private final Map<String, long[]> owners = new LinkedHashMap<>();
    private final List<Object[]> directoryTimes = new ArrayList<>();
    private boolean warnedDevices;
    private boolean warnedXattrs;

    /**
     * @param root the folder to fill, which must exist
     * @param rootless record owners instead of applying them, skip device nodes
     * @param warnings where warnings go, one line each
     */
    public Extractor(Path root, boolean rootless, Consumer<String> warnings) {
        this.root = root.toAbsolutePath().normalize();
        this.rootless = rootless;
        this.warnings = warnings;
    }

    /** The owners recorded when rootless: clean path to {uid, gid}. */
    public Map<String, long[]> recordedOwners() {
        return owners;
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

    /** Removes whatever is at {@code path} (never following it), so another kind of entry can take its place. */
    private void removeExisting(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
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
        dev.ferry.internal.FileNames.check(entry);
        String name = Paths.clean(entry.getName());
        if (name.isEmpty()) {
            return;
        }
        Path parent = resolve(Paths.parent(name), true);
        mkdirs(parent);
        Path dest = parent.resolve(Paths.base(name));
        if (entry.isDirectory()) {
            if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                removeExisting(dest);
                Files.createDirectory(dest);
            }
        } else {
            try {
                removeExisting(dest);
            } catch (DirectoryNotEmptyException e) {
                throw new CorruptImageException("cannot replace folder " + name + ": " + e.getMessage());
            }
            if (entry.isSymbolicLink()) {
                Files.createSymbolicLink(dest, Path.of(entry.getLinkName()));
            } else if (entry.isLink()) {
                Path target = resolve(Paths.clean(entry.getLinkName()), false);
                if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    warnings.accept("skipped hardlink " + name + ": its target " + entry.getLinkName()
                            + " is not a file in the image");
                    return;
                }
                Files.createLink(dest, target);
                return; // a hardlink shares its target's inode: owner, mode and times are the target's
            } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                if (!special(entry, dest, name)) {
                    return;
                }
            } else {
                try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    if (content != null) {
                        content.transferTo(out);
                    }
                }
            }
        }
        applyMetadata(entry, dest, name);
    }

    private boolean special(TarArchiveEntry entry, Path dest, String name) throws IOException {
        if (rootless && !entry.isFIFO()) {
            if (!warnedDevices) {
                warnings.accept("rootless: device nodes are skipped (first: " + name + ")");
                warnedDevices = true;
            }
            return false;
        }
        List<String> cmd = entry.isFIFO() ? List.of("mkfifo", dest.toString())
                : List.of("mknod", dest.toString(), entry.isCharacterDevice() ? "c" : "b",
                        Integer.toString(entry.getDevMajor()), Integer.toString(entry.getDevMinor()));
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
            owners.put(name, new long[] {entry.getLongUserId(), entry.getLongGroupId()});
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
                UserDefinedFileAttributeView view = Files.getFileAttributeView(dest,
                        UserDefinedFileAttributeView.class);
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
            directoryTimes.add(new Object[] {dest, mtime});
        } else if (entry.isFIFO() || entry.isCharacterDevice() || entry.isBlockDevice()) {
            // Java sets times through an open(2), which on a FIFO waits for a writer: leave their mtimes
        } else {
            Files.getFileAttributeView(dest, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(mtime, null, null);
        }
    }

    /** Sets a non-user xattr (security.*, trusted.*) with setfattr, which Java cannot do; false if that failed. */
    private static boolean setfattr(Path file, String name, byte[] value) throws IOException {
        try {
            Process p = new ProcessBuilder("setfattr", "-h", "-n", name, "-v",
                    "0x" + java.util.HexFormat.of().formatHex(value), file.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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
        for (int i = directoryTimes.size() - 1; i >= 0; i--) {
            Object[] d = directoryTimes.get(i);
            Files.getFileAttributeView((Path) d[0], BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes((FileTime) d[1], null, null);
        }
    }
}
