package dev.ferry.rootfs;

import dev.ferry.spi.CorruptImageException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The paths of a root filesystem and what flattening decided for each, in flat records of ints off the Java heap
 * ({@link BigBuffer}s: memory-mapped files in a temporary folder, or heap chunks without one). A path is a node
 * id: its parent's id and its last name, found through a hash table of (parent, name), so a path's parents are
 * walked by id and never as strings. The heap holds a few objects whatever the number of paths.
 *
 * <p>Per path: 48 bytes of node, 4 of hash table (up to 8 right after it doubles), the bytes of its last name;
 * a folder's header (mode, owner, times, xattrs) adds 24 bytes and the header's own size; a hardlink whose
 * target is replaced adds 16 bytes per layer concerned. About 70 bytes per path for a usual tree, all of it in
 * the files.
 *
 * <p>Fields that start at "none" are stored plus one, so that the zeros of fresh storage mean "none" and nothing
 * needs to be initialised.
 */
final class PathIndex implements AutoCloseable {
    static final int ROOT = 0;

    private static final int NODE = 48;
    private static final int N_NAME_OFF = 0; // long: the last name's bytes in the arena
    private static final int N_NAME_LEN = 8;
    private static final int N_PARENT = 12;
    private static final int N_HASH = 16;
    private static final int N_NEXT = 20; // next node of the bucket + 1
    private static final int N_LAYER = 24; // the layer that provides it + 1
    private static final int N_ORDINAL = 28; // the entry of that layer that provides it
    private static final int N_FLAGS = 32;
    private static final int N_HIDDEN = 36; // the highest layer whose whiteout hides it + 1
    private static final int N_OPAQUE = 40; // the highest layer where this folder is opaque + 1
    private static final int N_EXTRA = 44; // its extra record + 1

    private static final int EXTRA = 24;
    private static final int X_HEADER_OFF = 0; // long: a folder's header bytes in the arena
    private static final int X_HEADER_LEN = 8; // + 1
    private static final int X_RELINKED = 12; // the carrier a link links to instead of its target + 1
    private static final int X_CARRIERS = 16; // its first carrier record + 1

    private static final int CARRIER = 16;
    private static final int C_LAYER = 0;
    private static final int C_CARRIER = 4;
    private static final int C_NEXT = 8; // + 1

    private static final int LINK = 16;

    private static final int FLAG_DIRECTORY = 1;
    private static final int FLAG_EMITTED = 2;

    /** A per-process multiplier, so that names cannot be chosen to collide in the hash table. */
    private static final int SEED = new SecureRandom().nextInt() | 1;

    private final BigBuffer nodes;
    private final BigBuffer heads;
    private final BigBuffer arena;
    private final BigBuffer extras;
    private final BigBuffer carriers;
    private final BigBuffer links;
    private int count;
    private int bucketBits = 10;
    private long arenaSize;
    private int extraCount;
    private int carrierCount;
    private int linkCount;

    private byte[] encoded = new byte[256];
    private String cachedParent;
    private int cachedParentId;

    /** An index whose storage lives in {@code dir} (files made here, removed by {@link #close}), or on the heap. */
    PathIndex(Path dir) throws IOException {
        nodes = BigBuffer.create(dir, "nodes");
        heads = BigBuffer.create(dir, "buckets");
        arena = BigBuffer.create(dir, "names");
        extras = BigBuffer.create(dir, "extras");
        carriers = BigBuffer.create(dir, "carriers");
        links = BigBuffer.create(dir, "links");
        heads.ensure(4L << bucketBits);
        nodes.ensure(NODE);
        count = 1; // the root: no parent, no name, in no bucket
        nodes.putInt(N_PARENT, -1);
    }

    /** The number of paths. */
    int size() {
        return count;
    }

    private static long node(int id) {
        return (long) id * NODE;
    }

    // --- paths

    /**
     * The id of a clean path ("" is the root), created with its parents if {@code create}, else -1 if absent.
     * Consecutive paths in one folder are found with one hash lookup.
     */
    int lookup(String path, boolean create) throws CorruptImageException {
        if (path.isEmpty()) {
            return ROOT;
        }
        int slash = path.lastIndexOf('/');
        int parent;
        if (slash < 0) {
            parent = ROOT;
        } else if (cachedParent != null && cachedParent.length() == slash && path.startsWith(cachedParent)) {
            parent = cachedParentId;
        } else {
            parent = ROOT;
            int start = 0;
            while (start < slash) {
                int end = path.indexOf('/', start);
                if (end < 0 || end > slash) {
                    end = slash;
                }
                parent = child(parent, path, start, end, create);
                if (parent < 0) {
                    return -1;
                }
                start = end + 1;
            }
            cachedParent = path.substring(0, slash);
            cachedParentId = parent;
        }
        return child(parent, path, slash + 1, path.length(), create);
    }

    /** The child of {@code parent} named {@code path[from, to)}. */
    private int child(int parent, String path, int from, int to, boolean create) throws CorruptImageException {
        int len = encode(path, from, to);
        int hash = hash(parent, encoded, len);
        long bucket = (long) (hash & ((1 << bucketBits) - 1)) * 4;
        for (int id = heads.getInt(bucket) - 1; id >= 0; id = nodes.getInt(node(id) + N_NEXT) - 1) {
            long n = node(id);
            if (nodes.getInt(n + N_HASH) == hash
                    && nodes.getInt(n + N_PARENT) == parent
                    && nodes.getInt(n + N_NAME_LEN) == len
                    && arena.equals(nodes.getLong(n + N_NAME_OFF), encoded, 0, len)) {
                return id;
            }
        }
        if (!create) {
            return -1;
        }
        if (count == Integer.MAX_VALUE) {
            throw new CorruptImageException("the image holds more than " + Integer.MAX_VALUE + " paths");
        }
        int id = count++;
        long n = node(id);
        nodes.ensure(n + NODE);
        arena.ensure(arenaSize + len);
        arena.put(arenaSize, encoded, 0, len);
        nodes.putLong(n + N_NAME_OFF, arenaSize);
        arenaSize += len;
        nodes.putInt(n + N_NAME_LEN, len);
        nodes.putInt(n + N_PARENT, parent);
        nodes.putInt(n + N_HASH, hash);
        nodes.putInt(n + N_NEXT, heads.getInt(bucket));
        heads.putInt(bucket, id + 1);
        if (count > (1 << bucketBits) && bucketBits < 30) {
            grow();
        }
        return id;
    }

    /** Doubles the buckets, splitting each chain in place by the next bit of the hash. */
    private void grow() {
        int old = 1 << bucketBits;
        heads.ensure(8L * old);
        for (int b = 0; b < old; b++) {
            int low = 0;
            int high = 0;
            for (int id = heads.getInt(4L * b) - 1; id >= 0; ) {
                long n = node(id);
                int next = nodes.getInt(n + N_NEXT) - 1;
                if ((nodes.getInt(n + N_HASH) & old) == 0) {
                    nodes.putInt(n + N_NEXT, low);
                    low = id + 1;
                } else {
                    nodes.putInt(n + N_NEXT, high);
                    high = id + 1;
                }
                id = next;
            }
            heads.putInt(4L * b, low);
            heads.putInt(4L * (b + old), high);
        }
        bucketBits++;
    }

    private static int hash(int parent, byte[] name, int len) {
        int h = parent * 0x9E3779B9 + len;
        for (int i = 0; i < len; i++) {
            h = h * SEED + name[i];
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    /** Encodes {@code s[from, to)} into {@link #encoded} ({@link #encode(String, int, int, byte[])}). */
    private int encode(String s, int from, int to) {
        int max = 3 * (to - from);
        if (encoded.length < max) {
            encoded = new byte[Math.max(max, 2 * encoded.length)];
        }
        return encode(s, from, to, encoded);
    }

    /** {@code s} encoded as by {@link #encode(String, int, int, byte[])}. */
    static byte[] encode(String s) {
        byte[] out = new byte[3 * s.length()];
        return Arrays.copyOf(out, encode(s, 0, s.length(), out));
    }

    /**
     * Encodes {@code s[from, to)} into {@code out} (3 bytes per char at most), each char on its own: UTF-8 for
     * all but surrogates, which take 3 bytes each, so that distinct strings stay distinct and
     * {@link #decode} gives them back exactly. Returns the length.
     */
    static int encode(String s, int from, int to, byte[] out) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | c >> 6);
                out[n++] = (byte) (0x80 | c & 0x3F);
            } else {
                out[n++] = (byte) (0xE0 | c >> 12);
                out[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[n++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return n;
    }

    /** The string {@link #encode(String, int, int, byte[])} made {@code bytes[off, off + len)} of. */
    static String decode(byte[] bytes, int off, int len) {
        StringBuilder s = new StringBuilder(len);
        for (int i = off; i < off + len; ) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                s.append((char) b);
                i++;
            } else if (b < 0xE0) {
                s.append((char) ((b & 0x1F) << 6 | bytes[i + 1] & 0x3F));
                i += 2;
            } else {
                s.append((char) ((b & 0x0F) << 12 | (bytes[i + 1] & 0x3F) << 6 | bytes[i + 2] & 0x3F));
                i += 3;
            }
        }
        return s.toString();
    }

    /** The clean path of {@code id}. */
    String path(int id) {
        StringBuilder path = new StringBuilder();
        for (int p = id; p != ROOT; p = parent(p)) {
            long n = node(p);
            int len = nodes.getInt(n + N_NAME_LEN);
            byte[] bytes = new byte[len];
            arena.get(nodes.getLong(n + N_NAME_OFF), bytes, 0, len);
            String name = decode(bytes, 0, len);
            if (path.length() > 0) {
                path.insert(0, '/');
            }
            path.insert(0, name);
        }
        return path.toString();
    }

    int parent(int id) {
        return nodes.getInt(node(id) + N_PARENT);
    }

    // --- decisions

    /** Whether a layer provides this path. */
    boolean decided(int id) {
        return nodes.getInt(node(id) + N_LAYER) != 0;
    }

    /** The layer that provides it, or -1. */
    int layer(int id) {
        return nodes.getInt(node(id) + N_LAYER) - 1;
    }

    /** The entry of {@link #layer} that provides it. */
    int ordinal(int id) {
        return nodes.getInt(node(id) + N_ORDINAL);
    }

    /** Whether it is decided and a folder. */
    boolean directory(int id) {
        return (nodes.getInt(node(id) + N_FLAGS) & FLAG_DIRECTORY) != 0;
    }

    void decide(int id, int layer, int ordinal, boolean directory) {
        long n = node(id);
        nodes.putInt(n + N_LAYER, layer + 1);
        nodes.putInt(n + N_ORDINAL, ordinal);
        int flags = nodes.getInt(n + N_FLAGS);
        nodes.putInt(n + N_FLAGS, directory ? flags | FLAG_DIRECTORY : flags & ~FLAG_DIRECTORY);
    }

    boolean emitted(int id) {
        return (nodes.getInt(node(id) + N_FLAGS) & FLAG_EMITTED) != 0;
    }

    void setEmitted(int id) {
        long n = node(id);
        nodes.putInt(n + N_FLAGS, nodes.getInt(n + N_FLAGS) | FLAG_EMITTED);
    }

    /** The highest layer with a whiteout of this path, or -1. */
    int hiddenBelow(int id) {
        return nodes.getInt(node(id) + N_HIDDEN) - 1;
    }

    void hideBelow(int id, int layer) {
        long n = node(id);
        nodes.putInt(n + N_HIDDEN, Math.max(nodes.getInt(n + N_HIDDEN), layer + 1));
    }

    /** The highest layer where this folder is opaque, or -1. */
    int opaqueBelow(int id) {
        return nodes.getInt(node(id) + N_OPAQUE) - 1;
    }

    void opaqueBelow(int id, int layer) {
        long n = node(id);
        nodes.putInt(n + N_OPAQUE, Math.max(nodes.getInt(n + N_OPAQUE), layer + 1));
    }

    // --- extras: folder headers, hardlink carriers

    private long extra(int id, boolean create) {
        long n = node(id);
        int x = nodes.getInt(n + N_EXTRA) - 1;
        if (x < 0) {
            if (!create) {
                return -1;
            }
            x = extraCount++;
            extras.ensure((long) extraCount * EXTRA);
            nodes.putInt(n + N_EXTRA, x + 1);
        }
        return (long) x * EXTRA;
    }

    /** Keeps a folder's header, serialized. */
    void setHeader(int id, byte[] header) {
        long x = extra(id, true);
        arena.ensure(arenaSize + header.length);
        arena.put(arenaSize, header, 0, header.length);
        extras.putLong(x + X_HEADER_OFF, arenaSize);
        extras.putInt(x + X_HEADER_LEN, header.length + 1);
        arenaSize += header.length;
    }

    /** The folder header kept for {@code id}, or null. */
    byte[] header(int id) {
        long x = extra(id, false);
        if (x < 0 || extras.getInt(x + X_HEADER_LEN) == 0) {
            return null;
        }
        byte[] header = new byte[extras.getInt(x + X_HEADER_LEN) - 1];
        arena.get(extras.getLong(x + X_HEADER_OFF), header, 0, header.length);
        return header;
    }

    /** The carrier that link {@code id} links to instead of its target, or -1. */
    int relinked(int id) {
        long x = extra(id, false);
        return x < 0 ? -1 : extras.getInt(x + X_RELINKED) - 1;
    }

    void relink(int id, int carrier) {
        extras.putInt(extra(id, true) + X_RELINKED, carrier + 1);
    }

    /** The first surviving link of {@code layer} to {@code target}, whose own entry there is not final; or -1. */
    int carrier(int target, int layer) {
        long x = extra(target, false);
        if (x < 0) {
            return -1;
        }
        for (int c = extras.getInt(x + X_CARRIERS) - 1; c >= 0; c = carriers.getInt((long) c * CARRIER + C_NEXT) - 1) {
            long r = (long) c * CARRIER;
            if (carriers.getInt(r + C_LAYER) == layer) {
                return carriers.getInt(r + C_CARRIER);
            }
        }
        return -1;
    }

    void addCarrier(int target, int layer, int carrier) {
        long x = extra(target, true);
        int c = carrierCount++;
        long r = (long) c * CARRIER;
        carriers.ensure(r + CARRIER);
        carriers.putInt(r + C_LAYER, layer);
        carriers.putInt(r + C_CARRIER, carrier);
        carriers.putInt(r + C_NEXT, extras.getInt(x + X_CARRIERS));
        extras.putInt(x + X_CARRIERS, c + 1);
    }

    // --- the hardlinks of the layer being indexed

    void addLink(int link, int target, int ordinal) {
        long r = (long) linkCount++ * LINK;
        links.ensure(r + LINK);
        links.putInt(r, link);
        links.putInt(r + 4, target);
        links.putInt(r + 8, ordinal);
    }

    int links() {
        return linkCount;
    }

    int linkName(int i) {
        return links.getInt((long) i * LINK);
    }

    int linkTarget(int i) {
        return links.getInt((long) i * LINK + 4);
    }

    int linkOrdinal(int i) {
        return links.getInt((long) i * LINK + 8);
    }

    void clearLinks() {
        linkCount = 0;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (BigBuffer b : new BigBuffer[] {nodes, heads, arena, extras, carriers, links}) {
            try {
                b.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
