package dev.ferry.rootfs;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The raw bytes of PAX xattr records ({@code SCHILY.xattr.NAME}), which Commons Compress decodes as UTF-8 and so
 * mangles when they are binary, as {@code security.capability} is. This stream watches a tar stream go by on its
 * way to a {@code TarArchiveInputStream}, follows its 512-byte header structure, and keeps each entry's xattr
 * values as bytes, by entry number (PAX, global and GNU long-name headers are not entries). Values are then
 * carried as ISO-8859-1 strings, one char per byte, which is lossless.
 */
public final class PaxXattrs extends FilterInputStream {
    private static final String PREFIX = "SCHILY.xattr.";

    private final byte[] header = new byte[512];
    private int headerFill;
    private long dataLeft;
    private long paddingLeft;
    private ByteArrayOutputStream pax;
    private Map<String, byte[]> pending;
    private long paxSize = -1;
    private int entries;
    private final Map<Integer, Map<String, byte[]>> byEntry = new HashMap<>();
    private Map<String, byte[]> pendingNames;
    private final Map<Integer, Map<String, byte[]>> namesByEntry = new HashMap<>();
    /** Whether {@code in} skips without reading (a file): then data nobody reads is skipped, not read. */
    private final boolean seekable;
    /** Bytes of the current entry's data and padding that the reader discards: skipped when seekable. */
    private long discard;
    /** Discarded bytes handed out but not yet skipped in {@code in}. */
    private long unskipped;

    public PaxXattrs(InputStream in) {
        this(in, false);
    }

    /**
     * @param seekable whether {@code in} skips without reading (a file): then what {@link #discardRest} marks is
     *     skipped instead of read
     */
    public PaxXattrs(InputStream in, boolean seekable) {
        super(in);
        this.seekable = seekable;
    }

    /**
     * Marks the rest of the current entry (its data and padding, up to the next header) as bytes the tar reader
     * will discard, as it does when it moves to the next entry: when {@code in} is seekable, they are skipped
     * instead of read and copied. Only a plain entry's data: a PAX or long-name header's data is always read.
     */
    public void discardRest() {
        if (seekable && pax == null && headerFill == 0) {
            discard = dataLeft + paddingLeft;
        }
    }

    /**
     * The raw xattrs of the {@code index}-th entry (from 0), or an empty map; forgotten once taken, so memory holds
     * only the entries read ahead, whatever the number of entries in the layer.
     */
    public Map<String, byte[]> take(int index) {
        Map<String, byte[]> xattrs = byEntry.remove(index);
        return xattrs == null ? Map.of() : xattrs;
    }

    /**
     * The raw bytes of the {@code index}-th entry's PAX {@code path}, {@code linkpath}, {@code uname} and
     * {@code gname} records (those it has), which Commons Compress decodes leniently; forgotten once taken.
     */
    public Map<String, byte[]> takeNames(int index) {
        Map<String, byte[]> names = namesByEntry.remove(index);
        return names == null ? Map.of() : names;
    }

    /** Encodes raw bytes as an ISO-8859-1 string. */
    public static String latin1(byte[] value) {
        return new String(value, StandardCharsets.ISO_8859_1);
    }

    /** Decodes a value carried as an ISO-8859-1 string. */
    public static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public int read() throws IOException {
        if (discard > 0) {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
        skipDiscarded();
        int b = in.read();
        if (b >= 0) {
            observe(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (discard > 0 && len > 0) {
            // bytes the reader throws away: handed out unread (the buffer left as it is), skipped in the file in
            // one go before the next real read
            int n = (int) Math.min(len, discard);
            discard -= n;
            unskipped += n;
            long fromData = Math.min(n, dataLeft);
            dataLeft -= fromData;
            paddingLeft -= n - fromData;
            return n;
        }
        skipDiscarded();
        int n = in.read(buf, off, len);
        if (n > 0) {
            observe(buf, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        return Streams.skipByReading(this, n); // every byte passes through read
    }

    /** Skips in {@code in} the discarded bytes handed out so far; an end of file before them is an error. */
    private void skipDiscarded() throws IOException {
        while (unskipped > 0) {
            long n = in.skip(unskipped);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("the tar stream ends inside an entry (" + unskipped + " bytes short)");
                }
                n = 1;
            }
            unskipped -= n;
        }
    }

    private void observe(byte[] buf, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            if (dataLeft > 0) {
                int step = (int) Math.min(dataLeft, end - i);
                if (pax != null) {
                    pax.write(buf, i, step);
                }
                dataLeft -= step;
                i += step;
                if (dataLeft == 0 && pax != null) {
                    parsePax(pax.toByteArray());
                    pax = null;
                }
            } else if (paddingLeft > 0) {
                int step = (int) Math.min(paddingLeft, end - i);
                paddingLeft -= step;
                i += step;
            } else {
                int step = Math.min(512 - headerFill, end - i);
                System.arraycopy(buf, i, header, headerFill, step);
                headerFill += step;
                i += step;
                if (headerFill == 512) {
                    headerFill = 0;
                    onHeader();
                }
            }
        }
    }

    private void onHeader() {
        boolean zero = true;
        for (byte b : header) {
            if (b != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return;
        }
        char type = (char) header[156];
        long size = size();
        if (type == 'x') {
            pax = new ByteArrayOutputStream((int) Math.min(size, 1 << 20));
        } else if (type != 'g' && type != 'L' && type != 'K') {
            if (pending != null && !pending.isEmpty()) {
                byEntry.put(entries, pending);
            }
            pending = null;
            if (pendingNames != null && !pendingNames.isEmpty()) {
                namesByEntry.put(entries, pendingNames);
            }
            pendingNames = null;
            if (paxSize >= 0) {
                size = paxSize;
            }
            paxSize = -1;
            entries++;
            if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') {
                size = 0; // links, devices, folders and FIFOs carry no data
            }
        }
        dataLeft = size;
        paddingLeft = (512 - size % 512) % 512;
        if (size == 0 && pax != null) {
            parsePax(new byte[0]);
            pax = null;
        }
    }

    /** The size field: octal, or base-256 when its first byte has the high bit. */
    private long size() {
        long v = 0;
        if ((header[124] & 0x80) != 0) {
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (header[i] & 0xff);
            }
            return v;
        }
        boolean started = false;
        for (int i = 124; i < 136; i++) {
            byte b = header[i];
            if (b >= '0' && b <= '7') {
                v = v * 8 + (b - '0');
                started = true;
            } else if (started) {
                break;
            }
        }
        return v;
    }

    /** Records of "LEN KEY=VALUE\n", with VALUE as raw bytes. */
    private void parsePax(byte[] data) {
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        Map<String, byte[]> names = new HashMap<>();
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                return; // malformed: Commons Compress reports it
            }
            int end = i + length;
            if (length <= 0 || end > data.length) {
                return;
            }
            int eq = space + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            byte[] value = Arrays.copyOfRange(data, Math.min(eq + 1, end - 1), end - 1);
            if (key.startsWith(PREFIX)) {
                xattrs.put(key.substring(PREFIX.length()), value);
            } else if (key.equals("path") || key.equals("linkpath") || key.equals("uname") || key.equals("gname")) {
                names.put(key, value);
            } else if (key.equals("size")) {
                try {
                    paxSize = Long.parseLong(new String(value, StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    // Commons Compress reports it
                }
            }
            i = end;
        }
        pending = xattrs;
        pendingNames = names;
    }
}
