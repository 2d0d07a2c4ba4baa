package dev.ferry.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A root filesystem described entry by entry for comparison: kind, mode, owner, content hash, link target, user
 * xattrs, and the hardlink groups. From a folder (umoci unpack, ferry bundle) or a tar (ferry export).
 */
final class Trees {
    private Trees() {}

    record Tree(TreeMap<String, String> entries, TreeSet<String> hardlinkGroups) {}

    static Tree of(Path root) throws IOException {
        TreeMap<String, String> entries = new TreeMap<>();
        Map<Object, List<String>> inodes = new HashMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.equals(root)).toList()) {
                String name = root.relativize(p).toString();
                Map<String, Object> a =
                        Files.readAttributes(p, "unix:mode,uid,gid,ino,dev,nlink", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                String kind;
                String detail = "";
                if (Files.isSymbolicLink(p)) {
                    kind = "symlink";
                    detail = Files.readSymbolicLink(p).toString();
                    mode = 0777;
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    kind = "dir";
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    kind = "file";
                    detail = Fixtures.sha256(p);
                    if ((Integer) a.get("nlink") > 1) {
                        inodes.computeIfAbsent(List.of(a.get("dev"), a.get("ino")), k -> new ArrayList<>())
                                .add(name);
                    }
                } else {
                    Map<String, Object> dev = Files.readAttributes(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
                    long rdev = ((Number) dev.get("rdev")).longValue();
                    kind = (Files.readAttributes(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)
                                                    .get("mode")
                                            instanceof Integer m
                                    && (m & 0170000) == 010000)
                            ? "fifo"
                            : "device";
                    detail = kind.equals("fifo") ? "" : ((rdev >> 8) & 0xfff) + "," + (rdev & 0xff);
                }
                entries.put(
                        name,
                        kind + " " + Integer.toOctalString(mode & 07777) + " " + a.get("uid") + ":" + a.get("gid") + " "
                                + detail + xattrs(p));
            }
        }
        TreeSet<String> groups = new TreeSet<>();
        inodes.values().forEach(g -> groups.add(new TreeSet<>(g).toString()));
        return new Tree(entries, groups);
    }

    private static String xattrs(Path p) throws IOException {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return ""; // opening a FIFO to read its xattrs would wait for a writer
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        TreeMap<String, String> values = new TreeMap<>();
        for (String name : view.list()) {
            ByteBuffer buf = ByteBuffer.allocate(view.size(name));
            view.read(name, buf);
            values.put("user." + name, new String(buf.array(), StandardCharsets.UTF_8));
        }
        return values.isEmpty() ? "" : " " + values;
    }

    static Tree ofTar(Path tar) throws IOException {
        TreeMap<String, String> entries = new TreeMap<>();
        Map<String, List<String>> links = new HashMap<>();
        Map<String, String> content = new HashMap<>();
        try (InputStream in = Files.newInputStream(tar);
                TarArchiveInputStream t = new TarArchiveInputStream(in, "UTF-8")) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                String name = e.getName().endsWith("/")
                        ? e.getName().substring(0, e.getName().length() - 1)
                        : e.getName();
                String kind;
                String detail = "";
                int mode = e.getMode() & 07777;
                if (e.isSymbolicLink()) {
                    kind = "symlink";
                    detail = e.getLinkName();
                    mode = 0777;
                } else if (e.isDirectory()) {
                    kind = "dir";
                } else if (e.isLink()) {
                    String target = e.getLinkName();
                    links.computeIfAbsent(target, k -> new ArrayList<>(List.of(target)))
                            .add(name);
                    entries.put(name, entries.get(target));
                    continue;
                } else if (!e.isFIFO() && !e.isCharacterDevice() && !e.isBlockDevice()) {
                    kind = "file";
                    detail = HexFormat.of().formatHex(Fixtures.sha256().digest(t.readAllBytes()));
                    content.put(name, detail);
                } else if (e.isFIFO()) {
                    kind = "fifo";
                } else {
                    kind = "device";
                    detail = e.getDevMajor() + "," + e.getDevMinor();
                }
                TreeMap<String, String> x = new TreeMap<>();
                e.getExtraPaxHeaders().forEach((k, v) -> {
                    if (k.startsWith("SCHILY.xattr.user.")) {
                        x.put(k.substring(13), v);
                    }
                });
                entries.put(
                        name,
                        kind + " " + Integer.toOctalString(mode) + " " + e.getLongUserId() + ":" + e.getLongGroupId()
                                + " " + detail + (x.isEmpty() ? "" : " " + x));
            }
        }
        TreeSet<String> groups = new TreeSet<>();
        links.values().forEach(g -> groups.add(new TreeSet<>(g).toString()));
        return new Tree(entries, groups);
    }
}
