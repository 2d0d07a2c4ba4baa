package dev.ferry.rootfs;

import com.github.luben.zstd.ZstdInputStream;
import dev.ferry.model.Descriptor;
import dev.ferry.model.InspectedImage;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.CorruptImageException;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.support.ShutdownCleanup;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/** The flattener as it was before the index of paths moved off the heap: the reference for equivalence tests. */
final class ReferenceFlattener {
    /**
     * What the first pass decided for a path: the layer, and the entry within it ({@code ordinal}, counting every
     * entry of the layer), since when a layer holds a path twice the last entry wins, as in tar and docker.
     */
    private record Decision(int layer, int ordinal, boolean directory, TarArchiveEntry header) {}

    /** A hardlink entry of the layer being indexed: its path, its target, and its ordinal in the layer. */
    private record Link(String name, String target, int ordinal) {}

    private final Map<String, Decision> decided = new HashMap<>();
    private final Map<String, Integer> hiddenBelow = new HashMap<>();
    private final Map<String, Integer> opaqueBelow = new HashMap<>();
    /** Per layer: hardlink target (in that layer) whose own entry is not final -> its first surviving link. */
    private final Map<Integer, Map<String, String>> carriers = new HashMap<>();
    /** Surviving links whose target is not final -> the carrier they link to instead. */
    private final Map<String, String> relinked = new HashMap<>();

    private final Set<String> emitted = new HashSet<>();

    private final ImageSource source;
    private final List<Descriptor> layers;

    private ReferenceFlattener(ImageSource source, List<Descriptor> layers) {
        this.source = source;
        this.layers = layers;
    }

    /** Streams the root filesystem of {@code image} (read from {@code source}) into {@code out}. */
    public static void flatten(ImageSource source, InspectedImage image, RootfsWriter out) throws IOException {
        flatten(source, image, out, null);
    }

    /**
     * As {@link #flatten(ImageSource, InspectedImage, RootfsWriter)}; with {@code tmpDir}, the base layer, when
     * compressed, is decompressed once: the first pass keeps its tar there (the first pass ends with it and the
     * second begins with it, so it lives briefly) and the second reads it back instead of inflating it again.
     */
    public static void flatten(ImageSource source, InspectedImage image, RootfsWriter out, Path tmpDir)
            throws IOException {
        ReferenceFlattener f = new ReferenceFlattener(source, image.image().layers());
        try {
            f.index(tmpDir);
            f.emit(out);
        } finally {
            if (f.baseTar != null) {
                Files.deleteIfExists(f.baseTar);
                ShutdownCleanup.unregister(f.baseTar);
            }
        }
    }

    /** The base layer's tar, decompressed by the first pass, verified, for the second; or null. */
    private Path baseTar;

    /** Opens a layer for the second pass: verified as it is read, or the base layer's verified tar. */
    private TarReader open(Descriptor layer) throws IOException {
        if (baseTar != null && layer == layers.get(0)) {
            verifier = null; // verified whole by the first pass
            return new TarReader(new BufferedInputStream(Files.newInputStream(baseTar), 1 << 16));
        }
        BlobStream blob = source.blob(layer);
        verifier = VerifyingInputStream.verify(new BufferedInputStream(blob.stream(), 1 << 16), layer);
        return new TarReader(decompress(verifier, layer));
    }

    /** The digest check of the layer being read, or null; {@link #finishLayer} reads it to its end. */
    private VerifyingInputStream verifier;

    /** Reads what the tar reader left of the layer (end blocks, padding), so that its digest is checked. */
    private void finishLayer(TarReader tar) throws IOException {
        drain(tar.content());
        if (verifier != null) {
            verifier.drainAndVerify();
            verifier = null;
        }
    }

    private static InputStream decompress(InputStream in, Descriptor layer) throws IOException {
        return switch (MediaTypes.layerCompression(layer.mediaType())) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case ZSTD -> new ZstdInputStream(in);
        };
    }

    /**
     * Opens a layer for the first pass, which reads headers only. An uncompressed layer the source keeps in a file
     * is read without its digest: the second pass verifies every byte and fails the whole operation (whose output
     * is atomic) on a mismatch, so hashing it here too would only cost time. Otherwise it is verified here as well,
     * and the base layer, when compressed and {@code tmpDir} is given, is kept decompressed for the second pass.
     */
    private TarReader openHeaders(Descriptor layer, boolean base, Path tmpDir) throws IOException {
        BlobStream blob = source.blob(layer);
        MediaTypes.Compression compression = MediaTypes.layerCompression(layer.mediaType());
        if (compression == MediaTypes.Compression.NONE && blob.file() != null) {
            verifier = null;
            return new TarReader(new BufferedInputStream(blob.stream(), 1 << 16));
        }
        verifier = VerifyingInputStream.verify(new BufferedInputStream(blob.stream(), 1 << 16), layer);
        InputStream plain = decompress(verifier, layer);
        if (base && tmpDir != null && compression != MediaTypes.Compression.NONE) {
            baseTar = Files.createTempFile(tmpDir, ".ferry-base-layer-", ".tar");
            ShutdownCleanup.register(baseTar);
            plain = new TeeInputStream(plain, new BufferedOutputStream(Files.newOutputStream(baseTar), 1 << 16));
        }
        return new TarReader(plain);
    }

    /** Copies what is read to a file; closing it closes the file. */
    private static final class TeeInputStream extends FilterInputStream {
        private final OutputStream copy;

        TeeInputStream(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                copy.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
                copy.write(buf, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
            int r = read(buf, 0, buf.length);
            return Math.max(r, 0);
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } finally {
                copy.close();
            }
        }
    }

    private TarArchiveEntry next(TarReader tar, Descriptor layer) throws IOException {
        try {
            return tar.next();
        } catch (IOException e) {
            if (e instanceof FerryException) {
                throw e;
            }
            throw new CorruptImageException("layer " + layer.digest() + " is not a readable tar: " + e.getMessage(), e);
        }
    }

    /** Pass 1: headers only, top layer first. */
    private void index(Path tmpDir) throws IOException {
        for (int i = layers.size() - 1; i >= 0; i--) {
            Descriptor layer = layers.get(i);
            List<String> whiteouts = new ArrayList<>();
            List<String> opaques = new ArrayList<>();
            List<Link> links = new ArrayList<>();
            try (TarReader tar = openHeaders(layer, i == 0, tmpDir)) {
                int ordinal = -1;
                for (TarArchiveEntry e = next(tar, layer); e != null; e = next(tar, layer)) {
                    ordinal++;
                    String name = Paths.clean(e.getName());
                    if (name.isEmpty()) {
                        continue;
                    }
                    String base = Paths.base(name);
                    if (base.startsWith(".wh.")) {
                        if (base.equals(".wh..wh..opq")) {
                            opaques.add(Paths.parent(name));
                        } else {
                            String parent = Paths.parent(name);
                            String target = base.substring(4);
                            whiteouts.add(parent.isEmpty() ? target : parent + "/" + target);
                        }
                        continue;
                    }
                    Decision above = decided.get(name);
                    if (hidden(name, i) || (above != null && above.layer() != i)) {
                        continue; // a higher layer provides or hides it
                    }
                    decided.put(name, new Decision(i, ordinal, e.isDirectory(), e.isDirectory() ? e : null));
                    if (e.isLink()) {
                        links.add(new Link(name, Paths.clean(e.getLinkName()), ordinal));
                    }
                }
                finishLayer(tar);
            }
            // Links of this layer whose target this layer provides but a higher layer replaced or deleted.
            for (Link link : links) {
                if (decided.get(link.name()).ordinal() != link.ordinal()) {
                    continue; // a later entry of this layer replaced the link
                }
                Decision target = decided.get(link.target());
                if (target != null && target.layer() == i) {
                    continue;
                }
                String carrier =
                        carriers.computeIfAbsent(i, k -> new HashMap<>()).putIfAbsent(link.target(), link.name());
                if (carrier != null) {
                    relinked.put(link.name(), carrier);
                }
            }
            for (String w : whiteouts) {
                hiddenBelow.merge(w, i, Math::max);
            }
            for (String o : opaques) {
                opaqueBelow.merge(o, i, Math::max);
            }
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (in.read(buf) >= 0) {
            // the rest of the layer is read, so its digest is verified
        }
    }

    /** Whether a higher layer than {@code layer} hides {@code name}. */
    private boolean hidden(String name, int layer) {
        Integer w = hiddenBelow.get(name);
        if (w != null && w > layer) {
            return true;
        }
        for (String p = Paths.parent(name); ; p = Paths.parent(p)) {
            Integer wp = hiddenBelow.get(p);
            if (!p.isEmpty() && wp != null && wp > layer) {
                return true;
            }
            Integer o = opaqueBelow.get(p);
            if (o != null && o > layer) {
                return true;
            }
            Decision d = decided.get(p);
            if (!p.isEmpty() && d != null && !d.directory() && d.layer() > layer) {
                return true;
            }
            if (p.isEmpty()) {
                return false;
            }
        }
    }

    /** Pass 2: base layer first, each path from the layer that provides it. */
    private void emit(RootfsWriter out) throws IOException {
        for (int i = 0; i < layers.size(); i++) {
            Descriptor layer = layers.get(i);
            Map<String, String> layerCarriers = carriers.getOrDefault(i, Map.of());
            try (TarReader tar = open(layer)) {
                int ordinal = -1;
                for (TarArchiveEntry e = next(tar, layer); e != null; e = next(tar, layer)) {
                    ordinal++;
                    String name = Paths.clean(e.getName());
                    if (name.isEmpty() || Paths.base(name).startsWith(".wh.")) {
                        continue;
                    }
                    String carrier = layerCarriers.get(name);
                    if (carrier != null
                            && Entries.isRegular(e)
                            && !emitted.contains(carrier)
                            && !underNonDirectory(carrier)) {
                        // The target is gone from the final tree, but links to it survive: the first carries it.
                        parents(carrier, out);
                        TarArchiveEntry copy = copyOf(e, carrier);
                        out.write(copy, tar.content());
                        emitted.add(carrier);
                        continue;
                    }
                    Decision d = decided.get(name);
                    if (d == null
                            || d.layer() != i
                            || d.ordinal() != ordinal
                            || emitted.contains(name)
                            || underNonDirectory(name)) {
                        continue;
                    }
                    parents(name, out);
                    TarArchiveEntry entry = copyOf(e, name);
                    if (e.isLink()) {
                        String target = relinked.getOrDefault(name, Paths.clean(e.getLinkName()));
                        if (!emitted.contains(target)) {
                            continue; // its target never made it into the tree: nothing to link to
                        }
                        entry.setLinkName(target);
                    }
                    out.write(entry, Entries.isRegular(e) ? tar.content() : null);
                    emitted.add(name);
                }
                finishLayer(tar);
            }
        }
    }

    /**
     * Whether a folder on the way to {@code name} is not a folder in the final tree (a symlink, say): an entry
     * there would be written through it, so it is left out (a hostile layer's trick, within one layer or across
     * two).
     */
    private boolean underNonDirectory(String name) {
        for (String p = Paths.parent(name); !p.isEmpty(); p = Paths.parent(p)) {
            Decision d = decided.get(p);
            if (d != null && !d.directory()) {
                return true;
            }
        }
        return false;
    }

    /** Emits the parents of {@code name} that are not out yet, with their final metadata. */
    private void parents(String name, RootfsWriter out) throws IOException {
        String parent = Paths.parent(name);
        if (parent.isEmpty() || emitted.contains(parent)) {
            return;
        }
        parents(parent, out);
        Decision d = decided.get(parent);
        TarArchiveEntry dir;
        if (d != null && d.directory()) {
            dir = copyOf(d.header(), parent);
        } else {
            dir = new TarArchiveEntry(parent + "/");
            dir.setMode(040755);
            dir.setModTime(0);
        }
        out.write(dir, null);
        emitted.add(parent);
    }

    static TarArchiveEntry copyOf(TarArchiveEntry e, String name) {
        return Flattener.copyOf(e, name);
    }
}
