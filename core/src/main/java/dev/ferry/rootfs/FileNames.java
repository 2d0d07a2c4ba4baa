package dev.ferry.rootfs;

import dev.ferry.spi.FerryException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Where names become paths and paths become names. Names are bytes, and Ferry reads and writes them as UTF-8
 * whatever the locale; but the JDK makes file names with the encoding of the locale it started in
 * ({@code sun.jnu.encoding}): without a UTF-8 locale (LANG unset, as in a fresh container) {@code Path.of("café")}
 * throws, and a file named {@code café} on disk reads as {@code caf\uFFFD\uFFFD}. The {@code ferry} launcher sets
 * {@code LC_ALL=C.UTF-8} then; where Ferry runs without it (as a library, in tests, from another launcher), a
 * non-ASCII name met here with a non-UTF-8 path encoding is one clear error naming the fix, never a replacement
 * character, a different digest or a {@code ?} in a file name.
 */
public final class FileNames {
    private static final Charset PATH_ENCODING = pathEncoding();
    private static final String HINT =
            "set LC_ALL=C.UTF-8 (any UTF-8 locale will do; the ferry launcher sets it)" + " and run again";

    private FileNames() {}

    /** The charset the JDK makes file names with. */
    static Charset pathEncoding() {
        for (String property : new String[] {"sun.jnu.encoding", "native.encoding"}) {
            String name = System.getProperty(property);
            if (name != null) {
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException e) {
                    // unknown to this JVM: try the next
                }
            }
        }
        return Charset.defaultCharset();
    }

    /** True when the JDK makes file names in UTF-8, so that every name is a file name byte for byte. */
    public static boolean utf8() {
        return PATH_ENCODING.equals(StandardCharsets.UTF_8);
    }

    /**
     * Checks that {@code name}, about to become a file name (or a part of one, or a symlink's target), becomes
     * exactly its UTF-8 bytes.
     *
     * @throws FerryException if the path encoding is not UTF-8 and the name is not ASCII
     */
    public static String check(String name) throws FerryException {
        return check(name, PATH_ENCODING);
    }

    static String check(String name, Charset encoding) throws FerryException {
        if (!encoding.equals(StandardCharsets.UTF_8) && !ascii(name)) {
            throw new FerryException(
                    "cannot make file name '" + printable(name) + "': Java's file-name encoding" + " is "
                            + encoding.name() + ", not UTF-8 (no UTF-8 locale is in effect)",
                    HINT);
        }
        return name;
    }

    /** Checks the names in a tar entry that become file names: its own, its link's, its xattrs'. */
    public static void check(TarArchiveEntry entry) throws FerryException {
        check(entry.getName());
        if (entry.isSymbolicLink() || entry.isLink()) {
            check(entry.getLinkName());
        }
        for (Map.Entry<String, String> pax : entry.getExtraPaxHeaders().entrySet()) {
            if (pax.getKey().startsWith("SCHILY.xattr.")) {
                check(pax.getKey());
            }
        }
    }

    /**
     * {@code path} as a name (for a tar entry or a symlink's target): its bytes decoded as UTF-8.
     *
     * @throws FerryException if the path encoding is not UTF-8 and the name is not ASCII, or if its bytes are not
     *     valid UTF-8 (Java then reads U+FFFD in their place, so the name cannot be kept as it is)
     */
    public static String of(Path path) throws FerryException {
        return of(path.toString(), PATH_ENCODING);
    }

    static String of(String decoded, Charset encoding) throws FerryException {
        if (!encoding.equals(StandardCharsets.UTF_8)) {
            if (!ascii(decoded)) {
                throw new FerryException(
                        "cannot read file name '" + printable(decoded) + "': Java's file-name" + " encoding is "
                                + encoding.name() + ", not UTF-8 (no UTF-8 locale is in effect)",
                        HINT);
            }
        } else if (decoded.indexOf('\uFFFD') >= 0) {
            throw new FerryException(
                    "file name '" + printable(decoded) + "' is not valid UTF-8",
                    "rename it: image layers name files in UTF-8");
        }
        return decoded;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The name for a message: what cannot be shown (controls, U+FFFD) as {@code ?}, at most 200 chars. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder();
        name.codePoints().limit(200).forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f || c == 0xFFFD ? '?' : c));
        return out.length() < name.length() ? out + "..." : out.toString();
    }
}
