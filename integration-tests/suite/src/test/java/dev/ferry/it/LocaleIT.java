package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names are bytes, whatever the locale: export, bundle and build of non-ASCII names with LANG, LC_ALL and LC_CTYPE
 * unset (as in a fresh Debian container) through the real {@code ./ferry} launcher give the right names and the
 * digests of a UTF-8 locale; Java run without the launcher fails with one line naming the fix, never mangles.
 * The test JVM's own locale does not matter: no non-ASCII name becomes a path in it (fixtures are tar bytes, the
 * build context is made by bash from escapes, trees are listed by find as bytes).
 */
class LocaleIT {
    /** What the image holds: names in PAX records, and names in the headers themselves (GNU tar). */
    private static final Map<String, String> TREE = new TreeMap<>(Map.of(
            "café",
            "file",
            "link-é",
            "-> café",
            "日本",
            "dir",
            "日本/ファイル",
            "file",
            "gnu-é",
            "file",
            "gnu-日本",
            "dir",
            "gnu-日本/名前",
            "file"));

    @TempDir
    Path tmp;

    record Run(int code, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8).strip();
        }

        Run ok() {
            assertEquals(0, code, "failed: " + stderr);
            return this;
        }

        Run fails(String... fragments) {
            assertEquals(1, code, "exit code; stderr: " + stderr);
            assertTrue(stderr.startsWith("ferry: "), stderr);
            assertEquals(1, stderr.strip().lines().count(), "one line on stderr: " + stderr);
            for (String fragment : fragments) {
                assertTrue(stderr.contains(fragment), "stderr should mention '" + fragment + "': " + stderr);
            }
            return this;
        }
    }

    /** Runs {@code command} with no locale at all (LANG, LC_ALL, LC_CTYPE removed), plus {@code env}. */
    private static Run run(Map<String, String> env, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.startsWith("LC_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getErrorStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "still running: " + command);
        return new Run(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }

    private static Path repo() {
        return Path.of(System.getProperty("ferry.repoRoot", "..")).toAbsolutePath();
    }

    /** The real launcher, without a locale. */
    private static Run ferry(String... args) throws Exception {
        return ferry(Map.of(), args);
    }

    private static Run ferry(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(repo().resolve("ferry").toString()));
        command.addAll(List.of(args));
        return run(env, command);
    }

    /** Java run on the jar directly, as a library user or another launcher would, without a locale. */
    private static Run java(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                repo().resolve("cli/target/ferry.jar").toString()));
        command.addAll(List.of(args));
        return run(Map.of(), command);
    }

    private Path image() throws IOException {
        Layers pax = new Layers()
                .file("café", 0644, "c")
                .symlink("link-é", "café")
                .dir("日本", 0755)
                .file("日本/ファイル", 0644, "f");
        Layers gnu = new Layers()
                .rawNames("UTF-8")
                .file("gnu-é", 0644, "g")
                .dir("gnu-日本", 0755)
                .file("gnu-日本/名前", 0644, "n");
        return Layers.layout(tmp.resolve("image"), "t", List.of(pax, gnu));
    }

    /** The entries of a tar: name to "file", "dir" or "-> target", names decoded as UTF-8. */
    private static Map<String, String> tarTree(Path tar) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tar);
                TarArchiveInputStream t = new TarArchiveInputStream(in, "UTF-8")) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                String name = e.getName().replaceAll("^\\./|/$", "");
                if (!name.isEmpty() && !name.equals(".")) {
                    tree.put(name, e.isDirectory() ? "dir" : e.isSymbolicLink() ? "-> " + e.getLinkName() : "file");
                }
            }
        }
        return tree;
    }

    /** The tree under {@code dir}, listed by find as bytes and decoded strictly as UTF-8. */
    private static Map<String, String> diskTree(Path dir) throws Exception {
        Run find = run(
                        Map.of("LC_ALL", "C"),
                        List.of("find", dir.toString(), "-mindepth", "1", "-printf", "%P\\0%y\\0%l\\0"))
                .ok();
        String[] fields = utf8(find.stdout()).split("\0", -1);
        Map<String, String> tree = new TreeMap<>();
        for (int i = 0; i + 2 < fields.length; i += 3) {
            String kind = fields[i + 1];
            tree.put(
                    fields[i],
                    kind.equals("d")
                            ? "dir"
                            : kind.equals("l") ? "-> " + fields[i + 2] : kind.equals("f") ? "file" : kind);
        }
        return tree;
    }

    private static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    @Test
    void exportWithoutALocaleKeepsTheNames() throws Exception {
        Path image = image();
        Path out = tmp.resolve("out.tar");
        ferry("export", "-q", "oci:" + image + ":t", out.toString()).ok();
        assertEquals(TREE, tarTree(out));
        // the same bytes as in a UTF-8 locale
        Path utf8 = tmp.resolve("utf8.tar");
        ferry(Map.of("LC_ALL", "C.UTF-8"), "export", "-q", "oci:" + image + ":t", utf8.toString())
                .ok();
        assertEquals(Fixtures.sha256(utf8), Fixtures.sha256(out));
    }

    @Test
    void bundleWithoutALocaleKeepsTheNames() throws Exception {
        Path bundle = tmp.resolve("bundle");
        ferry("bundle", "-q", "oci:" + image() + ":t", bundle.toString()).ok();
        assertEquals(TREE, diskTree(bundle.resolve("rootfs")));
    }

    /** A build context made by bash from escapes: café, 日本/ファイル and a symlink to café. */
    private Path context(String name) throws Exception {
        Path dir = tmp.resolve(name);
        run(
                        Map.of(),
                        List.of(
                                "bash",
                                "-c",
                                "set -e; mkdir -p \"$1\"; cd \"$1\"; echo c > $'caf\\xc3\\xa9';"
                                        + " mkdir $'\\xe6\\x97\\xa5\\xe6\\x9c\\xac'; echo f > $'\\xe6\\x97\\xa5\\xe6\\x9c\\xac/"
                                        + "\\xe3\\x83\\x95\\xe3\\x82\\xa1\\xe3\\x82\\xa4\\xe3\\x83\\xab'; ln -s $'caf\\xc3\\xa9' $'link-\\xc3\\xa9'",
                                "bash",
                                dir.toString()))
                .ok();
        return dir;
    }

    @Test
    void buildWithoutALocaleGivesTheDigestOfAUtf8One() throws Exception {
        Path context = context("context");
        Path noLocale = tmp.resolve("no-locale");
        Path utf8 = tmp.resolve("utf8");
        String digest = ferry("build", "-q", "--to", "oci:" + noLocale + ":t", context.toString())
                .ok()
                .out();
        String expected = ferry(
                        Map.of("LC_ALL", "C.UTF-8"), "build", "-q", "--to", "oci:" + utf8 + ":t", context.toString())
                .ok()
                .out();
        assertTrue(expected.startsWith("sha256:"), expected);
        assertEquals(expected, digest);
        // a UTF-8 locale this system lacks (libc falls back to C), as a container may name one
        assertEquals(
                expected,
                ferry(
                                Map.of("LANG", "xx_XX.UTF-8"),
                                "build",
                                "-q",
                                "--to",
                                "oci:" + tmp.resolve("missing-locale") + ":t",
                                context.toString())
                        .ok()
                        .out());
        Path out = tmp.resolve("built.tar");
        ferry("export", "-q", "oci:" + noLocale + ":t", out.toString()).ok();
        assertEquals(Map.of("café", "file", "link-é", "-> café", "日本", "dir", "日本/ファイル", "file"), tarTree(out));
    }

    /** Names that are not UTF-8 cannot be kept as they are by Java: one clear line, never a U+FFFD. */
    @Test
    void namesThatAreNotUtf8AreRefused() throws Exception {
        Layers latin1 =
                new Layers().rawNames("ISO-8859-1").file("ok", 0644, "ok").file("caf\u00e9", 0644, "l");
        Path image = Layers.layout(tmp.resolve("latin1"), "t", List.of(latin1));
        Path out = tmp.resolve("out.tar");
        ferry("export", "-q", "oci:" + image + ":t", out.toString()).fails("not valid UTF-8");
        assertFalse(Files.exists(out));
        ferry("bundle", "-q", "oci:" + image + ":t", tmp.resolve("bundle").toString())
                .fails("not valid UTF-8");
        Path context = tmp.resolve("context");
        run(Map.of(), List.of("bash", "-c", "mkdir \"$1\" && echo l > \"$1\"/$'caf\\xe9'", "bash", context.toString()))
                .ok();
        Path built = tmp.resolve("built");
        Run build = ferry("build", "-q", "--to", "oci:" + built + ":t", context.toString())
                .fails("not valid UTF-8");
        assertEquals("", build.out());
    }

    /**
     * Java run on the jar without a locale: bundle and build cannot make or read such names, and say how to fix
     * it in one line (no digest printed, nothing mangled); export needs no file names, and keeps them right.
     */
    @Test
    void withoutTheLauncherAndWithoutALocaleTheErrorNamesTheFix() throws Exception {
        Path image = image();
        java("bundle", "-q", "oci:" + image + ":t", tmp.resolve("bundle").toString())
                .fails("LC_ALL=C.UTF-8");
        Run build = java(
                        "build",
                        "-q",
                        "--to",
                        "oci:" + tmp.resolve("built") + ":t",
                        context("context").toString())
                .fails("LC_ALL=C.UTF-8");
        assertEquals("", build.out());
        Path out = tmp.resolve("out.tar");
        java("export", "-q", "oci:" + image + ":t", out.toString()).ok();
        assertEquals(TREE, tarTree(out));
    }
}
