package dev.ferry.rootfs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * linuxkit's image-to-tar rules over a flattened root filesystem: excluded paths, replaced files, a symlinked
 * {@code etc/resolv.conf}, a path prefix (whose folders come first; hardlink names are rewritten, symlink targets
 * are not). With Docker's defaults, the folders and files {@code docker create} adds to every container are
 * made to match what {@code docker export} shows, so the generic export equals the one through a container.
 */
public final class ExportFilter implements RootfsWriter {
    private final ExportOptions options;
    private final RootfsWriter out;
    /** Which of the paths {@link #finish} may add went through (only those: memory stays flat). */
    private final Set<String> seen = new HashSet<>();

    private boolean started;

    public ExportFilter(ExportOptions options, RootfsWriter out) {
        this.options = options;
        this.out = out;
    }

    private boolean excluded(String name) {
        Set<String> excludes = options.excludes();
        for (String p = name; !p.isEmpty(); p = Paths.parent(p)) {
            if (excludes.contains(p) || options.dockerDefaults() && ExportOptions.DOCKER_EXCLUDES.contains(p)) {
                return true;
            }
        }
        return false;
    }

    private void start() throws IOException {
        if (started) {
            return;
        }
        started = true;
        String prefix = options.prefix();
        if (!prefix.isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (String part : prefix.substring(0, prefix.length() - 1).split("/")) {
                path.append(part).append('/');
                TarArchiveEntry dir = new TarArchiveEntry(path.toString());
                dir.setMode(040755);
                dir.setModTime(0);
                out.write(dir, null);
            }
        }
    }

    @Override
    public void write(TarArchiveEntry entry, InputStream content) throws IOException {
        start();
        String name = Paths.clean(entry.getName());
        if (excluded(name)) {
            return;
        }
        if (FINISHED.contains(name)) {
            seen.add(name);
        }
        byte[] fixed = fixedContent(name);
        if (options.dockerDefaults() && DOCKER_DIRS.contains(name) && entry.isDirectory()) {
            // docker create's init layer puts these over the image: root-owned, 0755
            emit(dockerDir(name, entry.getModTime()), null);
        } else if (options.dockerDefaults() && name.equals("etc/mtab")) {
            emit(mtab(), null);
        } else if (name.equals("etc/resolv.conf") && options.resolvConfSymlink() != null) {
            TarArchiveEntry link = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            link.setLinkName(options.resolvConfSymlink());
            link.setModTime(entry.getModTime());
            emit(link, null);
        } else if (options.replacements().containsKey(name)) {
            Path file = options.replacements().get(name);
            TarArchiveEntry replaced = regular(entry, name, Files.size(file));
            try (InputStream in = Files.newInputStream(file)) {
                emit(replaced, in);
            }
        } else if (fixed != null) {
            // docker create's init layer makes these empty 0755 files; linuxkit fills them, keeping the mode
            TarArchiveEntry e = regular(entry, name, fixed.length);
            e.setMode(0100755);
            e.setUserId(0);
            e.setGroupId(0);
            emit(e, new ByteArrayInputStream(fixed));
        } else {
            emit(entry, content);
        }
    }

    /** The folders docker create's init layer adds over every image. */
    private static final List<String> DOCKER_DIRS = List.of("dev", "proc", "sys", "etc");
    /** What {@link #finish} adds when missing. */
    private static final Set<String> FINISHED =
            Set.of("dev", "proc", "sys", "etc", "etc/mtab", "etc/hosts", "etc/resolv.conf");

    private static TarArchiveEntry dockerDir(String name, Date mtime) {
        TarArchiveEntry e = new TarArchiveEntry(name + "/");
        e.setMode(040755);
        e.setModTime(mtime);
        return e;
    }

    private static TarArchiveEntry mtab() {
        TarArchiveEntry link = new TarArchiveEntry("etc/mtab", TarArchiveEntry.LF_SYMLINK);
        link.setLinkName("/proc/mounts");
        link.setModTime(0);
        return link;
    }

    private byte[] fixedContent(String name) {
        if (!options.dockerDefaults()) {
            return null;
        }
        return switch (name) {
            case "etc/hosts" -> ExportOptions.HOSTS.getBytes(StandardCharsets.UTF_8);
            case "etc/resolv.conf" -> ExportOptions.RESOLV_CONF.getBytes(StandardCharsets.UTF_8);
            default -> null;
        };
    }

    private static TarArchiveEntry regular(TarArchiveEntry original, String name, long size) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        e.setMode(Entries.isRegular(original) ? original.getMode() : 0100644);
        e.setUserId(original.getLongUserId());
        e.setGroupId(original.getLongGroupId());
        e.setModTime(original.getModTime());
        return e;
    }

    private void emit(TarArchiveEntry entry, InputStream content) throws IOException {
        String prefix = options.prefix();
        if (!prefix.isEmpty()) {
            entry.setName(prefix + entry.getName());
            if (entry.isLink()) {
                entry.setLinkName(prefix + Paths.clean(entry.getLinkName()));
            }
        }
        out.write(entry, content);
    }

    /**
     * Completes the tree once every entry went through: with Docker's defaults, adds what {@code docker create}
     * puts in every container when the image lacks it ({@code dev}, {@code proc}, {@code sys}, {@code etc},
     * {@code etc/hosts}, {@code etc/resolv.conf}).
     */
    public void finish() throws IOException {
        start();
        if (!options.dockerDefaults()) {
            return;
        }
        for (String dir : DOCKER_DIRS) {
            if (seen.add(dir)) {
                emit(dockerDir(dir, new Date(0)), null);
            }
        }
        if (seen.add("etc/mtab")) {
            emit(mtab(), null);
        }
        for (String file : List.of("etc/hosts", "etc/resolv.conf")) {
            if (seen.add(file)) {
                TarArchiveEntry placeholder = new TarArchiveEntry(file);
                placeholder.setMode(0100644);
                placeholder.setModTime(0);
                write(placeholder, new ByteArrayInputStream(new byte[0]));
            }
        }
    }
}
