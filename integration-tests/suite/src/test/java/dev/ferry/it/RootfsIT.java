package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ferry export, bundle and build, with umoci, runc and the Docker daemon as oracles. */
class RootfsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LONG = "deep/" + "d".repeat(60) + "/" + "e".repeat(60) + "/" + "f".repeat(80) + ".txt";

    @TempDir
    Path tmp;

    @AfterAll
    static void removeImages() throws Exception {
        Daemon.remove("ferry-it/built:1");
    }

    /**
     * Whiteouts, an opaque folder (its marker last), file/dir swaps, orphaned hardlinks, names, xattrs, setuid,
     * paths named twice in one layer.
     */
    static List<Layers> tricky() {
        Layers base = new Layers()
                .dir("a", 0755)
                .dir("a/b", 0750)
                .file("a/b/file1", 0644, "one")
                .file("a/keep", 0600, "keep")
                .owned(1000, 100)
                .file("d", 0644, "d was a file")
                .dir("x", 0755)
                .dir("x/dirToFile", 0755)
                .file("x/dirToFile/inner", 0644, "inner")
                .dir("opq", 0755)
                .file("opq/old1", 0644, "old")
                .dir("opq/sub", 0755)
                .file("opq/sub/old2", 0644, "old2")
                .dir("hl", 0755)
                .file("hl/target", 0644, "shared content")
                .hardlink("hl/link1", "hl/target")
                .hardlink("hl/link2", "hl/target")
                .dir("bin", 0755)
                .file("bin/su", 04755, "setuid binary")
                .file(LONG, 0644, "a long name")
                .dir("ünïcödé", 0755)
                .file("ünïcödé/файл.txt", 0644, "unicode")
                .symlink("s1", "s2")
                .symlink("s2", "a/keep")
                .file("attrs", 0644, "xattrs here", Map.of("SCHILY.xattr.user.test", "hello"))
                .dir("dev", 0755)
                .special("dev/fifo", TarArchiveEntry.LF_FIFO, 0, 0)
                .special("dev/null", TarArchiveEntry.LF_CHR, 1, 3)
                // one layer naming a path twice: the last entry wins, as in tar and docker
                .file("dup", 0644, "first")
                .dir("twice", 0700)
                .hardlink("hl/replaced", "hl/target")
                .file("dup", 0600, "second, the one that stays")
                .dir("twice", 0755)
                .file("hl/replaced", 0640, "no longer a link");
        Layers changes = new Layers()
                .file("a/b/.wh.file1", 0644, "")
                .dir("d", 0711)
                .file("d/new", 0644, "d is a folder now")
                .file("x/dirToFile", 0644, "now a file")
                .file("opq/new1", 0644, "new")
                .file("opq/.wh..wh..opq", 0644, "")
                .file("hl/.wh.target", 0644, "");
        Layers empty = new Layers();
        Layers repeated = new Layers().dir("r", 0755).file("r/again", 0644, "repeated");
        return List.of(base, changes, empty, repeated, repeated);
    }

    @Test
    void exportAndBundleEqualUmociUnpack() throws Exception {
        Path layout = Layers.layout(tmp.resolve("tricky"), "t", tricky());
        Peers.run(
                        tmp,
                        "umoci",
                        "unpack",
                        "--image",
                        layout + ":t",
                        tmp.resolve("umoci").toString())
                .ok();
        Trees.Tree umoci = Trees.of(tmp.resolve("umoci/rootfs"));
        assertTrue(
                umoci.entries().containsKey("hl/link1") && !umoci.entries().containsKey("hl/target"),
                "the oracle saw the orphaned hardlinks: " + umoci.entries().keySet());

        Path exported = tmp.resolve("rootfs.tar");
        Cli.ferry("export", "oci:" + layout + ":t", exported.toString()).ok();
        Trees.Tree export = Trees.ofTar(exported);
        assertEquals(umoci.entries(), export.entries());
        assertEquals(umoci.hardlinkGroups(), export.hardlinkGroups());

        Cli.ferry("bundle", "-q", "oci:" + layout + ":t", tmp.resolve("bundle").toString())
                .ok();
        Trees.Tree bundle = Trees.of(tmp.resolve("bundle/rootfs"));
        assertEquals(umoci.entries(), bundle.entries());
        assertEquals(umoci.hardlinkGroups(), bundle.hardlinkGroups());
    }

    @Test
    void aBinaryXattrSurvivesByteForByte() throws Exception {
        // security.capability for cap_setuid (bit 7): the byte 0x80 alone is not UTF-8.
        byte[] capability = {
            0x01,
            0x00,
            0x00,
            0x02,
            (byte) 0x80,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            0x00
        };
        String hex = "0x" + HexFormat.of().formatHex(capability);
        Path layout = Layers.layout(
                tmp.resolve("cap"),
                "c",
                List.of(new Layers()
                        .dir("bin", 0755)
                        .fileWithRawXattr("bin/ping", "a capable binary", "security.capability", capability)));
        Peers.run(
                        tmp,
                        "umoci",
                        "unpack",
                        "--image",
                        layout + ":c",
                        tmp.resolve("umoci").toString())
                .ok();
        String umoci = Peers.run(
                        tmp,
                        "getfattr",
                        "-n",
                        "security.capability",
                        "-e",
                        "hex",
                        tmp.resolve("umoci/rootfs/bin/ping").toString())
                .ok()
                .out();
        assertTrue(umoci.contains("security.capability=" + hex), umoci);
        Path exported = tmp.resolve("cap.tar");
        Cli.ferry("export", "oci:" + layout + ":c", exported.toString()).ok();
        Path extracted = Files.createDirectories(tmp.resolve("extracted"));
        Peers.run(tmp, "tar", "--xattrs", "--xattrs-include=*", "-xf", exported.toString(), "-C", extracted.toString())
                .ok();
        String ours = Peers.run(
                        tmp,
                        "getfattr",
                        "-n",
                        "security.capability",
                        "-e",
                        "hex",
                        extracted.resolve("bin/ping").toString())
                .ok()
                .out();
        assertTrue(ours.contains("security.capability=" + hex), "GNU tar reads back the same bytes: " + ours);
        Cli.ferry("bundle", "oci:" + layout + ":c", tmp.resolve("bundle").toString())
                .ok();
        String bundled = Peers.run(
                        tmp,
                        "getfattr",
                        "-n",
                        "security.capability",
                        "-e",
                        "hex",
                        tmp.resolve("bundle/rootfs/bin/ping").toString())
                .ok()
                .out();
        assertTrue(bundled.contains("security.capability=" + hex), "the bundle has it too: " + bundled);
    }

    @Test
    void exportOptionsAsLinuxkit() throws Exception {
        Path layout = Layers.layout(
                tmp.resolve("img"),
                "t",
                List.of(new Layers()
                        .dir("etc", 0755)
                        .file("etc/hostname", 0644, "box")
                        .file("etc/motd", 0644, "hi")
                        .file(".dockerenv", 0644, "")
                        .hardlink("etc/motd2", "etc/motd")
                        .symlink("etc/abs", "/etc/motd")));
        Files.writeString(tmp.resolve("issue"), "replaced\n");
        Path out = tmp.resolve("out.tar");
        Cli.ferry(
                        "export",
                        "--prefix",
                        "srv/lower/",
                        "--exclude",
                        "etc/motd2",
                        "--replace",
                        "etc/motd=" + tmp.resolve("issue"),
                        "--resolv-conf-symlink",
                        "/run/resolv.conf",
                        "--docker-defaults",
                        "oci:" + layout + ":t",
                        out.toString())
                .ok();
        TreeMap<String, String> entries = Trees.ofTar(out).entries();
        assertTrue(entries.get("srv").startsWith("dir 755"), entries.toString());
        assertTrue(entries.get("srv/lower").startsWith("dir 755"));
        assertTrue(entries.get("srv/lower/etc/motd")
                .endsWith(HexFormat.of().formatHex(Fixtures.sha256().digest("replaced\n".getBytes()))));
        assertFalse(entries.containsKey("srv/lower/etc/motd2"));
        assertFalse(entries.containsKey("srv/lower/etc/hostname"), "docker defaults drop etc/hostname");
        assertFalse(entries.containsKey("srv/lower/.dockerenv"));
        assertEquals("symlink 777 0:0 /run/resolv.conf", entries.get("srv/lower/etc/resolv.conf"));
        assertEquals("symlink 777 0:0 /etc/motd", entries.get("srv/lower/etc/abs"), "symlink targets left alone");
        assertTrue(entries.get("srv/lower/etc/hosts").startsWith("file 755"));
        Cli.ferry("export", "--prefix", "/abs/", "oci:" + layout + ":t", out.toString())
                .fails(2, "prefix");
        Cli.ferry("export", "--replace", "etc/motd", "oci:" + layout + ":t", out.toString())
                .fails(2, "PATH=FILE");
    }

    @Test
    void hostileLayersStayInside() throws Exception {
        String marker = "ferry-pwned-" + UUID.randomUUID();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path bundleParent = Files.createDirectories(tmp.resolve("work"));
        Layers first = new Layers()
                .file("../../../../../../tmp/" + marker, 0644, "climbed")
                .file("/tmp/" + marker + "-abs", 0644, "absolute")
                .symlink("evil", "/")
                .file("evil/tmp/" + marker + "-link", 0644, "through a link, one layer")
                .symlink("up", "../../../../../../../" + outside.toString().substring(1))
                .symlink("rootlink", "/" + outside.toString().substring(1))
                .hardlink("passwd", "/etc/passwd")
                .file("ok", 0644, "fine");
        Layers second = new Layers()
                .file("up/pwned", 0644, "through a link, across layers")
                .file("rootlink/pwned2", 0644, "through an absolute link");
        Path layout = Layers.layout(tmp.resolve("hostile"), "h", List.of(first, second));
        TreeMap<String, String> before = Fixtures.snapshot(tmp);

        Path bundle = bundleParent.resolve("bundle");
        Cli.ferry("bundle", "-q", "oci:" + layout + ":h", bundle.toString()).ok();
        Path exported = bundleParent.resolve("x.tar");
        Cli.ferry("export", "oci:" + layout + ":h", exported.toString()).ok();

        assertFalse(Files.exists(Path.of("/tmp/" + marker)));
        assertFalse(Files.exists(Path.of("/tmp/" + marker + "-abs")));
        assertFalse(Files.exists(Path.of("/tmp/" + marker + "-link")));
        TreeMap<String, String> after = Fixtures.snapshot(tmp);
        after.keySet().removeIf(k -> k.startsWith("work"));
        before.keySet().removeIf(k -> k.startsWith("work"));
        assertEquals(before, after, "nothing was created or changed outside the bundle");
        assertEquals("fine", Files.readString(bundle.resolve("rootfs/ok")));
        assertTrue(Files.exists(bundle.resolve("rootfs/tmp/" + marker)), "../ is clamped at the root");
        // The export: every name clean, nothing under a name that is a symlink.
        Set<String> symlinks = new HashSet<>();
        try (InputStream in = Files.newInputStream(exported);
                TarArchiveInputStream t = new TarArchiveInputStream(in, "UTF-8")) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                String name = e.getName();
                assertFalse(
                        name.startsWith("/") || name.equals("..") || name.startsWith("../") || name.contains("/../"),
                        name);
                for (String s : symlinks) {
                    assertFalse(name.startsWith(s + "/"), name + " is under the symlink " + s);
                }
                if (e.isSymbolicLink()) {
                    symlinks.add(name);
                }
                if (e.isLink()) {
                    assertFalse(e.getLinkName().startsWith("/"), e.getLinkName());
                }
            }
        }
    }

    @Test
    void runcRunsABundleOfTheDaemonImage() throws Exception {
        String image = Daemon.image();
        Path bundle = tmp.resolve("b");
        Cli.ferry("bundle", "docker-api:" + image, bundle.toString()).ok();
        SpecSchemas.load().assertValidRuntimeConfig(Files.readAllBytes(bundle.resolve("config.json")));
        JsonNode config = JSON.readTree(bundle.resolve("config.json").toFile());
        assertEquals(
                "[\"/bin/echo\",\"" + Daemon.OUTPUT + "\"]",
                config.path("process").path("args").toString());
        assertTrue(config.path("root").path("readonly").asBoolean());
        Peers.Result run = Peers.run(
                        bundle,
                        "runc",
                        "run",
                        "--bundle",
                        bundle.toString(),
                        "ferry-it-" + UUID.randomUUID().toString().substring(0, 8))
                .ok();
        assertEquals(Daemon.OUTPUT, run.out().strip());

        Path writable = tmp.resolve("w");
        Cli.ferry("bundle", "--writable", "docker-cli:" + image, writable.toString())
                .ok();
        try (Stream<Path> list = Files.list(writable)) {
            assertEquals(
                    List.of("config.json", "lower", "rootfs", "tmp"),
                    list.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.exists(writable.resolve("lower/bin/busybox")));
        try (Stream<Path> empty = Files.list(writable.resolve("rootfs"))) {
            assertEquals(0, empty.count());
        }
        assertFalse(JSON.readTree(writable.resolve("config.json").toFile())
                .path("root")
                .path("readonly")
                .asBoolean());
        // A folder in use is refused and left alone.
        Cli.ferry("bundle", "docker-api:" + image, writable.toString()).fails(1, "not empty");
        assertTrue(Files.exists(writable.resolve("lower/bin/busybox")));
    }

    @Test
    void buildIsReproducibleAndRuns() throws Exception {
        String image = Daemon.image();
        // The same folder twice, with different mtimes (and different inode numbers).
        Path one = context(tmp.resolve("one"), 1_700_000_000_000L);
        Path two = context(tmp.resolve("two"), 946_684_800_000L);
        String[] options = {
            "--from",
            "docker-api:" + image,
            "--cmd",
            "[\"/bin/sh\",\"/app/run.sh\"]",
            "--env",
            "A=1",
            "--label",
            "org.example=built",
            "--workdir",
            "/app"
        };
        String first = Cli.ferry(concat(
                        new String[] {"build", one.toString(), "--to", "oci:" + tmp.resolve("l1") + ":x"}, options))
                .ok()
                .out()
                .strip();
        String second = Cli.ferry(concat(
                        new String[] {"build", two.toString(), "--to", "oci:" + tmp.resolve("l2") + ":x"}, options))
                .ok()
                .out()
                .strip();
        assertEquals(first, second, "the same folder gives the same digest, whatever its mtimes");
        JsonNode inspected = JSON.readTree(
                Cli.ferry("inspect", "oci:" + tmp.resolve("l1") + ":x").ok().out());
        assertEquals(2, inspected.path("Layers").size());
        assertEquals("/app", inspected.path("WorkingDir").asText());
        assertEquals("built", inspected.path("Labels").path("org.example").asText());
        assertTrue(
                inspected.path("Env").toString().contains("A=1")
                        && inspected.path("Env").toString().contains("GREETING=hello"),
                "the base's env is kept");
        Cli.ferry(concat(
                        new String[] {"build", tmp.resolve("one").toString(), "--to", "docker-api:ferry-it/built:1"},
                        options))
                .ok();
        assertEquals("built by ferry", Daemon.run("ferry-it/built:1"));
        // From nothing: a one-layer image.
        Cli.ferry(
                        "build",
                        tmp.resolve("one").toString(),
                        "--to",
                        "oci:" + tmp.resolve("l3") + ":x",
                        "--cmd",
                        "/app/run.sh")
                .ok();
        assertEquals(
                1,
                JSON.readTree(Cli.ferry("inspect", "oci:" + tmp.resolve("l3") + ":x")
                                .ok()
                                .out())
                        .path("Layers")
                        .size());
    }

    private static Path context(Path root, long mtime) throws Exception {
        Path app = Files.createDirectories(root.resolve("app"));
        Files.writeString(app.resolve("run.sh"), "echo built by ferry\n");
        Files.setPosixFilePermissions(app.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(app.resolve("link"), Path.of("run.sh"));
        Files.createLink(app.resolve("hard"), app.resolve("run.sh"));
        for (Path p : List.of(app.resolve("run.sh"), app, root)) {
            Files.setLastModifiedTime(p, FileTime.fromMillis(mtime));
        }
        return root;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void theGenericExportEqualsDockerExportWithDockerDefaults() throws Exception {
        String image = Daemon.image();
        int containers = Daemon.containers();
        Path generic = tmp.resolve("generic.tar");
        Cli.ferry("export", "--docker-defaults", "docker-api:" + image, generic.toString())
                .ok();
        for (String transport : List.of("docker-cli", "docker-api")) {
            Path viaContainer = tmp.resolve(transport + ".tar");
            Cli.ferry(
                            "export",
                            "--docker-defaults",
                            "--via-container",
                            transport + ":" + image,
                            viaContainer.toString())
                    .ok();
            assertEquals(
                    Trees.ofTar(generic).entries(), Trees.ofTar(viaContainer).entries(), transport);
        }
        // And the route through the container is docker export itself, minus linuxkit's lists.
        Path raw = tmp.resolve("raw.tar");
        String id = Peers.run(tmp, "docker", "create", image, "/dev/null")
                .ok()
                .out()
                .strip();
        try {
            Peers.run(tmp, "docker", "export", "-o", raw.toString(), id).ok();
        } finally {
            Peers.run(tmp, "docker", "rm", "-f", id).ok();
        }
        TreeMap<String, String> docker = Trees.ofTar(raw).entries();
        TreeMap<String, String> ours =
                Trees.ofTar(tmp.resolve("docker-cli.tar")).entries();
        for (String dropped : List.of(".dockerenv", "dev/console", "dev/pts", "dev/shm", "etc/hostname")) {
            assertTrue(docker.containsKey(dropped));
            docker.remove(dropped);
        }
        assertEquals(docker.keySet(), ours.keySet());
        // Without options, it is docker export's own tar, copied as it is (and checked on the way)
        for (String transport : List.of("docker-cli", "docker-api")) {
            Path plain = tmp.resolve(transport + "-plain.tar");
            Cli.ferry("export", "--via-container", transport + ":" + image, plain.toString())
                    .ok();
            assertEquals(Trees.ofTar(raw).entries(), Trees.ofTar(plain).entries(), transport);
        }
        assertEquals(containers, Daemon.containers(), "no container left");
        Cli.ferry(
                        "export",
                        "--via-container",
                        "oci:" + tmp.resolve("nope"),
                        tmp.resolve("n.tar").toString())
                .fails(2, "--via-container");
    }
}
