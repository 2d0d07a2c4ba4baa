package dev.ferry.rootfs;

import com.github.luben.zstd.ZstdInputStream;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.support.Gzip;
import dev.ferry.spi.support.Streams;
import dev.ferry.spi.support.TempFiles;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Applies an image's layers in order and streams the result, the root filesystem, as tar entries: what
 * {@code umoci unpack} would leave on disk, without extracting anything. Two passes over the layers, both
 * streaming and verified: the first reads only headers, top layer first, and decides which layer provides each
 * path (whiteouts {@code .wh.NAME} hide NAME below their layer; an opaque {@code .wh..wh..opq} hides the lower
 * content of its directory wherever it sits in its layer; a non-directory hides what lies under its path below
 * it); the second streams the layers base first and emits each path from the layer that provides it, parents
 * before children. Memory holds an index of paths, not content, and off the heap when a temporary folder is
 * given ({@link PathIndex}); with that folder, each compressed layer is inflated once, on one thread per core,
 * into a temporary tar that both passes read ({@link InflatedLayers}). Every layer is checked against its digest
 * and its diffID, and counted against a limit of uncompressed bytes ({@link LayerLimit}).
 *
 * <p>Hardlinks whose target a later layer deletes or replaces keep the content and stay linked to each other:
 * the first surviving link is emitted as a regular file with the target's content, the others link to it.
 */
public final class Flattener {
    private final ImageSource source;
    private final List<Descriptor> layers;
    private final List<Digest> diffIds;
    private final long maxLayerSize;
    private final PathIndex index;
    /** The compressed layers, each inflated once; or null (then each pass inflates them). */
    private final InflatedLayers inflated;

    private Flattener(
            ImageSource source,
            List<Descriptor> layers,
            List<Digest> diffIds,
            long maxLayerSize,
            PathIndex index,
            InflatedLayers inflated) {
        this.source = source;
        this.layers = layers;
        this.diffIds = diffIds;
        this.maxLayerSize = maxLayerSize;
        this.index = index;
        this.inflated = inflated;
    }

    /** Streams the root filesystem of {@code image} (read from {@code source}) into {@code out}. */
    public static void flatten(ImageSource source, InspectedImage image, RootfsWriter out) throws IOException {
        flatten(source, image, out, null);
    }

    /** As {@link #flatten(ImageSource, InspectedImage, RootfsWriter, Path, long)} with the default limit. */
    public static void flatten(ImageSource source, InspectedImage image, RootfsWriter out, Path tmpDir)
            throws IOException {
        flatten(source, image, out, tmpDir, LayerLimit.DEFAULT);
    }

    /**
     * As {@link #flatten(ImageSource, InspectedImage, RootfsWriter)}. Every layer is checked, as it is
     * decompressed by the first pass, against its digest and its diffID in the config, and fails the call
     * (before the second pass emits anything from it) when either differs; a layer whose uncompressed tar passes
     * {@code maxLayerSize} bytes fails it as soon as it does ({@link LayerTooLargeException}).
     *
     * <p>With {@code tmpDir}, the index of paths lives in memory-mapped files in a temporary folder there (the
     * heap stays the same whatever the number of entries; about 70 bytes of file per path, see
     * {@link PathIndex}), and every compressed layer is decompressed once, several at a time, into a tar there
     * that both passes read instead of inflating it twice ({@link InflatedLayers}: a copy is dropped, and its
     * layer inflated by each pass, when the file system runs low). Both are {@link TempFiles}: removed at the
     * end, on Ctrl-C and SIGTERM, and by the next run's sweep of {@code tmpDir} after a SIGKILL. Without it, the
     * index is kept on the heap, in the same compact form, and each pass inflates the layers it reads.
     */
    public static void flatten(
            ImageSource source, InspectedImage image, RootfsWriter out, Path tmpDir, long maxLayerSize)
            throws IOException {
        List<Descriptor> layers = image.image().layers();
        List<Digest> diffIds = image.config().diffIds();
        if (diffIds.size() != layers.size()) {
            throw new CorruptImageException("image " + image.manifest().digest() + " has " + layers.size()
                    + " layers but its config lists " + diffIds.size() + " diffIDs (rootfs.diff_ids)");
        }
        Path work = null;
        if (tmpDir != null) {
            TempFiles.sweep(tmpDir);
            work = TempFiles.createDirectory(tmpDir, "flatten-index");
        }
        try (PathIndex index = new PathIndex(work);
                InflatedLayers inflated = tmpDir == null
                        ? null
                        : new InflatedLayers(
                                source,
                                layers,
                                diffIds,
                                maxLayerSize,
                                tmpDir,
                                Runtime.getRuntime().availableProcessors())) {
            Flattener f = new Flattener(source, layers, diffIds, maxLayerSize, index, inflated);
            f.index();
            f.emit(out);
        } catch (UncheckedIOException e) {
            throw e.getCause(); // the index could not grow in its files
        } finally {
            if (work != null) {
                TempFiles.delete(work);
            }
        }
    }

    /** The digest check of the compressed layer being read, or null. */
    private VerifyingInputStream verifier;
    /** The uncompressed layer being read: counted, and hashed by the first pass. */
    private UncompressedLayer uncompressed;
    /** What the tar reader reads: {@link #uncompressed}, or a layer's inflated copy. */
    private InputStream tarStream;

    static InputStream decompress(InputStream in, Descriptor layer) throws IOException {
        return switch (MediaTypes.layerCompression(layer.mediaType())) {
            case NONE -> in;
            case GZIP -> Gzip.input(in);
            case ZSTD -> new ZstdInputStream(in);
        };
    }

    /**
     * Opens layer {@code i} for the first pass, which reads headers, and hashes the uncompressed bytes for the
     * diffID check. An uncompressed layer the source keeps in a file, whose diffID is its digest, is read
     * unhashed: the second pass verifies its digest, hence its diffID, and fails the operation (whose output is
     * not visible until the end) on a mismatch, so hashing it here too would only cost time. A compressed layer
     * inflated by {@link InflatedLayers} is read from its verified copy.
     */
    private TarReader openHeaders(int i) throws IOException {
        TarReader copy = openCopy(i);
        if (copy != null) {
            return copy;
        }
        Descriptor layer = layers.get(i);
        Digest diffId = diffIds.get(i);
        MediaTypes.Compression compression = MediaTypes.layerCompression(layer.mediaType());
        BlobStream blob = source.blob(layer);
        if (compression == MediaTypes.Compression.NONE && blob.file() != null && diffId.equals(layer.digest())) {
            if (layer.size() > maxLayerSize) {
                blob.close();
                throw new LayerTooLargeException(layer.digest(), maxLayerSize);
            }
            verifier = null;
            uncompressed =
                    new UncompressedLayer(new BufferedInputStream(blob.stream(), 1 << 16), layer, maxLayerSize, null);
            tarStream = uncompressed;
            return new TarReader(tarStream);
        }
        verifier = VerifyingInputStream.verify(new BufferedInputStream(blob.stream(), 1 << 16), layer);
        uncompressed = new UncompressedLayer(decompress(verifier, layer), layer, maxLayerSize, diffId);
        tarStream = uncompressed;
        return new TarReader(tarStream);
    }

    /** Layer {@code i}'s verified inflated copy, or null when there is none (then read it from the source). */
    private TarReader openCopy(int i) throws IOException {
        Path copy = inflated == null ? null : inflated.await(i);
        if (copy == null) {
            return null;
        }
        verifier = null; // verified whole as it was inflated
        uncompressed = null;
        tarStream = new BufferedInputStream(Streams.fileInput(copy), 1 << 16);
        return new TarReader(tarStream, true); // a file: content left unread is skipped, not read
    }

    /** Opens layer {@code i} for the second pass: verified as it is read, or its verified inflated copy. */
    private TarReader open(int i) throws IOException {
        TarReader copy = openCopy(i);
        if (copy != null) {
            return copy;
        }
        Descriptor layer = layers.get(i);
        BlobStream blob = source.blob(layer);
        verifier = VerifyingInputStream.verify(new BufferedInputStream(blob.stream(), 1 << 16), layer);
        uncompressed = new UncompressedLayer(decompress(verifier, layer), layer, maxLayerSize, null);
        tarStream = uncompressed;
        return new TarReader(tarStream);
    }

    /**
     * Reads what the tar reader left of layer {@code i} (end blocks, padding, the end of the compressed
     * stream), so that its digest and, in the first pass, its diffID are checked.
     */
    private void finishLayer(int i, TarReader tar) throws IOException {
        Descriptor layer = layers.get(i);
        try {
            drain(tar.content());
            drain(tarStream);
        } catch (IOException e) {
            throw unreadable(layer, e);
        }
        if (verifier != null) {
            verifier.drainAndVerify();
            verifier = null;
        }
        if (uncompressed != null) {
            uncompressed.verifyDiffId(i);
            uncompressed = null;
        }
    }

    /**
     * The error for a layer that cannot be read: the digest mismatch if its bytes are not the ones the manifest
     * names (checked now, reading what is left), else a corrupt layer.
     */
    private IOException unreadable(Descriptor layer, IOException e) {
        if (e instanceof FerryException) {
            return e;
        }
        if (verifier != null) {
            try {
                verifier.drainAndVerify();
            } catch (FerryException mismatch) {
                return mismatch;
            } catch (IOException ignored) {
                // the source fails too: report the first failure
            }
        }
        return new CorruptImageException("layer " + layer.digest() + " is not a readable tar: " + e.getMessage(), e);
    }

    private TarArchiveEntry next(TarReader tar, Descriptor layer) throws IOException {
        try {
            return tar.next();
        } catch (IOException e) {
            throw unreadable(layer, e);
        }
    }

    /** Pass 1: headers only, top layer first. */
    private void index() throws IOException {
        for (int i = layers.size() - 1; i >= 0; i--) {
            Descriptor layer = layers.get(i);
            index.clearLinks();
            try (TarReader tar = openHeaders(i)) {
                int ordinal = -1;
                for (TarArchiveEntry e = next(tar, layer); e != null; e = next(tar, layer)) {
                    ordinal++;
                    String name = Paths.clean(e.getName());
                    if (name.isEmpty()) {
                        continue;
                    }
                    String base = Paths.base(name);
                    if (base.startsWith(".wh.")) {
                        // Applied at once: a whiteout of layer i hides only what lies below i, and every test
                        // here compares with "> i", so this layer's own entries are not affected.
                        if (base.equals(".wh..wh..opq")) {
                            index.opaqueBelow(index.lookup(Paths.parent(name), true), i);
                        } else {
                            String target = base.substring(4);
                            if (!target.isEmpty() && !target.equals(".") && !target.equals("..")) {
                                String parent = Paths.parent(name);
                                index.hideBelow(
                                        index.lookup(parent.isEmpty() ? target : parent + "/" + target, true), i);
                            }
                        }
                        continue;
                    }
                    int id = index.lookup(name, true);
                    if (hidden(id, i) || (index.decided(id) && index.layer(id) != i)) {
                        continue; // a higher layer provides or hides it
                    }
                    index.decide(id, i, ordinal, e.isDirectory());
                    if (e.isDirectory()) {
                        index.setHeader(id, headerBytes(e));
                    }
                    if (e.isLink()) {
                        index.addLink(id, index.lookup(Paths.clean(e.getLinkName()), true), ordinal);
                    }
                }
                finishLayer(i, tar);
            }
            // Links of this layer whose target this layer provides but a higher layer replaced or deleted.
            for (int l = 0; l < index.links(); l++) {
                int link = index.linkName(l);
                if (index.ordinal(link) != index.linkOrdinal(l)) {
                    continue; // a later entry of this layer replaced the link
                }
                int target = index.linkTarget(l);
                if (index.decided(target) && index.layer(target) == i) {
                    continue;
                }
                int carrier = index.carrier(target, i);
                if (carrier < 0) {
                    index.addCarrier(target, i, link);
                } else {
                    index.relink(link, carrier);
                }
            }
            index.clearLinks();
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (in.read(buf) >= 0) {
            // the rest of the layer is read, so its digest is verified
        }
    }

    /** Whether a higher layer than {@code layer} hides path {@code id}. */
    private boolean hidden(int id, int layer) {
        if (index.hiddenBelow(id) > layer) {
            return true;
        }
        for (int p = index.parent(id); ; p = index.parent(p)) {
            boolean root = p == PathIndex.ROOT;
            if (!root && index.hiddenBelow(p) > layer) {
                return true;
            }
            if (index.opaqueBelow(p) > layer) {
                return true;
            }
            if (!root && index.decided(p) && !index.directory(p) && index.layer(p) > layer) {
                return true;
            }
            if (root) {
                return false;
            }
        }
    }

    /** Pass 2: base layer first, each path from the layer that provides it. */
    private void emit(RootfsWriter out) throws IOException {
        for (int i = 0; i < layers.size(); i++) {
            Descriptor layer = layers.get(i);
            try (TarReader tar = open(i)) {
                int ordinal = -1;
                for (TarArchiveEntry e = next(tar, layer); e != null; e = next(tar, layer)) {
                    ordinal++;
                    String name = Paths.clean(e.getName());
                    if (name.isEmpty() || Paths.base(name).startsWith(".wh.")) {
                        continue;
                    }
                    int id = index.lookup(name, false);
                    if (id < 0) {
                        continue; // not in the first pass: the second pass will fail on the digest
                    }
                    int carrier = index.carrier(id, i);
                    if (carrier >= 0
                            && Entries.isRegular(e)
                            && !index.emitted(carrier)
                            && !underNonDirectory(carrier)) {
                        // The target is gone from the final tree, but links to it survive: the first carries it.
                        String carrierName = index.path(carrier);
                        parents(carrier, carrierName, out);
                        out.write(copyOf(e, carrierName), tar.content());
                        index.setEmitted(carrier);
                        continue;
                    }
                    if (index.layer(id) != i
                            || index.ordinal(id) != ordinal
                            || index.emitted(id)
                            || underNonDirectory(id)) {
                        continue;
                    }
                    parents(id, name, out);
                    TarArchiveEntry entry = copyOf(e, name);
                    if (e.isLink()) {
                        int relinked = index.relinked(id);
                        String target = relinked >= 0 ? index.path(relinked) : Paths.clean(e.getLinkName());
                        int targetId = relinked >= 0 ? relinked : index.lookup(target, false);
                        if (targetId < 0 || !index.emitted(targetId)) {
                            continue; // its target never made it into the tree: nothing to link to
                        }
                        entry.setLinkName(target);
                    }
                    out.write(entry, Entries.isRegular(e) ? tar.content() : null);
                    index.setEmitted(id);
                }
                finishLayer(i, tar);
            }
        }
    }

    /**
     * Whether a folder on the way to path {@code id} is not a folder in the final tree (a symlink, say): an
     * entry there would be written through it, so it is left out (a hostile layer's trick, within one layer or
     * across two).
     */
    private boolean underNonDirectory(int id) {
        for (int p = index.parent(id); p != PathIndex.ROOT; p = index.parent(p)) {
            if (index.decided(p) && !index.directory(p)) {
                return true;
            }
        }
        return false;
    }

    /** Emits the parents of path {@code id} ({@code name}) that are not out yet, top first, with their final metadata. */
    private void parents(int id, String name, RootfsWriter out) throws IOException {
        List<Integer> missing = new ArrayList<>();
        List<String> names = new ArrayList<>();
        String parentName = Paths.parent(name);
        for (int p = index.parent(id); p != PathIndex.ROOT && !index.emitted(p); p = index.parent(p)) {
            missing.add(p);
            names.add(parentName);
            parentName = Paths.parent(parentName);
        }
        for (int k = missing.size() - 1; k >= 0; k--) {
            int p = missing.get(k);
            String parent = names.get(k);
            byte[] header = index.decided(p) && index.directory(p) ? index.header(p) : null;
            TarArchiveEntry dir;
            if (header != null) {
                dir = copyOf(header(header, parent), parent);
            } else {
                dir = new TarArchiveEntry(parent + "/");
                dir.setMode(040755);
                dir.setModTime(0);
            }
            out.write(dir, null);
            index.setEmitted(p);
        }
    }

    /** What {@link #copyOf} takes from a folder's header, as bytes to keep off the heap. */
    static byte[] headerBytes(TarArchiveEntry e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(e.getMode());
            out.writeLong(e.getLongUserId());
            out.writeLong(e.getLongGroupId());
            writeString(out, e.getUserName());
            writeString(out, e.getGroupName());
            out.writeLong(e.getModTime().getTime());
            List<Map.Entry<String, String>> xattrs = new ArrayList<>();
            for (Map.Entry<String, String> pax : e.getExtraPaxHeaders().entrySet()) {
                if (pax.getKey().startsWith("SCHILY.xattr.") || pax.getKey().startsWith("LIBARCHIVE.xattr.")) {
                    xattrs.add(pax);
                }
            }
            out.writeInt(xattrs.size());
            for (Map.Entry<String, String> x : xattrs) {
                writeString(out, x.getKey());
                writeString(out, x.getValue());
            }
        }
        return bytes.toByteArray();
    }

    /** A folder's header from {@link #headerBytes}. */
    static TarArchiveEntry header(byte[] bytes, String name) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        TarArchiveEntry e = new TarArchiveEntry(name + "/", TarArchiveEntry.LF_DIR, true);
        e.setMode(in.readInt());
        e.setUserId(in.readLong());
        e.setGroupId(in.readLong());
        e.setUserName(readString(in));
        e.setGroupName(readString(in));
        e.setModTime(in.readLong());
        for (int n = in.readInt(); n > 0; n--) {
            e.addPaxHeader(readString(in), readString(in));
        }
        return e;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(s.length());
        out.writeChars(s);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) {
            chars[i] = in.readChar();
        }
        return new String(chars);
    }

    /** A copy of a header under a clean name (directories end with '/'). */
    static TarArchiveEntry copyOf(TarArchiveEntry e, String name) {
        byte linkFlag = e.isDirectory()
                ? TarArchiveEntry.LF_DIR
                : e.isSymbolicLink()
                        ? TarArchiveEntry.LF_SYMLINK
                        : e.isLink()
                                ? TarArchiveEntry.LF_LINK
                                : e.isCharacterDevice()
                                        ? TarArchiveEntry.LF_CHR
                                        : e.isBlockDevice()
                                                ? TarArchiveEntry.LF_BLK
                                                : e.isFIFO() ? TarArchiveEntry.LF_FIFO : TarArchiveEntry.LF_NORMAL;
        TarArchiveEntry c = new TarArchiveEntry(e.isDirectory() ? name + "/" : name, linkFlag, true);
        c.setMode(e.getMode());
        c.setUserId(e.getLongUserId());
        c.setGroupId(e.getLongGroupId());
        c.setUserName(e.getUserName());
        c.setGroupName(e.getGroupName());
        c.setModTime(e.getModTime());
        if (Entries.isRegular(e)) {
            c.setSize(e.getSize());
        }
        if (e.isSymbolicLink() || e.isLink()) {
            c.setLinkName(e.getLinkName());
        }
        if (e.isCharacterDevice() || e.isBlockDevice()) {
            c.setDevMajor(e.getDevMajor());
            c.setDevMinor(e.getDevMinor());
        }
        for (Map.Entry<String, String> pax : e.getExtraPaxHeaders().entrySet()) {
            if (pax.getKey().startsWith("SCHILY.xattr.") || pax.getKey().startsWith("LIBARCHIVE.xattr.")) {
                c.addPaxHeader(pax.getKey(), pax.getValue());
            }
        }
        return c;
    }
}
