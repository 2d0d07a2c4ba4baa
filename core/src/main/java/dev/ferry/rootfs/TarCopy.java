package dev.ferry.rootfs;

import dev.ferry.spi.CorruptImageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies a tar stream byte for byte while checking its structure: every header's checksum, every entry's data
 * there in full, the end-of-archive blocks, and nothing but zeros after them. For a tar made elsewhere that no
 * option changes (a container's {@code docker export}): the bytes are the daemon's, as {@code docker export -o}
 * writes them, without a parse into entries and a new encoding of each (a third of the CPU of such an export), and
 * a stream cut short or with anything appended (an error message after a failed export) still fails.
 *
 * <p>Entry data is located as GNU tar and Go's archive/tar do: a header's size (octal, or base-256), replaced by a
 * PAX {@code size} record; none for links, devices, folders and FIFOs; GNU sparse headers' extension blocks
 * skipped.
 */
final class TarCopy {
    private static final int BLOCK = 512;
    private static final int CHUNK = 256 << 10;
    /** PAX extended headers are read to find a {@code size} record; larger ones are not headers of a sane tar. */
    private static final int MAX_PAX = 1 << 20;

    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[CHUNK];
    private long offset;

    private TarCopy(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /** Copies {@code in} to {@code out} (neither closed). */
    static void copy(InputStream in, OutputStream out) throws IOException {
        new TarCopy(in, out).run();
    }

    private void run() throws IOException {
        byte[] header = new byte[BLOCK];
        long paxSize = -1;
        while (true) {
            long at = offset;
            if (!block(header, true)) {
                throw corrupt("it ends at byte " + at + " without the end-of-archive blocks");
            }
            if (zero(header)) {
                if (!block(header, true) || !zero(header)) {
                    throw corrupt("a lone zero block at byte " + at);
                }
                rest();
                return;
            }
            if (!checksumOk(header)) {
                throw corrupt("the header at byte " + at + " has a wrong checksum");
            }
            byte type = header[156];
            long size = paxSize >= 0 ? paxSize : number(header, 124, 12, at);
            paxSize = -1;
            if (type == 'S' && header[482] != 0) {
                // GNU sparse: extension blocks of sparse map follow, each saying whether another does
                byte[] ext = new byte[BLOCK];
                do {
                    if (!block(ext, false)) {
                        throw corrupt("a sparse header at byte " + at + " is cut short");
                    }
                } while (ext[504] != 0);
            }
            if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') {
                continue; // no data, whatever the size field says
            }
            if (type == 'x') {
                paxSize = paxRecords(size, at);
                continue;
            }
            data(size, at);
        }
    }

    /** Copies the data of an entry of {@code size} bytes and its padding to the next block. */
    private void data(long size, long at) throws IOException {
        long left = (size + BLOCK - 1) / BLOCK * BLOCK;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw corrupt("the entry at byte " + at + " is cut short (" + left + " of its bytes missing)");
            }
            out.write(buffer, 0, n);
            offset += n;
            left -= n;
        }
    }

    /** Copies a PAX extended header's records and returns the size they give the next entry, or -1. */
    private long paxRecords(long size, long at) throws IOException {
        if (size > MAX_PAX) {
            throw corrupt("the PAX header at byte " + at + " is " + size + " bytes long");
        }
        int padded = (int) ((size + BLOCK - 1) / BLOCK * BLOCK);
        byte[] records = in.readNBytes(padded);
        if (records.length < padded) {
            throw corrupt("the PAX header at byte " + at + " is cut short");
        }
        out.write(records);
        offset += padded;
        long found = -1;
        int i = 0;
        while (i < size) {
            int space = i;
            while (space < size && records[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(records, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw corrupt("the PAX header at byte " + at + " has a malformed record");
            }
            if (length <= space - i || i + length > size) {
                throw corrupt("the PAX header at byte " + at + " has a malformed record");
            }
            String record = new String(records, space + 1, i + length - space - 2, StandardCharsets.UTF_8);
            if (record.startsWith("size=")) {
                try {
                    found = Long.parseLong(record.substring(5));
                } catch (NumberFormatException e) {
                    throw corrupt("the PAX header at byte " + at + " has a malformed size");
                }
                if (found < 0) {
                    throw corrupt("the PAX header at byte " + at + " has a negative size");
                }
            }
            i += length;
        }
        return found;
    }

    /** After the end-of-archive blocks: only zeros (a record's padding) may follow; they are copied too. */
    private void rest() throws IOException {
        int n;
        while ((n = in.read(buffer)) >= 0) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] != 0) {
                    throw corrupt("data follows the end-of-archive blocks, at byte " + (offset + i));
                }
            }
            out.write(buffer, 0, n);
            offset += n;
        }
    }

    /** Reads and copies one block; false at the end of the stream (before any of its bytes, if {@code atEnd}). */
    private boolean block(byte[] block, boolean atEnd) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0 && atEnd) {
            return false;
        }
        if (n < BLOCK) {
            throw corrupt("it ends inside a header, at byte " + (offset + n));
        }
        out.write(block);
        offset += BLOCK;
        return true;
    }

    private static boolean zero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The header's checksum: the sum of its bytes with the checksum field as spaces (unsigned, or signed). */
    private static boolean checksumOk(byte[] h) {
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        long stored;
        try {
            stored = octal(h, 148, 8);
        } catch (NumberFormatException e) {
            return false;
        }
        return stored == unsigned || stored == signed;
    }

    /** A numeric field: octal (NUL- or space-terminated), or base-256 when its first byte's high bit is set. */
    private static long number(byte[] h, int start, int length, long at) throws CorruptImageException {
        if ((h[start] & 0x80) != 0) {
            if ((h[start] & 0x40) != 0) {
                throw corrupt("the header at byte " + at + " has a negative size");
            }
            long v = h[start] & 0x3f;
            for (int i = start + 1; i < start + length; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    throw corrupt("the header at byte " + at + " has a size too large");
                }
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        try {
            return octal(h, start, length);
        } catch (NumberFormatException e) {
            throw corrupt("the header at byte " + at + " has a malformed size");
        }
    }

    private static long octal(byte[] h, int start, int length) {
        int i = start;
        int end = start + length;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        long v = 0;
        int digits = 0;
        for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7') {
                throw new NumberFormatException("not octal");
            }
            v = (v << 3) | (h[i] - '0');
            digits++;
        }
        if (digits == 0 && start != 148) {
            return 0;
        }
        if (digits == 0) {
            throw new NumberFormatException("empty");
        }
        return v;
    }

    private static CorruptImageException corrupt(String what) {
        return new CorruptImageException("the container's export is not a valid tar: " + what);
    }
}
