package dev.ferry.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Inject;
import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyOptions;
import dev.ferry.engine.SyncEngine;
import dev.ferry.internal.Json;
import dev.ferry.model.Descriptor;
import dev.ferry.service.ImageSync;
import dev.ferry.service.SyncFile;
import dev.ferry.spi.FerryException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry sync SRC DEST}: mirrors every image of a repository, registry, layout or skopeo sync file. */
@Command(
        name = "sync",
        mixinStandardHelpOptions = true,
        description = {
            "Mirror many images: every tag of docker://HOST/NAME, every repository of docker://HOST, every ref of a"
                    + " layout or archive, or the images of skopeo sync's YAML file (--from-file), to a registry"
                    + " namespace docker://HOST[/PREFIX] or a folder of layouts oci:FOLDER.",
            "Each image's manifest digest is compared first: an unchanged image costs one request. Blobs shared by"
                    + " images move once per destination repository, --jobs at a time for all images together.",
            "Exit status 1 if any image failed; the others are copied, and a rerun copies only what is missing."
        })
public class SyncCommand implements Callable<Integer>, TransportFlags.OpensImages {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(
            arity = "1..2",
            paramLabel = "SRC DEST",
            description = "SRC (none with --from-file) and DEST, for example docker://src.example/team/app"
                    + " docker://mirror.example:5000/mirror.")
    List<String> arguments;

    @Option(names = "--from-file", paramLabel = "FILE", description = "skopeo sync's YAML source file.")
    Path fromFile;

    @Option(names = "--tags", paramLabel = "REGEX", description = "Only tags this pattern finds.")
    String tags;

    @Option(names = "--repos", paramLabel = "REGEX", description = "With docker://HOST: only these repositories.")
    String repos;

    @ArgGroup(exclusive = true)
    NamingChoice naming;

    static class NamingChoice {
        @Option(names = "--scoped", description = "Land at PREFIX/SRCHOST/FULL/PATH, as skopeo sync --scoped.")
        boolean scoped;

        @Option(names = "--keep-path", description = "Land at PREFIX/FULL/PATH (default: PREFIX/LAST-COMPONENT).")
        boolean keepPath;
    }

    @Option(names = "--one-layout", description = "With oci:FOLDER: one layout, refs REPOSITORY:TAG.")
    boolean oneLayout;

    @ArgGroup(exclusive = true)
    CopyCommand.Selection selection;

    @Option(
            names = "--parallel-images",
            paramLabel = "N",
            defaultValue = "" + SyncEngine.Options.DEFAULT_PARALLEL_IMAGES,
            description = "Images in flight at once (default: ${DEFAULT-VALUE}).")
    int parallelImages;

    @Option(
            names = {"-j", "--jobs"},
            paramLabel = "N",
            defaultValue = "" + CopyOptions.DEFAULT_JOBS,
            description = "Blobs copied at once, for all images together (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(
            names = "--keep-going",
            arity = "0..1",
            paramLabel = "BOOL",
            defaultValue = "true",
            fallbackValue = "true",
            description = "Go on after an image fails (default: true); false stops at the first failure.")
    boolean keepGoing;

    @Option(
            names = "--dry-run",
            description = "Print the plan (images to copy and skip, bytes to move); write nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print one JSON object per image, a line each.")
    boolean json;

    @Mixin
    TransportOptions transportOptions;

    @Inject
    Transports transports;

    @Inject
    CopyEngine engine;

    @Override
    public boolean twoSided() {
        return true;
    }

    @Override
    public Integer call() throws Exception {
        String source;
        String destination;
        if (fromFile != null) {
            if (arguments.size() != 1) {
                throw new UsageException("with --from-file, give DEST only", "ferry sync --from-file FILE DEST");
            }
            source = null;
            destination = arguments.get(0);
        } else {
            if (arguments.size() != 2) {
                throw new UsageException(
                        "give SRC and DEST", "ferry sync SRC DEST, or ferry sync --from-file FILE DEST");
            }
            source = arguments.get(0);
            destination = arguments.get(1);
        }
        if (jobs < 1 || parallelImages < 1) {
            throw new UsageException("--jobs and --parallel-images must be at least 1", null);
        }
        ImageSync.Naming names = naming == null
                ? ImageSync.Naming.LAST_COMPONENT
                : naming.scoped ? ImageSync.Naming.SCOPED : ImageSync.Naming.KEEP_PATH;
        ImageSync sync = new ImageSync(
                transportOptions.registry(transports, spec.commandLine().getErr()), engine);
        ImageSync.Request request = new ImageSync.Request(
                source,
                fromFile == null ? null : SyncFile.read(fromFile),
                destination,
                names,
                oneLayout,
                pattern(tags, "--tags"),
                pattern(repos, "--repos"),
                transportOptions.sourceContext(),
                transportOptions.destinationContext());
        List<SyncEngine.Image> images = sync.plan(request);
        CopyOptions copy = CopyOptions.defaults().withJobs(jobs);
        if (selection != null && selection.all) {
            copy = copy.withAllPlatforms();
        } else if (selection != null && selection.platform != null) {
            copy = copy.withPlatform(selection.platform);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // the live line where stderr is a terminal (or with --progress=tty); never in a dry run, which prints a plan
        boolean live = !dryRun && global.liveProgress();
        Progress progress = new Progress(images.size(), err, live);
        long start = System.nanoTime();
        List<SyncEngine.Result> results = sync.run(
                images, new SyncEngine.Options(copy, parallelImages, keepGoing, dryRun), new SyncEngine.Listener() {
                    @Override
                    public CopyListener blobs() {
                        return progress;
                    }

                    @Override
                    public boolean wantsPlan() {
                        return live;
                    }

                    @Override
                    public void imagePlanned(SyncEngine.Image image, long bytes) {
                        progress.planned(bytes);
                    }

                    @Override
                    public void imageDone(SyncEngine.Result result) {
                        progress.imageDone(result);
                        if (json) {
                            synchronized (out) {
                                out.println(new String(Json.write(describe(result)), StandardCharsets.UTF_8));
                                out.flush();
                            }
                        }
                    }
                });
        progress.clear();
        int copied = 0;
        int unchanged = 0;
        int failed = 0;
        long bytes = 0;
        long planned = 0;
        for (SyncEngine.Result r : results) {
            switch (r.status()) {
                case COPIED -> copied++;
                case UNCHANGED -> unchanged++;
                case FAILED -> failed++;
                default -> {}
            }
            bytes += r.bytesCopied();
            planned += r.plannedBytes();
            if (dryRun && !json) {
                out.println((r.status() == SyncEngine.Status.COPIED
                                ? "copy "
                                : r.status() == SyncEngine.Status.UNCHANGED ? "skip " : "fail ")
                        + r.image().source().displayName() + " -> "
                        + r.image().destination().displayName()
                        + (r.status() == SyncEngine.Status.COPIED ? " (up to " + r.plannedBytes() + " bytes)" : ""));
            }
        }
        out.flush();
        double seconds = (System.nanoTime() - start) / 1e9;
        for (SyncEngine.Result r : results) {
            if (r.status() == SyncEngine.Status.FAILED) {
                String message = r.failure() instanceof FerryException f ? f.getMessage() : String.valueOf(r.failure());
                err.println("ferry: " + r.image().source().displayName() + " -> "
                        + r.image().destination().displayName() + " failed: " + message);
                if (RootCommand.debug(spec.commandLine())) {
                    r.failure().printStackTrace(err);
                }
            }
        }
        if (!global.quiet()) {
            err.println(String.format(
                    "ferry: %s %d images: %d %s, %d unchanged, %d failed; %s bytes %s in %.1f s",
                    dryRun ? "planned" : "synced",
                    results.size(),
                    copied,
                    dryRun ? "to copy" : "copied",
                    unchanged,
                    failed,
                    dryRun ? planned : bytes,
                    dryRun ? "to move (at most)" : "moved",
                    seconds));
        }
        err.flush();
        return failed > 0 || results.stream().anyMatch(r -> r.status() == SyncEngine.Status.NOT_TRIED) ? 1 : 0;
    }

    private static Pattern pattern(String text, String flag) throws UsageException {
        if (text == null) {
            return null;
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new UsageException(flag + " is not a valid regular expression: " + e.getDescription(), null);
        }
    }

    static ObjectNode describe(SyncEngine.Result r) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("source", r.image().source().displayName());
        node.put("destination", r.image().destination().displayName());
        node.put("status", r.status().name().toLowerCase(Locale.ROOT));
        node.put("digest", r.digest() == null ? null : r.digest().toString());
        node.put("blobsCopied", r.blobsCopied());
        node.put("blobsSkipped", r.blobsSkipped());
        node.put("bytes", r.bytesCopied());
        node.put("seconds", Math.round(r.nanos() / 1e6) / 1e3);
        if (r.failure() != null) {
            node.put("error", r.failure().getMessage());
        }
        return node;
    }

    /**
     * One status line on a terminal: images done/total, bytes moved of bytes planned (the blobs of the images
     * started so far that no earlier image brought, as a dry run counts them), rate.
     */
    static final class Progress implements CopyListener {
        private final int total;
        private final PrintWriter err;
        private final boolean enabled;
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicLong planned = new AtomicLong();
        private final long start = System.nanoTime();
        private long lastPrint;

        Progress(int total, PrintWriter err, boolean enabled) {
            this.total = total;
            this.err = err;
            this.enabled = enabled;
        }

        @Override
        public void blobProgress(Descriptor blob, long n) {
            bytes.addAndGet(n);
            print(false);
        }

        @Override
        public void attemptDiscarded(long n) {
            bytes.addAndGet(-n);
        }

        void planned(long n) {
            planned.addAndGet(n);
            print(false);
        }

        void imageDone(SyncEngine.Result result) {
            done.incrementAndGet();
            print(true);
        }

        private synchronized void print(boolean force) {
            if (!enabled) {
                return;
            }
            long now = System.nanoTime();
            if (!force && now - lastPrint < 200_000_000L) {
                return;
            }
            lastPrint = now;
            double s = Math.max(1e-3, (now - start) / 1e9);
            err.print(String.format(
                    Locale.ROOT,
                    "\r\033[Kimages %d/%d  %.1f MB moved of %.1f MB planned  %.1f MB/s",
                    done.get(),
                    total,
                    bytes.get() / 1e6,
                    Math.max(planned.get(), bytes.get()) / 1e6,
                    bytes.get() / 1e6 / s));
            err.flush();
        }

        synchronized void clear() {
            if (enabled) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}
