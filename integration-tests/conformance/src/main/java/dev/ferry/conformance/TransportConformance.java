package dev.ferry.conformance;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.ImageIndex;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.Manifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.model.Platform;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.DigestMismatchException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.LinkingSink;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.OperationNotSupportedException;
import dev.ferry.spi.Transport;
import dev.ferry.spi.UnsupportedManifestException;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit: every promise of the SPI's Javadoc that can be seen from outside, as a JUnit 5 test. A
 * transport author extends this class and gives the transport and its fixture:
 *
 * <pre>{@code
 * class DirTransportConformanceTest extends TransportConformance {
 *     protected Transport subject() { return discover("dir"); }
 *     protected ConformanceFixture fixture() { return new DirFixture(); }
 * }
 * }</pre>
 *
 * Each check's display name is the promise it proves ({@code ImageSink.commit: nothing visible before commit}), and
 * a failure says what was seen. Nothing a transport or fixture declares is trusted: capabilities are exercised,
 * behaviours claimed are checked working and behaviours declared missing are checked absent where that can be
 * seen. The memory and SIGKILL checks run the transport in child JVMs with a 64 MiB heap (the kit's class path,
 * or the transport's plugin jars), so they give a verdict whatever the transport does and need no setting of the
 * test's own JVM.
 *
 * <p>The kit uses only the SPI and the model: it writes through {@link ImageSink} itself, never through Ferry's
 * copy engine.
 */
public abstract class TransportConformance {
    /** The size of the blob the memory check streams through the child's 64 MiB heap. */
    static final long LARGE_BLOB = 1L << 30;

    /** The transport under test. */
    protected abstract Transport transport();

    /** Where and how to write, and what the transport declares it lacks. */
    protected abstract ConformanceFixture fixture();

    /** Where this check writes: a fresh temporary folder by default. */
    protected Path scratchDir() {
        return scratch;
    }

    /** The transport named {@code name}, found with {@link ServiceLoader}: proves its registration too. */
    public static Transport discover(String name) {
        for (Transport t : ServiceLoader.load(Transport.class)) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new AssertionError(
                "no transport named " + name + " is registered in META-INF/services/" + Transport.class.getName());
    }

    @TempDir
    protected Path scratch;

    private final List<String> written = new ArrayList<>();
    private Transport subject;
    private OpenContext context;
    private Boolean docker;

    @AfterEach
    void cleanUp() throws Exception {
        fixture().cleanUp(written);
    }

    /** The transport under test: {@link #transport()}, asked once per check. */
    private Transport subject() {
        if (subject == null) {
            subject = transport();
        }
        return subject;
    }

    /** The large blob's size: 1 GiB, smaller only for the kit's own tests of itself. */
    long largeBlobSize() {
        return LARGE_BLOB;
    }

    // ---- the places a check writes --------------------------------------------------------------------------

    /** Where the fixture's stores go. */
    private Path stores() throws IOException {
        return Files.createDirectories(scratchDir().resolve("stores"));
    }

    /** The temporary folder every sink and source is given: empty again once they are closed. */
    private Path tmpDir() throws IOException {
        return Files.createDirectories(scratchDir().resolve("tmp"));
    }

    /** The settings references are opened with. */
    protected OpenContext context() {
        if (context == null) {
            try {
                context = fixture().context(OpenContext.defaults().withTmpDir(tmpDir()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return context;
    }

    private ImageReference fresh() throws Exception {
        String text = fixture().freshReference(stores());
        written.add(text);
        return parse(text);
    }

    private ImageReference parse(String text) {
        try {
            return subject().parse(text);
        } catch (InvalidReferenceException e) {
            throw new AssertionError("the fixture's reference \"" + text + "\" does not parse: " + e.getMessage(), e);
        }
    }

    /** A second reference in {@code ref}'s store, or null when the fixture names none. */
    private ImageReference sibling(ImageReference ref, String name) throws Exception {
        String text = fixture().siblingReference(ref.stringWithinTransport(), name);
        if (text == null) {
            return null;
        }
        written.add(text);
        ImageReference sibling = parse(text);
        if (sibling.equals(ref)) {
            fail("the fixture's siblingReference(\"" + ref.stringWithinTransport() + "\", \"" + name
                    + "\") names the same reference");
        }
        return sibling;
    }

    private ImageReference requireSibling(ImageReference ref, String name) throws Exception {
        ImageReference sibling = sibling(ref, name);
        assumeTrue(sibling != null, "the fixture names no second reference in a store (siblingReference)");
        return sibling;
    }

    private boolean writable() {
        return subject().capabilities().write();
    }

    private void requireReadWrite() {
        assumeTrue(writable(), "declared read-only");
        assumeTrue(subject().capabilities().read(), "declared write-only");
    }

    private boolean supports(Behavior behavior) {
        return !fixture().unsupported().contains(behavior);
    }

    private void require(Behavior behavior) {
        assumeTrue(supports(behavior), "declared unsupported: " + behavior);
    }

    /** Whether the transport's sinks take Docker v2s2 only (then the kit's images are Docker's). */
    private boolean docker() throws Exception {
        if (docker == null) {
            ImageReference probe = fresh();
            try (ImageSink sink = probe.openSink(context())) {
                List<String> types = sink.supportedManifestTypes();
                if (types.isEmpty()) {
                    fail("ImageSink.supportedManifestTypes: a sink stores some manifest type; " + probe.displayName()
                            + " declares none");
                }
                docker = !types.contains(MediaTypes.OCI_MANIFEST);
            }
        }
        return docker;
    }

    private GeneratedImage image(long seed, long... sizes) throws Exception {
        return new GeneratedImage(docker(), sizes, seed);
    }

    private void write(GeneratedImage image, ImageReference ref) throws IOException {
        write(image, ref, ImageWriter.Hook.NONE);
    }

    private void write(GeneratedImage image, ImageReference ref, ImageWriter.Hook hook) throws IOException {
        try (ImageSink sink = ref.openSink(context())) {
            ImageWriter.write(image, sink, hook);
        }
    }

    // ---- what the kit reads back ----------------------------------------------------------------------------

    /** Fails unless {@code ref} reads back as {@code image}: manifest, config and every layer, byte for byte. */
    private void assertReadsBack(ImageReference ref, GeneratedImage image, String when) throws IOException {
        try (ImageSource source = open(ref, when)) {
            ManifestBytes read = source.manifest();
            if (supports(Behavior.KEEP_MANIFEST_BYTES)
                    && !Arrays.equals(image.manifest().bytes(), read.bytes())) {
                fail(when + ", " + ref.displayName() + " served a manifest of digest " + read.digest()
                        + " instead of the one written, " + image.manifest().digest()
                        + (read.size() < 2000 ? " (" + text(read.bytes()) + ")" : ""));
            }
            Manifest parsed;
            try {
                parsed = read.parse();
            } catch (RuntimeException e) {
                throw new AssertionError(when + ", " + ref.displayName() + " served an unreadable manifest: " + e, e);
            }
            if (!(parsed instanceof ImageManifest m)) {
                fail(when + ", " + ref.displayName() + " served an index where one image was written");
                return;
            }
            if (!m.config().digest().equals(image.config().digest())) {
                fail(when + ", " + ref.displayName() + " served the image of config "
                        + m.config().digest() + ", not the one written there ("
                        + image.config().digest() + ")");
            }
            List<Digest> layers = m.layers().stream().map(Descriptor::digest).toList();
            List<Digest> expected =
                    image.layers().stream().map(Descriptor::digest).toList();
            if (!layers.equals(expected)) {
                fail(when + ", " + ref.displayName() + " served layers " + layers + " where " + expected
                        + " were written");
            }
            for (Descriptor blob : m.blobs()) {
                assertBlob(source, blob, image, when);
            }
        }
    }

    private ImageSource open(ImageReference ref, String when) throws IOException {
        try {
            return ref.openSource(context());
        } catch (ImageNotFoundException e) {
            throw new AssertionError(when + ", " + ref.displayName() + " is not found: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(when + ", opening " + ref.displayName() + " failed: " + e, e);
        }
    }

    private static void assertBlob(ImageSource source, Descriptor blob, GeneratedImage image, String when)
            throws IOException {
        try (BlobStream stream = source.blob(blob);
                InputStream original = image.open(blob.digest())) {
            long at = firstDifference(original, stream.stream());
            if (at >= 0) {
                fail(when + ", blob " + blob.digest() + " of "
                        + source.reference().displayName() + " differs from what was written, from byte " + at);
            }
        } catch (BlobNotFoundException e) {
            throw new AssertionError(
                    when + ", blob " + blob.digest() + " of "
                            + source.reference().displayName() + " is missing",
                    e);
        }
    }

    /** The offset of the first byte where the two streams differ (a shorter one differs at its end), or -1. */
    static long firstDifference(InputStream a, InputStream b) throws IOException {
        byte[] x = new byte[1 << 16];
        byte[] y = new byte[1 << 16];
        long offset = 0;
        while (true) {
            int n = a.readNBytes(x, 0, x.length);
            int m = b.readNBytes(y, 0, y.length);
            int mismatch = Arrays.mismatch(x, 0, n, y, 0, m);
            if (mismatch >= 0) {
                return offset + mismatch;
            }
            if (n == 0) {
                return -1;
            }
            offset += n;
        }
    }

    /** Fails unless nothing can be opened at {@code ref}. */
    private void assertNotFound(ImageReference ref, String when) throws IOException {
        try (ImageSource source = ref.openSource(context())) {
            String what;
            try {
                what = "an image of manifest " + source.manifest().digest();
            } catch (IOException | RuntimeException e) {
                what = "a source (whose manifest fails: " + e.getMessage() + ")";
            }
            fail(when + ", " + ref.displayName() + " opened as " + what + "; it must throw ImageNotFoundException");
        } catch (ImageNotFoundException expected) {
            // as promised
        } catch (FerryException e) {
            fail(when + ", opening " + ref.displayName() + " threw "
                    + e.getClass().getSimpleName() + " (" + e.getMessage() + "), not ImageNotFoundException");
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).replace('\n', ' ');
    }

    // ---- what the kit sees of a store -------------------------------------------------------------------------

    /** The fixture's listing of {@code ref}'s store, or null when it lists nothing. */
    private StoreContents listing(ImageReference ref) throws Exception {
        return fixture().storeContents(ref.stringWithinTransport(), context());
    }

    /** Whether a listing names {@code ref} among its references (compared as parsed references). */
    private boolean lists(StoreContents contents, ImageReference ref) {
        for (String r : contents.references()) {
            try {
                if (subject().parse(r).equals(ref)) {
                    return true;
                }
            } catch (InvalidReferenceException e) {
                fail("the fixture lists a reference that does not parse: \"" + r + "\"");
            }
        }
        return false;
    }

    /** Every file under the stores folder and the temporary folder, with its size and digest. */
    private Map<String, String> files() throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Path root : List.of(stores(), tmpDir())) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (p.equals(root)) {
                        continue;
                    }
                    String name = scratchDir().relativize(p).toString();
                    if (Files.isDirectory(p)) {
                        out.put(name + "/", "");
                    } else if (Files.isRegularFile(p)) {
                        out.put(name, Files.size(p) + " bytes, sha256:" + sha256(p));
                    } else {
                        out.put(name, "special");
                    }
                }
            } catch (IOException e) {
                // a file removed while listed
                return files();
            }
        }
        return out;
    }

    private static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fails if the files under the scratch folder differ from {@code before}, apart from new files named by a
     * digest (content-addressed blobs, which a store may keep).
     */
    private void assertFilesAsBefore(Map<String, String> before, String when) throws IOException {
        Map<String, String> now = files();
        List<String> changes = new ArrayList<>();
        for (Map.Entry<String, String> e : now.entrySet()) {
            String name = e.getKey();
            String last = Path.of(name).getFileName().toString();
            if (!before.containsKey(name)) {
                if (!(StoreContents.isDigestName(last) && !name.endsWith("/")) && !isEmptyBlobFolder(name, now)) {
                    changes.add("new " + name);
                }
            } else if (!before.get(name).equals(e.getValue())) {
                changes.add("changed " + name);
            }
        }
        for (String name : before.keySet()) {
            if (!now.containsKey(name)) {
                changes.add("removed " + name);
            }
        }
        if (!changes.isEmpty()) {
            fail(when + ", the scratch folder holds what the write left: " + summary(changes));
        }
    }

    /** A new folder that holds only content-addressed blobs (such as {@code blobs/sha256/}). */
    private static boolean isEmptyBlobFolder(String folder, Map<String, String> now) {
        if (!folder.endsWith("/")) {
            return false;
        }
        for (String name : now.keySet()) {
            if (name.startsWith(folder) && !name.equals(folder)) {
                String last = Path.of(name).getFileName().toString();
                if (!name.endsWith("/") && !StoreContents.isDigestName(last)) {
                    return false;
                }
                if (name.endsWith("/") && !isEmptyBlobFolder(name, now)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String summary(List<String> items) {
        return items.size() <= 6
                ? String.join(", ", items)
                : String.join(", ", items.subList(0, 6)) + " and " + (items.size() - 6) + " more";
    }

    /** Fails unless the store's listing equals {@code before}. */
    private void assertListingAsBefore(ImageReference ref, StoreContents before, String when) throws Exception {
        if (before == null) {
            return;
        }
        StoreContents now = listing(ref);
        List<String> changes = new ArrayList<>();
        for (String r : now.references()) {
            if (!before.references().contains(r)) {
                changes.add("new reference " + r);
            }
        }
        for (String r : before.references()) {
            if (!now.references().contains(r)) {
                changes.add("reference " + r + " gone");
            }
        }
        for (String e : now.entries()) {
            if (!before.entries().contains(e)) {
                changes.add("new " + e);
            }
        }
        for (String e : before.entries()) {
            if (!now.entries().contains(e)) {
                changes.add(e + " gone");
            }
        }
        if (!changes.isEmpty()) {
            fail(when + ", the store's listing changed: " + summary(changes));
        }
    }

    // ==== the checks ===========================================================================================

    @Test
    @DisplayName("Transport.parse: a reference formatted and parsed again is equal to itself")
    void referencesRoundTrip() throws Exception {
        ImageReference ref = fresh();
        if (!ref.transport().name().equals(subject().name())) {
            fail("parse gave a reference of transport " + ref.transport().name());
        }
        String formatted = ref.stringWithinTransport();
        ImageReference again = parse(formatted);
        if (!again.equals(ref) || again.hashCode() != ref.hashCode()) {
            fail("\"" + formatted + "\" parsed again is not equal to the reference it was formatted from");
        }
        if (!again.stringWithinTransport().equals(formatted)) {
            fail("\"" + formatted + "\" formats again as \"" + again.stringWithinTransport() + "\"");
        }
        if (!ref.displayName().equals(subject().name() + ":" + formatted)) {
            fail("displayName is \"" + ref.displayName() + "\", not \""
                    + subject().name() + ":" + formatted + "\"");
        }
        ImageReference other = fresh();
        if (other.equals(ref)) {
            fail("two different references are equal: " + ref.displayName() + " and " + other.displayName());
        }
    }

    /** What no transport may accept, built around a valid reference. */
    private List<String> universallyInvalid(String valid) {
        int mid = valid.length() / 2;
        return List.of(
                "",
                " ",
                "\t",
                "   ",
                valid + "\n",
                valid.substring(0, mid) + "\n" + valid.substring(mid),
                valid + "\u0000",
                valid.substring(0, mid) + "\u0000" + valid.substring(mid),
                valid.substring(0, mid) + "\u0001" + valid.substring(mid),
                valid + "\u001b[2J",
                valid + "\r",
                valid + "\u007f");
    }

    @Test
    @DisplayName("Transport.parse: bad syntax throws InvalidReferenceException")
    void badSyntaxIsRejected() throws Exception {
        String valid = fixture().freshReference(stores());
        List<String> bad = new ArrayList<>(universallyInvalid(valid));
        bad.addAll(fixture().invalidReferences());
        List<String> accepted = new ArrayList<>();
        for (String text : bad) {
            try {
                ImageReference ref = subject().parse(text);
                accepted.add(escape(text) + " (as " + escape(ref.stringWithinTransport()) + ")");
            } catch (InvalidReferenceException expected) {
                // as promised
            } catch (RuntimeException e) {
                accepted.add(escape(text) + " threw " + e.getClass().getName());
            }
        }
        if (!accepted.isEmpty()) {
            fail("accepted " + summary(accepted));
        }
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.append('"').toString();
    }

    @Test
    @DisplayName("Capabilities: an operation declared unsupported throws OperationNotSupportedException")
    void declaredUnsupportedThrows() throws Exception {
        ImageReference ref = fresh();
        List<String> seen = new ArrayList<>();
        if (!subject().capabilities().write()) {
            expectNotSupported(
                    "openSink on a transport declared read-only",
                    () -> ref.openSink(context()).close(),
                    seen);
        }
        if (!subject().capabilities().read()) {
            expectNotSupported(
                    "openSource on a transport declared write-only",
                    () -> ref.openSource(context()).close(),
                    seen);
        }
        if (writable() && !subject().capabilities().multiImage()) {
            GeneratedImage image = image(11, 1_000);
            try (ImageSink sink = ref.openSink(context())) {
                ImageWriter.putBlobs(image, sink, ImageWriter.Hook.NONE, "");
                expectNotSupported(
                        "putChildManifest on a sink declared to store single images",
                        () -> sink.putChildManifest(image.manifest()),
                        seen);
            }
        }
        assumeTrue(
                !subject().capabilities().read()
                        || !subject().capabilities().write()
                        || !subject().capabilities().multiImage(),
                "nothing declared unsupported");
        if (!seen.isEmpty()) {
            fail(String.join("; ", seen));
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void expectNotSupported(String what, Action action, List<String> seen) {
        try {
            action.run();
            seen.add(what + " succeeded");
        } catch (OperationNotSupportedException expected) {
            // as declared
        } catch (Exception e) {
            seen.add(what + " threw " + e.getClass().getSimpleName() + " (" + e.getMessage() + ")");
        }
    }

    @Test
    @DisplayName("ImageSink and ImageSource: an image put from several threads reads back byte for byte")
    void writeThenReadIsIdentical() throws Exception {
        requireReadWrite();
        ImageReference ref = fresh();
        GeneratedImage image = image(1, 100_000, 2_000, 300_000, 0);
        try (ImageSink sink = ref.openSink(context())) {
            ImageWriter.writeConcurrently(image, sink);
        }
        assertReadsBack(ref, image, "after commit");
    }

    @Test
    @DisplayName("ImageSink.hasBlob: blobs already stored are reused")
    void blobsAreReused() throws Exception {
        requireReadWrite();
        require(Behavior.REUSE_BLOBS);
        ImageReference ref = fresh();
        GeneratedImage image = image(2, 50_000, 60_000);
        write(image, ref);
        ImageReference again = supports(Behavior.REWRITE_SAME_REFERENCE) ? ref : sibling(ref, "reuse");
        assumeTrue(again != null, "declared unsupported: REWRITE_SAME_REFERENCE, and no second reference");
        try (ImageSink sink = again.openSink(context())) {
            List<String> missing = new ArrayList<>();
            for (Descriptor blob : image.blobs()) {
                if (!sink.hasBlob(blob)) {
                    missing.add(blob.digest().toString());
                }
            }
            if (!missing.isEmpty()) {
                fail("after a write of " + ref.displayName() + ", a sink on " + again.displayName() + " says it lacks "
                        + summary(missing) + " (REUSE_BLOBS is not declared unsupported)");
            }
        }
    }

    @Test
    @DisplayName("ImageSink.putBlob: bytes that do not match the descriptor are refused and nothing is stored")
    void wrongBytesAreRefused() throws Exception {
        requireReadWrite();
        ImageReference ref = fresh();
        GeneratedImage image = image(3, 10_000);
        byte[] real = "the real content".getBytes(StandardCharsets.UTF_8);
        Descriptor claimed = Descriptor.of(image.layers().get(0).mediaType(), Digest.sha256(real), real.length);
        byte[] other = "the fake content".getBytes(StandardCharsets.UTF_8);
        Descriptor shortClaim = Descriptor.of(claimed.mediaType(), Digest.sha256(real), real.length + 5L);
        Descriptor layer = image.layers().get(0);
        List<Object[]> cases = List.of(
                new Object[] {claimed, other, "other bytes of the same size"},
                new Object[] {shortClaim, real, "5 bytes fewer than the descriptor's size"},
                new Object[] {layer, null, "a stream that failed half-way"});
        for (Object[] c : cases) {
            Descriptor d = (Descriptor) c[0];
            Map<String, String> files = files();
            StoreContents before = listing(ref);
            try (ImageSink sink = ref.openSink(context())) {
                try {
                    sink.putBlob(
                            d,
                            c[1] == null
                                    ? new FailingStream(image.open(layer.digest()))
                                    : new ByteArrayInputStream((byte[]) c[1]));
                    fail("putBlob took " + c[2] + " without an exception");
                } catch (DigestMismatchException expected) {
                    // as promised
                } catch (IOException e) {
                    if (c[1] != null) {
                        fail("putBlob of " + c[2] + " threw " + e.getClass().getSimpleName() + " (" + e.getMessage()
                                + "), not DigestMismatchException");
                    }
                }
                boolean has;
                try {
                    has = sink.hasBlob(d);
                } catch (IOException e) {
                    has = false; // a sink that failed may refuse to go on
                }
                if (has) {
                    fail("after putBlob refused " + c[2] + ", hasBlob says the sink has it");
                }
            }
            String when = "after putBlob refused " + c[2] + " and close";
            assertNotFound(ref, when);
            assertListingAsBefore(ref, before, when);
            assertFilesAsBefore(files, when);
        }
    }

    /** Fails with an IOException half-way. */
    private static final class FailingStream extends FilterInputStream {
        private long served;

        FailingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (served > 5_000) {
                throw new IOException("the kit's stream failed on purpose");
            }
            int n = super.read(b, off, Math.min(len, 1_000));
            served += Math.max(n, 0);
            return n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    @Test
    @DisplayName("ImageSource.blob: a blob the image does not have throws BlobNotFoundException")
    void missingBlob() throws Exception {
        requireReadWrite();
        ImageReference ref = fresh();
        write(image(4, 1_000), ref);
        try (ImageSource source = open(ref, "after commit")) {
            Descriptor absent =
                    Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256("absent".getBytes(StandardCharsets.UTF_8)), 6);
            try (BlobStream s = source.blob(absent)) {
                fail("blob(" + absent.digest() + ") of a blob never written opened a stream");
            } catch (BlobNotFoundException expected) {
                // as promised
            }
            try {
                source.manifest(absent.digest());
                fail("manifest(" + absent.digest() + ") of a manifest never written returned one");
            } catch (BlobNotFoundException expected) {
                // as promised
            }
        }
    }

    @Test
    @DisplayName("ImageSink.commit: nothing visible before commit")
    void nothingVisibleBeforeCommit() throws Exception {
        requireReadWrite();
        ImageReference first = fresh();
        ImageReference ref = sibling(first, "second");
        GeneratedImage existing = image(5, 2_000);
        if (ref != null) {
            write(existing, first);
        } else {
            ref = first;
        }
        ImageReference target = ref;
        StoreContents before = listing(target);
        GeneratedImage image = image(6, 20_000, 30_000);
        write(image, target, step -> {
            if (step.equals("commit")) {
                return;
            }
            assertNotFound(target, "after " + step);
            if (before != null) {
                try {
                    StoreContents now = listing(target);
                    if (lists(now, target) || !now.references().equals(before.references())) {
                        fail("after " + step + ", the store lists references " + now.references() + " (before: "
                                + before.references() + ")");
                    }
                } catch (IOException | RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
        });
        assertReadsBack(target, image, "after commit");
        if (before != null && !lists(listing(target), target)) {
            fail("after commit, the fixture's listing does not name " + target.displayName() + ": "
                    + listing(target).references());
        }
        if (ref != first) {
            assertReadsBack(first, existing, "after another reference of the store was written");
        }
    }

    @Test
    @DisplayName("ImageSink.close: without commit, nothing is published and nothing is left behind")
    void closeWithoutCommit() throws Exception {
        requireReadWrite();
        ImageReference first = fresh();
        ImageReference sibling = sibling(first, "second");
        GeneratedImage existing = image(7, 3_000);
        ImageReference ref = first;
        if (sibling != null) {
            write(existing, first);
            ref = sibling;
        }
        GeneratedImage image = image(8, 20_000, 10_000);
        List<Descriptor> blobs = image.blobs();
        // close after each step: after opening, after each blob, after the manifest
        for (int stop = 0; stop <= blobs.size() + 1; stop++) {
            Map<String, String> files = files();
            StoreContents before = listing(ref);
            String when;
            try (ImageSink sink = ref.openSink(context())) {
                when = "after openSink";
                for (int i = 0; i < Math.min(stop, blobs.size()); i++) {
                    if (!sink.hasBlob(blobs.get(i))) {
                        try (InputStream in = image.open(blobs.get(i).digest())) {
                            sink.putBlob(blobs.get(i), in);
                        }
                    }
                    when = "after " + ImageWriter.blobName(i, blobs.size());
                }
                if (stop == blobs.size() + 1) {
                    sink.putManifest(image.manifest());
                    when = "after putManifest";
                }
            }
            when += " and close() without commit";
            assertNotFound(ref, when);
            assertListingAsBefore(ref, before, when);
            assertFilesAsBefore(files, when);
            if (sibling != null) {
                assertReadsBack(first, existing, when + " on another reference of the store");
            }
        }
        try (ImageSink sink = ref.openSink(context())) {
            sink.close();
            sink.close();
        } catch (IOException | RuntimeException e) {
            fail("a second close() threw " + e);
        }
    }

    @Test
    @DisplayName("ImageSource: blobs of one image are read concurrently")
    void concurrentReaders() throws Exception {
        requireReadWrite();
        ImageReference ref = fresh();
        GeneratedImage image = image(9, 200_000, 150_000, 100_000);
        write(image, ref);
        try (ImageSource source = open(ref, "after commit")) {
            List<Callable<String>> reads = new ArrayList<>();
            for (Descriptor blob : image.blobs()) {
                for (int i = 0; i < 3; i++) {
                    reads.add(() -> {
                        try (BlobStream s = source.blob(blob);
                                InputStream original = image.open(blob.digest())) {
                            long at = firstDifference(original, s.stream());
                            return at < 0 ? null : "blob " + blob.digest() + " read concurrently differs at byte " + at;
                        }
                    });
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                for (Future<String> f : pool.invokeAll(reads)) {
                    String problem = f.get();
                    if (problem != null) {
                        fail(problem);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            source.close();
            source.close();
        }
    }

    @Test
    @DisplayName(
            "ImageSink.supportedManifestTypes: declared types are stored, others refused with UnsupportedManifestException")
    void manifestFormats() throws Exception {
        requireReadWrite();
        List<String> supported;
        try (ImageSink sink = fresh().openSink(context())) {
            supported = sink.supportedManifestTypes();
        }
        for (String type : List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST)) {
            ImageReference ref = fresh();
            GeneratedImage image = new GeneratedImage(type.equals(MediaTypes.DOCKER_MANIFEST), new long[] {1_000}, 10);
            if (supported.contains(type)) {
                write(image, ref);
                assertReadsBack(ref, image, "after a " + type + " was written");
            } else {
                try (ImageSink sink = ref.openSink(context())) {
                    ImageWriter.putBlobs(image, sink, ImageWriter.Hook.NONE, "");
                    sink.putManifest(image.manifest());
                    fail("putManifest took a " + type + ", which the sink does not declare");
                } catch (UnsupportedManifestException expected) {
                    // as promised
                } catch (FerryException e) {
                    fail("putManifest of an undeclared " + type + " threw "
                            + e.getClass().getSimpleName() + ", not UnsupportedManifestException");
                }
                assertNotFound(ref, "after a refused manifest");
            }
        }
    }

    @Test
    @DisplayName("ImageReference: references in one store read back as their own images, and a reference with no image"
            + " is not found")
    void eachReferenceIsItsOwnImage() throws Exception {
        requireReadWrite();
        ImageReference a = fresh();
        assertNotFound(a, "before anything was written");
        GeneratedImage imageA = image(12, 5_000);
        write(imageA, a);
        ImageReference b = requireSibling(a, "second");
        ImageReference never = sibling(a, "never");
        assertNotFound(b, "with an image at " + a.displayName() + " only");
        GeneratedImage imageB = image(13, 6_000);
        write(imageB, b);
        assertReadsBack(a, imageA, "with images at two references");
        assertReadsBack(b, imageB, "with images at two references");
        if (never != null) {
            assertNotFound(never, "with images at two other references of the store");
        }
        StoreContents listing = listing(a);
        if (listing != null) {
            for (ImageReference r : List.of(a, b)) {
                if (!lists(listing, r)) {
                    fail("the fixture's listing does not name " + r.displayName() + ": " + listing.references());
                }
            }
        }
    }

    @Test
    @DisplayName("ImageSink.commit: writing one reference keeps the others byte for byte, and rewriting a reference"
            + " replaces only it")
    void rewritingReplacesOnlyItself() throws Exception {
        requireReadWrite();
        ImageReference a = fresh();
        GeneratedImage imageA = image(14, 4_000, 1_000);
        write(imageA, a);
        ImageReference b = sibling(a, "second");
        GeneratedImage imageB = image(15, 7_000);
        if (b != null) {
            write(imageB, b);
            assertReadsBack(a, imageA, "after " + b.displayName() + " was written");
        }
        GeneratedImage imageC = image(16, 8_000);
        if (supports(Behavior.REWRITE_SAME_REFERENCE)) {
            write(imageC, a);
            assertReadsBack(a, imageC, "after " + a.displayName() + " was rewritten");
        } else {
            try {
                write(imageC, a);
                fail("a second write of " + a.displayName() + " succeeded, though REWRITE_SAME_REFERENCE is declared"
                        + " unsupported");
            } catch (FerryException expected) {
                // as declared
            }
            assertReadsBack(a, imageA, "after a refused rewrite");
        }
        if (b != null) {
            assertReadsBack(b, imageB, "after " + a.displayName() + " was rewritten");
        }
    }

    @Test
    @DisplayName("Capabilities.multiImage: an index and its images are stored and read back")
    void indexesAreStored() throws Exception {
        requireReadWrite();
        assumeTrue(subject().capabilities().multiImage(), "declared: single images only");
        ImageReference ref = fresh();
        List<String> types;
        try (ImageSink sink = ref.openSink(context())) {
            types = sink.supportedManifestTypes();
        }
        boolean oci = types.contains(MediaTypes.OCI_INDEX);
        if (!oci && !types.contains(MediaTypes.DOCKER_MANIFEST_LIST)) {
            fail("the transport declares multiImage, but its sink stores no index type: " + types);
        }
        List<GeneratedImage> children = List.of(
                new GeneratedImage(!oci, new long[] {3_000}, 17), new GeneratedImage(!oci, new long[] {4_000}, 18));
        List<Descriptor> entries = new ArrayList<>();
        String[] arches = {"amd64", "arm64"};
        for (int i = 0; i < children.size(); i++) {
            entries.add(children.get(i).manifest().descriptor().withPlatform(Platform.of("linux", arches[i], null)));
        }
        ManifestBytes index = new ImageIndex(
                        oci ? MediaTypes.OCI_INDEX : MediaTypes.DOCKER_MANIFEST_LIST, entries, Map.of())
                .toBytes();
        ImageReference target = ref;
        try (ImageSink sink = ref.openSink(context())) {
            ImageWriter.writeIndex(index, children, sink, step -> {
                if (!step.equals("commit")) {
                    assertNotFound(target, "after " + step);
                }
            });
        }
        try (ImageSource source = open(ref, "after an index was committed")) {
            ManifestBytes top = source.manifest();
            if (!top.isIndex()) {
                fail("after an index was committed, " + ref.displayName() + " serves a single image's manifest");
            }
            if (supports(Behavior.KEEP_MANIFEST_BYTES) && !Arrays.equals(top.bytes(), index.bytes())) {
                fail("the index read back has digest " + top.digest() + ", not " + index.digest());
            }
            List<Digest> listed = ((ImageIndex) top.parse())
                    .manifests().stream().map(Descriptor::digest).toList();
            for (GeneratedImage child : children) {
                Digest d = child.manifest().digest();
                if (!listed.contains(d)) {
                    fail("the index read back does not list image " + d + ": " + listed);
                }
                ManifestBytes read;
                try {
                    read = source.manifest(d);
                } catch (BlobNotFoundException e) {
                    throw new AssertionError("manifest(" + d + ") of an image of the index is missing", e);
                }
                if (!Arrays.equals(read.bytes(), child.manifest().bytes())) {
                    fail("manifest(" + d + ") served other bytes than the image's manifest");
                }
                for (Descriptor blob : child.blobs()) {
                    assertBlob(source, blob, child, "after an index was committed");
                }
            }
        }
    }

    @Test
    @DisplayName("LinkingSink.linkBlob: a blob linked from a file reads back byte for byte, and the file is kept")
    void linkedBlobsReadBack() throws Exception {
        requireReadWrite();
        ImageReference ref = fresh();
        GeneratedImage image = image(19, 50_000, 30_000);
        int linked = 0;
        Path folder = Files.createDirectories(scratchDir().resolve("link-sources"));
        try (ImageSink sink = ref.openSink(context())) {
            assumeTrue(sink instanceof LinkingSink, "the sink does not implement LinkingSink");
            LinkingSink linking = (LinkingSink) sink;
            Path spool = linking.scratchDirectory();
            for (Descriptor blob : image.blobs()) {
                Path file = (spool != null ? spool : folder)
                        .resolve("blob-" + blob.digest().hex());
                try (InputStream in = image.open(blob.digest());
                        OutputStream out = Files.newOutputStream(file)) {
                    in.transferTo(out);
                }
                boolean done = false;
                if (linking.canLink(file)) {
                    done = linking.linkBlob(blob, file);
                }
                if (done) {
                    linked++;
                } else {
                    try (InputStream in = image.open(blob.digest())) {
                        sink.putBlob(blob, in);
                    }
                }
                try (InputStream original = image.open(blob.digest());
                        InputStream kept = Files.newInputStream(file)) {
                    if (firstDifference(original, kept) >= 0) {
                        fail("linkBlob changed the file it was given");
                    }
                }
            }
            sink.putManifest(image.manifest());
            sink.commit();
        }
        assertReadsBack(ref, image, "after " + linked + " blobs were linked");
        assumeTrue(linked > 0, "canLink or linkBlob declined every file on the sink's own filesystem");
    }

    @Test
    @DisplayName("ImageSink.putBlob and ImageSource.blob: a 1 GiB blob streams through a 64 MiB heap")
    void largeBlobStreams() throws Exception {
        requireReadWrite();
        ImageReference ref = fresh();
        long size = largeBlobSize();
        long limit = fixture().largeBlobTimeLimit().toSeconds();
        try (ChildJvm child = ChildJvm.start(
                subject(),
                fixture(),
                scratchDir().resolve("logs"),
                List.of(
                        "ref=" + ref.stringWithinTransport(),
                        "tmp=" + tmpDir(),
                        "sizes=" + size,
                        "seed=20",
                        "docker=" + docker(),
                        "readBack=true"))) {
            String end = child.await(limit, TimeUnit.SECONDS, "DONE", "OOM", "ERROR");
            String mib = (size >> 20) + " MiB blob";
            if (end.startsWith("OOM")) {
                fail("the transport ran out of memory with a " + mib + " in a " + ChildJvm.HEAP + " heap, at "
                        + end.substring(4) + ": it holds the blob in memory instead of streaming it");
            } else if (end.startsWith("ERROR")) {
                fail("writing and reading back a " + mib + " failed at " + end.substring(6) + " " + child.stderrTail());
            } else if (end.equals("TIMEOUT")) {
                fail("a " + mib + " was not written and read back within " + limit + " s (at " + child.lastStep()
                        + "); a slow transport may ask for more (largeBlobTimeLimit)");
            } else if (end.equals("EOF")) {
                String tail = child.stderrTail();
                fail("the child JVM died at " + child.lastStep() + " (exit " + child.exitCode() + ")"
                        + (tail.contains("OutOfMemoryError")
                                ? ", out of memory in a " + ChildJvm.HEAP + " heap: "
                                : ": ")
                        + tail);
            }
        }
    }

    @Test
    @DisplayName("ImageSink: a writer killed with SIGKILL leaves every reference whole, and a rerun succeeds")
    void killedWriters() throws Exception {
        requireReadWrite();
        ImageReference first = fresh();
        GeneratedImage existing = image(21, 40_000);
        write(existing, first);
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        long[] sizes = {300_000, 200_000};
        GeneratedImage image = image(22, sizes);
        int steps = image.blobs().size() + 2; // each blob (half-way), before putManifest, during commit
        // the first two rounds are killed during commit (early, later), the others half-way through a random blob
        // or before the manifest
        List<Integer> points = new ArrayList<>();
        for (int i = 0; i < steps - 1; i++) {
            points.add(i);
        }
        Collections.shuffle(points, random);
        points.add(0, steps - 1);
        points.add(0, steps - 1);
        for (int round = 0; round < 4; round++) {
            int pause = points.get(round);
            ImageReference ref = sibling(first, "killed" + round);
            if (ref == null) {
                ref = fresh();
            }
            String where;
            try (ChildJvm child = ChildJvm.start(
                    subject(),
                    fixture(),
                    scratchDir().resolve("logs"),
                    List.of(
                            "ref=" + ref.stringWithinTransport(),
                            "tmp=" + tmpDir(),
                            "sizes=" + sizes[0] + "," + sizes[1],
                            "seed=22",
                            "docker=" + docker(),
                            "pause=" + (pause == steps - 1 ? -1 : pause)))) {
                String line = pause == steps - 1
                        ? child.await(2, TimeUnit.MINUTES, "STEP commit", "DONE", "ERROR", "OOM")
                        : child.await(2, TimeUnit.MINUTES, "PAUSED", "DONE", "ERROR", "OOM");
                if (line.startsWith("ERROR") || line.startsWith("OOM") || line.equals("EOF")) {
                    fail("the child writing " + ref.displayName() + " failed before it was killed: " + line + " "
                            + child.stderrTail());
                }
                if (line.equals("TIMEOUT")) {
                    fail("the child writing " + ref.displayName() + " did not reach " + child.lastStep()
                            + " within 2 minutes");
                }
                if (pause == steps - 1) {
                    // a random moment of commit, or after it
                    Thread.sleep(round == 0 ? 50 + random.nextInt(200) : 250 + random.nextInt(500));
                    where = "during or after commit";
                } else {
                    where = "during " + child.lastStep();
                }
                child.kill();
            }
            String when = "after a writer of " + ref.displayName() + " was killed " + where + " (seed " + seed + ")";
            assertReadsBack(first, existing, when);
            boolean visible = true;
            try (ImageSource source = ref.openSource(context())) {
                source.manifest().parse();
            } catch (ImageNotFoundException e) {
                visible = false; // nothing visible: as good as whole
            } catch (IOException | RuntimeException e) {
                fail(when + ", " + ref.displayName() + " is half-written: " + e.getMessage());
            }
            if (visible) {
                assertReadsBack(ref, image, when + ", its reference, which opens,");
            }
            StoreContents listing = listing(first);
            if (listing != null) {
                for (String r : listing.references()) {
                    ImageReference listed = subject().parse(r);
                    if (!listed.equals(first) && !listed.equals(ref)) {
                        try (ImageSource s = open(listed, when)) {
                            verifyAll(s, when);
                        }
                    }
                }
            }
            // a rerun succeeds (on a reference that holds nothing, when the transport cannot rewrite)
            ImageReference rerun = ref;
            if (!supports(Behavior.REWRITE_SAME_REFERENCE)) {
                try (ImageSource s = ref.openSource(context())) {
                    rerun = sibling(first, "rerun" + round);
                    rerun = rerun == null ? fresh() : rerun;
                } catch (ImageNotFoundException e) {
                    // nothing there: rerun the same
                }
            }
            try {
                write(image, rerun);
            } catch (IOException e) {
                fail(when + ", writing " + rerun.displayName() + " again failed: " + e.getMessage());
            }
            assertReadsBack(rerun, image, when + " and a rerun");
            assertReadsBack(first, existing, when + " and a rerun");
        }
    }

    /** Reads every blob of a source's image and checks its digest. */
    private static void verifyAll(ImageSource source, String when) throws IOException {
        Manifest m = source.manifest().parse();
        List<Descriptor> blobs = new ArrayList<>();
        if (m instanceof ImageManifest im) {
            blobs.addAll(im.blobs());
        } else {
            for (Descriptor child : ((ImageIndex) m).manifests()) {
                blobs.addAll(((ImageManifest) source.manifest(child.digest()).parse()).blobs());
            }
        }
        for (Descriptor blob : blobs) {
            try (BlobStream s = source.blob(blob)) {
                VerifyingInputStream.verify(s.stream(), blob).drainAndVerify();
            } catch (IOException e) {
                fail(when + ", " + source.reference().displayName() + " is not whole: blob " + blob.digest() + ": "
                        + e.getMessage());
            }
        }
    }
}
