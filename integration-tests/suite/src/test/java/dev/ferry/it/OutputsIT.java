package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where output goes: only regular files (new, or replaced atomically when the user may write them and, for a
 * tar, they are empty or a tar) or standard output; anything else is refused with one line and left exactly as
 * it was. Hostile JSON, a closed standard output and file system errors are one line each.
 */
class OutputsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    @TempDir
    Path tmp;

    Path source;
    String image;

    @BeforeEach
    void layout() throws Exception {
        source = Fixtures.syntheticLayout(tmp.resolve("src"), "latest", 300_000);
        image = "oci:" + source + ":latest";
    }

    private static boolean isRoot() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The entry names of a tar file. */
    private static List<String> entries(Path tar) throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(tar);
                TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (var e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }

    @Test
    void devFullStaysADevice() throws Exception {
        Path full = Path.of("/dev/full");
        Cli.ferry("export", image, full.toString()).fails(1, "/dev/full: it is a character device", "regular file");
        assertEquals(S_IFCHR, mode(full) & S_IFMT, "/dev/full is still a character device");
        Cli.ferry("copy", "-q", image, "docker-archive:/dev/full").fails(1, "it is a character device");
        assertEquals(S_IFCHR, mode(full) & S_IFMT, "/dev/full is still a character device");
    }

    @Test
    void aDeviceNodeASymlinkToOneAndAFifoAreRefusedAndKept() throws Exception {
        Path device = tmp.resolve("full");
        Process mknod = new ProcessBuilder("mknod", device.toString(), "c", "1", "7")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (mknod.waitFor() != 0) {
            Files.createSymbolicLink(device, Path.of("/dev/full")); // only root (with CAP_MKNOD) makes device nodes
        }
        Path link = Files.createSymbolicLink(tmp.resolve("link.tar"), device);
        Path fifo = tmp.resolve("fifo.tar");
        run("mkfifo", fifo.toString());
        Cli.ferry("export", image, device.toString()).fails(1, "character device", "- for standard output");
        Cli.ferry("export", image, link.toString())
                .fails(1, "link.tar: it is a symlink to " + device, "character device");
        // a FIFO is refused by its type, never opened: opening it would block until a reader came
        Cli.ferry("export", image, fifo.toString()).fails(1, "fifo.tar: it is a FIFO");
        Cli.ferry("copy", "-q", image, "docker-archive:" + fifo).fails(1, "it is a FIFO");
        assertEquals(S_IFCHR, mode(Path.of("/dev/full")) & S_IFMT);
        assertEquals(0020000, mode(device.toRealPath()) & S_IFMT);
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(0010000, mode(fifo) & S_IFMT, "still a FIFO");
        assertEquals(List.of("fifo.tar", "full", "link.tar", "src"), names(tmp), "no temporary file left");
    }

    @Test
    void aSocketIsRefused() throws Exception {
        Path socket = tmp.resolve("socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Cli.ferry("export", image, socket.toString()).fails(1, "socket: it is a socket");
            assertEquals(0140000, mode(socket) & S_IFMT);
        }
    }

    @Test
    void aDirectoryIsRefusedAndUntouched() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(dir.resolve("keep.txt"), "mine");
        Cli.ferry("export", image, dir.toString()).fails(1, "out: it is a directory");
        Cli.ferry("copy", "-q", image, "docker-archive:" + dir).fails(1, "it is a directory");
        assertEquals(List.of("keep.txt"), names(dir));
    }

    @Test
    void aFileThatIsNotATarIsReplacedOnlyWithForceAndKeepsItsMode() throws Exception {
        Path notes = Files.writeString(tmp.resolve("notes.txt"), "years of work\n");
        Files.setAttribute(notes, "unix:mode", 0640);
        Cli.ferry("export", image, notes.toString()).fails(1, "notes.txt: it is not a tar archive", "--force");
        assertEquals("years of work\n", Files.readString(notes));

        Cli.ferry("export", "--force", image, notes.toString()).ok();
        assertEquals(List.of("data/", "data/layer-0.bin"), entries(notes));
        assertEquals(0100640, mode(notes), "a regular file with its mode kept");
        assertEquals(List.of("notes.txt", "src"), names(tmp), "no temporary file left");

        // now a tar: replaced without --force; an empty file too
        Cli.ferry("export", image, notes.toString()).ok();
        Path empty = Files.createFile(tmp.resolve("empty.tar"));
        Cli.ferry("export", image, empty.toString()).ok();
        assertEquals(List.of("data/", "data/layer-0.bin"), entries(empty));
    }

    @Test
    void exportSweepsWhatAKilledExportLeftBesideItsTarget() throws Exception {
        Path out = tmp.resolve("out.tar");
        // what a SIGKILLed export leaves: a temporary name whose owner (PID 999999999) is gone
        Path dead = Files.writeString(tmp.resolve(".ferry-out.tar-999999999.1-0123456789ab.tmp"), "partial");
        // a live process's temporary file (this JVM's PID, its start time unknown): not ours to remove
        Path live = Files.writeString(
                tmp.resolve(".ferry-out.tar-" + ProcessHandle.current().pid() + ".0-0123456789ab.tmp"), "in use");
        Cli.ferry("export", image, out.toString()).ok();
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(live));
        Files.delete(live);
        assertEquals(List.of("out.tar", "src"), names(tmp));
    }

    @Test
    void aSymlinkToARegularFileIsWrittenThroughAndKept() throws Exception {
        Path builds = Files.createDirectories(tmp.resolve("builds"));
        Path real = Files.createFile(builds.resolve("today.tar"));
        Path link = Files.createSymbolicLink(tmp.resolve("latest.tar"), Path.of("builds/today.tar"));
        Cli.ferry("export", image, link.toString()).ok();
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(Path.of("builds/today.tar"), Files.readSymbolicLink(link));
        assertEquals(List.of("data/", "data/layer-0.bin"), entries(real));
        assertEquals(List.of("today.tar"), names(builds));

        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling.tar"), Path.of("gone/x.tar"));
        Cli.ferry("export", image, dangling.toString())
                .fails(1, "dangling.tar: it is a symlink to gone/x.tar," + " which does not exist");
        assertFalse(Files.exists(tmp.resolve("gone")));
    }

    @Test
    void aReadOnlyFileIsReplacedOnlyByAUserWhoMayWriteIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ro"));
        Path out = tmp.resolve("ro/out.tar");
        Cli.ferry("export", image, out.toString()).ok();
        byte[] before = Files.readAllBytes(out);
        Files.setAttribute(out, "unix:mode", 0444);
        if (!isRoot()) {
            Cli.ferry("export", image, out.toString())
                    .fails(1, "out.tar: it is read-only for this user (mode 0444)", "chmod u+w");
            assertArrayEquals(before, Files.readAllBytes(out));
            return;
        }
        // root may write it (as cp and tar would): replaced, still 0444
        Files.write(out, new byte[0]); // emptied, so that the export below visibly replaces it
        Cli.ferry("export", image, out.toString()).ok();
        assertArrayEquals(before, Files.readAllBytes(out));
        assertEquals(0100444, mode(out));
        // another user may not: run the real CLI as nobody, who owns the folder but not the write permission
        for (Path p : new Path[] {tmp, source, source.resolve("blobs"), source.resolve("blobs/sha256")}) {
            Files.setAttribute(p, "unix:mode", 0755);
        }
        Files.setAttribute(dir, "unix:uid", 65534);
        Files.setAttribute(out, "unix:uid", 65534);
        Files.setAttribute(out, "unix:mode", 0444);
        // the CLI's jars, copied where nobody may read them (the checkout may be in a private home folder)
        Path built = Path.of(System.getProperty("ferry.repoRoot", "..")).resolve("cli/target");
        Path cli =
                Fixtures.copyTree(built.resolve("lib"), tmp.resolve("cli/lib")).getParent();
        Files.copy(built.resolve("ferry.jar"), cli.resolve("ferry.jar"));
        for (Path p : new Path[] {cli, cli.resolve("lib")}) {
            Files.setAttribute(p, "unix:mode", 0755);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                java,
                "-jar",
                cli.resolve("ferry.jar").toString(),
                "export",
                image,
                out.toString());
        pb.environment().put("HOME", dir.toString());
        Process p = pb.redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), output);
        assertEquals(
                "ferry: cannot replace " + out + ": it is read-only for this user (mode 0444); make it"
                        + " writable (chmod u+w), or name another file",
                output.strip());
        assertArrayEquals(before, Files.readAllBytes(out));
        assertEquals(0100444, mode(out));
    }

    /** Rewrites the layout's config with {@code edit} applied, and the manifest and index.json to match. */
    private void rewriteConfig(byte[] config) throws Exception {
        Path blobs = source.resolve("blobs/sha256");
        String manifestDigest = Fixtures.entry(source, "latest").path("digest").asText();
        ObjectNode manifest = (ObjectNode) Fixtures.blobJson(source, manifestDigest);
        String hex = HexFormat.of().formatHex(Fixtures.sha256().digest(config));
        Files.write(blobs.resolve(hex), config);
        ((ObjectNode) manifest.path("config")).put("digest", "sha256:" + hex).put("size", config.length);
        writeManifest(JSON.writeValueAsBytes(manifest));
    }

    private void writeManifest(byte[] manifest) throws Exception {
        String hex = HexFormat.of().formatHex(Fixtures.sha256().digest(manifest));
        Files.write(source.resolve("blobs/sha256").resolve(hex), manifest);
        ObjectNode index =
                (ObjectNode) JSON.readTree(source.resolve("index.json").toFile());
        ((ObjectNode) index.path("manifests").get(0))
                .put("digest", "sha256:" + hex)
                .put("size", manifest.length);
        Files.write(source.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    private byte[] configWith(String field, byte[] value) throws Exception {
        String manifestDigest = Fixtures.entry(source, "latest").path("digest").asText();
        String configDigest = Fixtures.blobJson(source, manifestDigest)
                .path("config")
                .path("digest")
                .asText();
        byte[] config = Files.readAllBytes(Fixtures.blobPath(source, configDigest));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(config, 0, config.length - 1); // without its closing brace
        out.write((",\"" + field + "\":").getBytes(StandardCharsets.UTF_8));
        out.write(value);
        out.write('}');
        return out.toByteArray();
    }

    private static byte[] nested(int depth) {
        return ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void deeplyNestedJsonIsOneLineNamingTheDocumentAndTheLimit() throws Exception {
        rewriteConfig(configWith("x", nested(100_000)));
        Path out = tmp.resolve("out.tar");
        Cli.ferry("export", image, out.toString())
                .fails(1, "config sha256:", "of " + image, "nests arrays or objects more than 1000 levels deep");
        Cli.ferry("bundle", image, tmp.resolve("bundle").toString()).fails(1, "more than 1000 levels deep");
        Cli.ferry("inspect", image).fails(1, "more than 1000 levels deep");
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(tmp.resolve("bundle")));

        String manifestDigest = Fixtures.entry(source, "latest").path("digest").asText();
        byte[] manifest = Files.readAllBytes(Fixtures.blobPath(source, manifestDigest));
        ByteArrayOutputStream deep = new ByteArrayOutputStream();
        deep.write(manifest, 0, manifest.length - 1);
        deep.write(",\"x\":".getBytes(StandardCharsets.UTF_8));
        deep.write(nested(100_000));
        deep.write('}');
        writeManifest(deep.toByteArray());
        Cli.ferry("inspect", image).fails(1, "manifest sha256:", "more than 1000 levels deep");
        Cli.ferry("copy", "-q", image, "oci:" + tmp.resolve("copy") + ":x").fails(1, "more than 1000 levels deep");
    }

    @Test
    void oversizedManifestsAndConfigsAreOneLine() throws Exception {
        byte[] big = ("\"" + "x".repeat(17 << 20) + "\"").getBytes(StandardCharsets.UTF_8);
        rewriteConfig(configWith("x", big));
        Cli.ferry("export", image, tmp.resolve("out.tar").toString())
                .fails(1, "config sha256:", "more than the 16777216");
        String manifestDigest = Fixtures.entry(source, "latest").path("digest").asText();
        byte[] manifest = Files.readAllBytes(Fixtures.blobPath(source, manifestDigest));
        ByteArrayOutputStream large = new ByteArrayOutputStream();
        large.write(manifest, 0, manifest.length - 1);
        large.write((",\"x\":\"" + "x".repeat(5 << 20) + "\"}").getBytes(StandardCharsets.UTF_8));
        writeManifest(large.toByteArray());
        Cli.ferry("inspect", image).fails(1, "manifest sha256:", "more than the 4194304 (4 MiB)");
        Cli.ferry("export", image, tmp.resolve("out.tar").toString()).fails(1, "manifest sha256:");
        assertFalse(Files.exists(tmp.resolve("out.tar")));
    }

    /** Runs the real launcher with its standard output a pipe that this test closes before reading anything. */
    private static void closedStdout(String... args) throws Exception {
        Path launcher = Path.of(System.getProperty("ferry.repoRoot", "..")).resolve("ferry");
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getInputStream().close(); // as `| head -c 0` would: every write now fails with EPIPE
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "ferry ended");
        assertEquals(1, p.exitValue(), err);
        assertEquals(1, err.strip().lines().count(), "one line: " + err);
        assertTrue(err.startsWith("ferry: standard output was closed before the end of the output"), err);
    }

    @Test
    void aClosedStandardOutputIsAFailure() throws Exception {
        closedStdout("export", image, "-");
        closedStdout("inspect", image);
        closedStdout("inspect", "--raw", image);
    }

    @Test
    void bundleIntoADanglingSymlinkSaysSo() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("bundle"), tmp.resolve("gone/bundle"));
        Cli.ferry("bundle", image, link.toString())
                .fails(
                        1,
                        "cannot create the folder " + link,
                        "it is a symlink to " + tmp.resolve("gone/bundle") + ", which does not exist",
                        "remove the link");
        assertTrue(Files.isSymbolicLink(link));
        assertFalse(Files.exists(tmp.resolve("gone")));
    }

    @Test
    void aPathOverTheSystemLimitIsAShortLineWithAHint() throws Exception {
        Path deep = tmp;
        for (int i = 0; i < 25; i++) {
            deep = deep.resolve("d".repeat(200));
        }
        assertTrue(deep.toString().length() > 4096);
        for (String[] args : new String[][] {
            {"export", image, deep.resolve("out.tar").toString()},
            {"bundle", image, deep.resolve("bundle").toString()},
            {"copy", "-q", image, "docker-archive:" + deep.resolve("out.tar")}
        }) {
            Cli.Result r = Cli.ferry(args).fails(1, tmp.toString(), "...");
            assertTrue(r.stderr().length() < 500, r.stderr().length() + " characters: " + r.stderr());
        }
        Cli.ferry("export", image, deep.resolve("out.tar").toString())
                .fails(1, "File name too long", "use a shorter path");
        assertEquals(List.of("src"), names(tmp));
    }
}
