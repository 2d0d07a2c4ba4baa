package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.spi.support.TempFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kill campaign: each command that writes (copy into oci:, oci-archive:, docker-archive: and the Docker daemon,
 * export, bundle, build) is run by the real {@code ./ferry} launcher and interrupted, three times by SIGKILL at a
 * random moment of its run (a seeded {@link Random}; the seed is printed, {@code -Dferry.killSeed=N} replays it), once by SIGINT and
 * once by SIGTERM while it writes. After each: the destination is valid (its earlier refs read by skopeo and
 * umoci, or the old file intact), a rerun succeeds, and after the rerun nothing of Ferry's is left: no
 * {@code .ferry-*} beside the target, in the private {@code --tmpdir}, or in the bundle folder. The figures
 * (kills landed, corrupt stores, leftovers after the next run, failed reruns) are printed at the end.
 */
class KillCampaignIT {
    /** Big enough that a kill lands mid-work, small enough that the campaign stays under three minutes. */
    private static final long BIG_LAYER = 32L << 20;

    private static final int KILLS = 3;

    private static Path big;
    private static Path small;
    private static Path bigContext;

    @TempDir
    Path tmp;

    private enum Signal {
        KILL,
        INT,
        TERM
    }

    /** The counts printed at the end, over all scenarios. */
    private static final class Figures {
        int runs;
        int landed;
        int corrupt;
        int leftoversAfterSignal;
        int leftoversAfterRerun;
        int failedReruns;
        final List<String> problems = new ArrayList<>();
    }

    /** One command and its destination. */
    private abstract static class Scenario {
        final String name;
        /** How many SIGKILLs (the daemon's load is slow: fewer there, to keep the campaign near three minutes). */
        int kills = KILLS;

        Path work;
        Path tmpdir;

        Scenario(String name) {
            this.name = name;
        }

        /** Makes the destination as it is before every attempt (with its earlier content). */
        abstract void reset() throws Exception;

        /** The command's arguments. */
        abstract String[] args();

        /** After an interruption: the destination is valid, its earlier content readable. */
        abstract void checkValid() throws Exception;

        /** After a run that succeeded: the new content is there and readable. */
        abstract void checkDone() throws Exception;

        /** Before a rerun, when the interrupted run had finished after all and its output refuses a second run. */
        void beforeRerun() throws Exception {}

        /** The folders to look for leftovers in, and the names allowed there. */
        abstract List<Folder> folders();
    }

    private record Folder(Path dir, Set<String> allowed) {}

    @BeforeAll
    static void images() throws Exception {
        Path dir = Files.createTempDirectory("ferry-kill-campaign");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Fixtures.deleteTree(dir);
            } catch (IOException e) {
                // best effort
            }
        }));
        big = Fixtures.syntheticLayout(dir.resolve("big"), "big", 4096, BIG_LAYER);
        small = Fixtures.syntheticLayout(dir.resolve("small"), "earlier", 10_000);
        bigContext = Files.createDirectories(dir.resolve("context"));
        byte[] block = new byte[1 << 20];
        Random random = new Random(7);
        try (var out = Files.newOutputStream(bigContext.resolve("data.bin"))) {
            for (int i = 0; i < (int) (BIG_LAYER >> 21); i++) { // half the size: gzip makes build the slowest
                random.nextBytes(block);
                out.write(block);
            }
        }
        Files.writeString(bigContext.resolve("hello.txt"), "hello\n");
        // the launcher makes its start-up archive on its first run: not during the campaign
        assertEquals(0, BigImage.ferry("", "--version").waitFor());
    }

    private static Process ferry(Path log, String... args) throws IOException {
        return BigImage.ferry("-XX:+UseSerialGC -Xmx256m", log, args);
    }

    /** Runs a command to its end; returns its exit code and output. */
    private static Peers.Result run(Path work, String... args) throws Exception {
        Path log = Files.createTempFile(work, "log", ".txt");
        try {
            Process p = ferry(log, args);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ferry " + String.join(" ", args) + " ended");
            return new Peers.Result(p.exitValue(), Files.readString(log), "");
        } finally {
            Files.delete(log);
        }
    }

    /** What of Ferry's is in the scenario's folders beyond what is allowed. */
    private static List<String> leftovers(Scenario s) throws IOException {
        List<String> found = new ArrayList<>();
        for (Folder f : s.folders()) {
            if (!Files.isDirectory(f.dir())) {
                continue;
            }
            try (Stream<Path> entries = Files.list(f.dir())) {
                for (Path p : entries.toList()) {
                    String name = p.getFileName().toString();
                    if (!f.allowed().contains(name)
                            && (name.startsWith(".ferry-") || f.allowed().contains("*"))) {
                        found.add(f.dir().getFileName() + "/" + name);
                    }
                }
            }
        }
        return found;
    }

    private static void signal(Process p, Signal signal) throws Exception {
        switch (signal) {
            case KILL -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            case TERM -> p.destroy();
            case INT ->
                assertEquals(
                        0,
                        new ProcessBuilder("bash", "-c", "kill -INT " + p.pid())
                                .start()
                                .waitFor());
        }
    }

    /** Waits until the command writes something of its own (a temporary name appears), or ends. */
    private static void awaitWork(Scenario s, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && leftovers(s).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
    }

    private void campaign(Scenario s, Random random, Figures figures) throws Exception {
        s.work = Files.createDirectories(tmp.resolve(s.name));
        s.tmpdir = Files.createDirectories(s.work.resolve("tmpdir"));
        s.reset();
        long start = System.nanoTime();
        Peers.Result reference = run(s.work, s.args());
        long referenceNanos = System.nanoTime() - start;
        assertEquals(0, reference.code(), s.name + ": " + reference.out());
        s.checkDone();
        assertEquals(List.of(), leftovers(s), s.name + ": a run that succeeded leaves nothing");
        List<Signal> signals = new ArrayList<>();
        for (int i = 0; i < s.kills; i++) {
            signals.add(Signal.KILL);
        }
        signals.add(Signal.INT);
        signals.add(Signal.TERM);
        for (Signal signal : signals) {
            s.reset();
            figures.runs++;
            Path log = Files.createTempFile(s.work, "log", ".txt");
            Process p = ferry(log, s.args());
            if (signal == Signal.KILL) {
                long delay = (long) (referenceNanos * (0.1 + 0.85 * random.nextDouble()));
                TimeUnit.NANOSECONDS.sleep(delay);
            } else {
                awaitWork(s, p);
            }
            boolean alive = p.isAlive();
            if (alive) {
                signal(p, signal);
                figures.landed++;
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), s.name + ": ferry ended after SIG" + signal);
            String what = s.name + " SIG" + signal + (alive ? "" : " (missed: it had ended)");
            Files.delete(log);
            try {
                s.checkValid();
            } catch (AssertionError | Exception e) {
                figures.corrupt++;
                figures.problems.add(what + ": destination not valid: " + e.getMessage());
            }
            if (signal != Signal.KILL && alive) {
                List<String> left = leftovers(s);
                if (!left.isEmpty()) {
                    figures.leftoversAfterSignal++;
                    figures.problems.add(what + ": left right after the signal (cleaned by the rerun?): " + left);
                }
            }
            s.beforeRerun();
            Peers.Result rerun = run(s.work, s.args());
            if (rerun.code() != 0) {
                figures.failedReruns++;
                figures.problems.add(what + ": the rerun failed: " + rerun.out().strip());
                continue;
            }
            try {
                s.checkDone();
            } catch (AssertionError | Exception e) {
                figures.failedReruns++;
                figures.problems.add(what + ": the rerun's output is not right: " + e.getMessage());
            }
            List<String> left = leftovers(s);
            if (!left.isEmpty()) {
                figures.leftoversAfterRerun++;
                figures.problems.add(what + ": left after the rerun: " + left);
            }
        }
    }

    // --- peers' views of a destination ---

    private static void skopeoReads(Path work, String ref, String digest) throws Exception {
        String out = Peers.run(work, "skopeo", "inspect", "--format", "{{.Digest}}", ref)
                .ok()
                .out()
                .strip();
        if (digest != null) {
            assertEquals(digest, out, ref);
        }
    }

    /** umoci reads {@code refs} of a layout (umoci stat reads the manifest, config and index). */
    private static void umociReads(Path work, Path layout, String... refs) throws Exception {
        String listed = Peers.run(work, "umoci", "ls", "--layout", layout.toString())
                .ok()
                .out();
        for (String ref : refs) {
            assertTrue(listed.lines().anyMatch(ref::equals), "umoci lists " + ref + ": " + listed);
            Peers.run(work, "umoci", "stat", "--image", layout + ":" + ref).ok();
        }
    }

    /** umoci reads refs of an OCI archive, unpacked by tar. */
    private static void umociReadsArchive(Path work, Path archive, String... refs) throws Exception {
        Path unpacked = Files.createTempDirectory(work, "unpacked");
        try {
            Peers.run(work, "tar", "-xf", archive.toString(), "-C", unpacked.toString())
                    .ok();
            umociReads(work, unpacked, refs);
        } finally {
            Fixtures.deleteTree(unpacked);
        }
    }

    private static String digest(Path layout, String ref) throws IOException {
        return Fixtures.entry(layout, ref).path("digest").asText();
    }

    private static Set<String> layoutEntries() {
        return Set.of("blobs", "index.json", "oci-layout");
    }

    // --- the scenarios ---

    private static Scenario copyIntoLayout() {
        return new Scenario("copy-oci") {
            Path dest() {
                return work.resolve("dest");
            }

            @Override
            void reset() throws Exception {
                Fixtures.deleteTree(dest());
                Fixtures.copyTree(small, dest());
            }

            @Override
            String[] args() {
                // recompressed on the way: the zstd spool goes to --tmpdir
                return new String[] {
                    "copy",
                    "-q",
                    "--tmpdir",
                    tmpdir.toString(),
                    "--compress",
                    "zstd",
                    "oci:" + big + ":big",
                    "oci:" + dest() + ":big"
                };
            }

            @Override
            void checkValid() throws Exception {
                skopeoReads(work, "oci:" + dest() + ":earlier", digest(small, "earlier"));
                umociReads(work, dest(), "earlier");
            }

            @Override
            void checkDone() throws Exception {
                checkValid();
                skopeoReads(work, "oci:" + dest() + ":big", null);
                umociReads(work, dest(), "earlier", "big");
            }

            @Override
            List<Folder> folders() {
                return List.of(new Folder(dest(), layoutEntries()), new Folder(tmpdir, Set.of()));
            }
        };
    }

    /**
     * A command that writes ref {@code ref} into an OCI archive holding an earlier image: the earlier ref must stay
     * readable whatever happens, and the new one be readable once the command succeeded.
     */
    private abstract static class IntoArchive extends Scenario {
        private final String ref;

        IntoArchive(String name, String ref) {
            super(name);
            this.ref = ref;
        }

        Path dest() {
            return work.resolve("out/image.tar");
        }

        /** The manifest digest the new ref must have, or null when it is not known beforehand. */
        String expected() throws Exception {
            return null;
        }

        @Override
        void reset() throws Exception {
            Files.createDirectories(dest().getParent());
            Files.deleteIfExists(dest());
            Peers.run(
                            work,
                            "tar",
                            "-cf",
                            dest().toString(),
                            "-C",
                            small.toString(),
                            "oci-layout",
                            "index.json",
                            "blobs")
                    .ok();
        }

        @Override
        void checkValid() throws Exception {
            skopeoReads(work, "oci-archive:" + dest() + ":earlier", digest(small, "earlier"));
            umociReadsArchive(work, dest(), "earlier");
        }

        @Override
        void checkDone() throws Exception {
            checkValid();
            skopeoReads(work, "oci-archive:" + dest() + ":" + ref, expected());
            umociReadsArchive(work, dest(), "earlier", ref);
        }

        @Override
        List<Folder> folders() {
            return List.of(
                    new Folder(dest().getParent(), Set.of("image.tar", ".image.tar.ferry-lock")),
                    new Folder(tmpdir, Set.of()));
        }
    }

    private static Scenario copyIntoArchive() {
        return new IntoArchive("copy-oci-archive", "big") {
            @Override
            String[] args() {
                return new String[] {
                    "copy", "-q", "--tmpdir", tmpdir.toString(), "oci:" + big + ":big", "oci-archive:" + dest() + ":big"
                };
            }

            @Override
            String expected() throws Exception {
                return digest(big, "big");
            }
        };
    }

    private static Scenario copyIntoDockerArchive() {
        return new Scenario("copy-docker-archive") {
            Path dest() {
                return work.resolve("out/image.tar");
            }

            @Override
            void reset() throws Exception {
                Files.createDirectories(dest().getParent());
                Files.deleteIfExists(dest()); // docker-archive: never writes into an existing archive
            }

            @Override
            String[] args() {
                return new String[] {
                    "copy",
                    "-q",
                    "--tmpdir",
                    tmpdir.toString(),
                    "oci:" + big + ":big",
                    "docker-archive:" + dest() + ":ferry-it/kill:big"
                };
            }

            @Override
            void checkValid() throws Exception {
                if (Files.exists(dest())) { // a kill after the rename: the whole archive
                    skopeoReads(work, "docker-archive:" + dest(), null);
                }
            }

            @Override
            void beforeRerun() throws Exception {
                Files.deleteIfExists(dest());
            }

            @Override
            void checkDone() throws Exception {
                skopeoReads(work, "docker-archive:" + dest(), null);
                Path copied = Files.createTempDirectory(work, "copied");
                try {
                    // skopeo copy reads every blob and checks its digest
                    Peers.run(work, "skopeo", "copy", "-q", "docker-archive:" + dest(), "oci:" + copied + ":x")
                            .ok();
                    umociReads(work, copied, "x");
                } finally {
                    Fixtures.deleteTree(copied);
                }
            }

            @Override
            List<Folder> folders() {
                return List.of(new Folder(dest().getParent(), Set.of("image.tar")), new Folder(tmpdir, Set.of()));
            }
        };
    }

    private static Scenario export() {
        return new Scenario("export") {
            String expected;

            Path out() {
                return work.resolve("out/rootfs.tar");
            }

            @Override
            void reset() throws Exception {
                Files.createDirectories(out().getParent());
            }

            @Override
            String[] args() {
                return new String[] {"export", "--tmpdir", tmpdir.toString(), "oci:" + big + ":big", out().toString()};
            }

            @Override
            void checkValid() throws Exception {
                // the previous output, whole (export is reproducible: the same bytes every time)
                assertEquals(expected, Fixtures.sha256(out()), "the output is the earlier one, whole");
            }

            @Override
            void checkDone() throws Exception {
                String sha = Fixtures.sha256(out());
                if (expected == null) {
                    expected = sha;
                    String listed = Peers.run(work, "tar", "-tvf", out().toString())
                            .ok()
                            .out();
                    assertTrue(listed.contains("data/layer-1.bin"), listed);
                }
                assertEquals(expected, sha);
            }

            @Override
            List<Folder> folders() {
                return List.of(new Folder(out().getParent(), Set.of("rootfs.tar")), new Folder(tmpdir, Set.of()));
            }
        };
    }

    private static Scenario bundle() {
        return new Scenario("bundle") {
            Path dir() {
                return work.resolve("out/bundle");
            }

            @Override
            void reset() throws Exception {
                Files.createDirectories(dir().getParent());
                Fixtures.deleteTree(dir());
            }

            @Override
            String[] args() {
                return new String[] {
                    "bundle", "-q", "--tmpdir", tmpdir.toString(), "oci:" + big + ":big", dir().toString()
                };
            }

            @Override
            void checkValid() throws Exception {
                // config.json is written last: when it is there, the bundle is whole
                if (Files.exists(dir().resolve("config.json"))) {
                    checkDone();
                }
            }

            @Override
            void beforeRerun() throws Exception {
                if (Files.exists(dir().resolve("config.json"))) {
                    Fixtures.deleteTree(dir()); // it had finished: a rerun into it would rightly refuse
                }
            }

            @Override
            void checkDone() throws Exception {
                assertEquals(BIG_LAYER, Files.size(dir().resolve("rootfs/data/layer-1.bin")));
                assertTrue(Files.readString(dir().resolve("config.json")).contains("\"ociVersion\""));
            }

            @Override
            List<Folder> folders() {
                return List.of(
                        new Folder(dir(), Set.of("rootfs", "config.json", "ferry-owners.json", "*")),
                        new Folder(dir().getParent(), Set.of("bundle")),
                        new Folder(tmpdir, Set.of()));
            }
        };
    }

    private static Scenario build() {
        return new IntoArchive("build", "built") {
            @Override
            String[] args() {
                return new String[] {
                    "build",
                    "-q",
                    "--tmpdir",
                    tmpdir.toString(),
                    bigContext.toString(),
                    "--to",
                    "oci-archive:" + dest() + ":built"
                };
            }
        };
    }

    /** Tags of this JVM's own, removed at the end. */
    private static final String DAEMON_REPO =
            "ferry-it/kill-campaign-" + ProcessHandle.current().pid();

    @AfterAll
    static void removeImages() throws Exception {
        Daemon.remove(DAEMON_REPO + ":earlier", DAEMON_REPO + ":big");
    }

    private static Scenario copyIntoDaemon() {
        return new Scenario("copy-docker-api") {
            {
                kills = 1;
            }

            @Override
            void reset() throws Exception {
                if (!Daemon.exists(DAEMON_REPO + ":earlier")) {
                    Daemon.require();
                    Cli.ferry("copy", "-q", "oci:" + small + ":earlier", "docker-api:" + DAEMON_REPO + ":earlier")
                            .ok();
                }
                Daemon.remove(DAEMON_REPO + ":big");
            }

            @Override
            String[] args() {
                return new String[] {
                    "copy",
                    "-q",
                    "--tmpdir",
                    tmpdir.toString(),
                    "oci:" + big + ":big",
                    "docker-api:" + DAEMON_REPO + ":big"
                };
            }

            @Override
            void checkValid() throws Exception {
                assertEquals(
                        "[\"sha256:" + digestOfLayer(small, "earlier", 0) + "\"]",
                        Daemon.diffIds(DAEMON_REPO + ":earlier"));
                if (Daemon.exists(DAEMON_REPO + ":big")) { // a kill after the load: the whole image
                    checkDone();
                }
            }

            @Override
            void checkDone() throws Exception {
                assertEquals(
                        "[\"sha256:" + digestOfLayer(big, "big", 0) + "\",\"sha256:" + digestOfLayer(big, "big", 1)
                                + "\"]",
                        Daemon.diffIds(DAEMON_REPO + ":big"));
            }

            @Override
            List<Folder> folders() {
                return List.of(new Folder(tmpdir, Set.of()));
            }
        };
    }

    /** The digest (hex) of an uncompressed layer of a synthetic layout: its diffID. */
    private static String digestOfLayer(Path layout, String ref, int i) throws IOException {
        String manifest = Fixtures.entry(layout, ref).path("digest").asText();
        return Fixtures.blobJson(layout, manifest)
                .path("layers")
                .get(i)
                .path("digest")
                .asText()
                .substring(7);
    }

    @Test
    void killedCommandsLeaveValidStoresAndNothingAfterTheirRerun() throws Exception {
        long seed = Long.getLong("ferry.killSeed", System.nanoTime());
        System.out.println("KillCampaignIT: seed " + seed + " (replay with -Dferry.killSeed=" + seed + ")");
        Random random = new Random(seed);
        Figures figures = new Figures();
        List<Scenario> scenarios = List.of(
                copyIntoLayout(),
                copyIntoArchive(),
                copyIntoDockerArchive(),
                copyIntoDaemon(),
                export(),
                bundle(),
                build());
        for (Scenario s : scenarios) {
            long start = System.nanoTime();
            campaign(s, random, figures);
            System.out.printf("KillCampaignIT: %s done in %.1f s%n", s.name, (System.nanoTime() - start) / 1e9);
        }
        System.out.printf(
                "KillCampaignIT: seed %d: %d interrupted runs, %d signals landed, %d corrupt stores,"
                        + " %d with leftovers right after SIGINT/SIGTERM, %d with leftovers after the next run,"
                        + " %d failed reruns%n",
                seed,
                figures.runs,
                figures.landed,
                figures.corrupt,
                figures.leftoversAfterSignal,
                figures.leftoversAfterRerun,
                figures.failedReruns);
        figures.problems.forEach(p -> System.out.println("KillCampaignIT: " + p));
        assertEquals(0, figures.corrupt, "corrupt stores (seed " + seed + "): " + figures.problems);
        assertEquals(0, figures.failedReruns, "failed reruns (seed " + seed + "): " + figures.problems);
        assertEquals(
                0, figures.leftoversAfterRerun, "leftovers after the rerun (seed " + seed + "): " + figures.problems);
    }

    // --- what a killed run left, cleaned by the next one (deterministic, in-process) ---

    /** A temporary name of Ferry's whose owner is gone (no process has that PID). */
    private static String dead(String purpose) {
        return ".ferry-" + purpose + "-4000000000.1700000000000-0123456789ab.tmp";
    }

    @Test
    void aBundleFolderHoldingOnlyADeadRunsLeftoversCountsAsEmpty() throws Exception {
        Path image = Fixtures.syntheticLayout(tmp.resolve("img"), "t", 1000);
        Path dir = Files.createDirectories(tmp.resolve("bundle"));
        Files.createDirectories(dir.resolve(dead("unpacking")).resolve("data"));
        Files.writeString(dir.resolve(dead("unpacking")).resolve("data/half"), "half a layer");
        Files.createFile(dir.resolve(dead("bundling"))); // the killed run's marker: rootfs/ below is its own
        Files.createDirectories(dir.resolve("rootfs/data"));
        Cli.ferry("bundle", "-q", "oci:" + image + ":t", dir.toString()).ok();
        assertTrue(Files.exists(dir.resolve("rootfs/data/layer-0.bin")));
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> names =
                    entries.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(Set.of("config.json", "rootfs", "ferry-owners.json").containsAll(names), names.toString());
        }
    }

    @Test
    void aBundleFolderHoldingAnythingElseIsStillRefused() throws Exception {
        Path image = Fixtures.syntheticLayout(tmp.resolve("img"), "t", 1000);
        Path dir = Files.createDirectories(tmp.resolve("bundle"));
        Files.createDirectories(dir.resolve("rootfs")); // no marker: not known to be Ferry's
        Files.createDirectories(dir.resolve(dead("unpacking")));
        Cli.ferry("bundle", "-q", "oci:" + image + ":t", dir.toString()).fails(1, "not empty");
        assertTrue(Files.isDirectory(dir.resolve("rootfs")));
        Path live = Files.createDirectories(tmp.resolve("live"));
        Path mine = TempFiles.createDirectory(live, "unpacking"); // alive: this JVM's
        Cli.ferry("bundle", "-q", "oci:" + image + ":t", live.toString()).fails(1, "not empty");
        assertTrue(Files.isDirectory(mine));
        TempFiles.delete(mine);
    }

    @Test
    void aCommandSweepsItsTemporaryFolder() throws Exception {
        Path image = Fixtures.syntheticLayout(tmp.resolve("img"), "t", 1000);
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        Path spool = Files.writeString(scratch.resolve(dead("layer")), "314 MB of a recompression");
        Path folder = Files.createDirectories(scratch.resolve(dead("docker-save")));
        Files.writeString(folder.resolve("blob"), "a split save");
        Path notOurs = Files.writeString(scratch.resolve(".ferry-notes.txt"), "someone else's");
        Cli.ferry(
                        "copy",
                        "-q",
                        "--tmpdir",
                        scratch.toString(),
                        "oci:" + image + ":t",
                        "oci:" + tmp.resolve("out") + ":t")
                .ok();
        assertTrue(!Files.exists(spool) && !Files.exists(folder), "what dead runs left is gone");
        assertTrue(Files.exists(notOurs), "a name that is not a temporary name of ours is kept");
    }
}
