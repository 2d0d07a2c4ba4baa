package dev.ferry.conformance;

import dev.ferry.spi.support.TarIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a store holds, as a fixture lists it ({@link ConformanceFixture#storeContents}): the references that name an
 * image there, and every other thing it holds outside its content-addressed blobs. The kit compares listings taken
 * before, during and after a write: a reference may appear only at {@code commit()}, and a sink closed without
 * commit must leave the entries exactly as they were.
 *
 * @param references each reference (in the transport's syntax, without its prefix) that names an image in the store
 * @param entries everything else the store holds that a writer could leave behind: files under its folder (outside
 *     blobs named by their digest), entries of an archive, locks, staging; each a short text, compared as text
 *     (include a size or digest when a change of content matters)
 */
public record StoreContents(Set<String> references, Set<String> entries) {
    private static final Pattern DIGEST_NAME = Pattern.compile("([a-z0-9]+[:_-])?[a-f0-9]{64}|[a-f0-9]{128}");

    public StoreContents {
        references = Set.copyOf(new TreeSet<>(references));
        entries = Set.copyOf(new TreeSet<>(entries));
    }

    /** A listing of references and entries. */
    public static StoreContents of(Collection<String> references, Collection<String> entries) {
        return new StoreContents(Set.copyOf(references), Set.copyOf(entries));
    }

    /**
     * The files and folders under {@code root}, as paths relative to it ({@code /} between names, a folder ending
     * in {@code /}), except files named by the hex of a digest ({@code sha256/ab12...}): those are content
     * addressed, and a blob left by a write that was never committed is not visible. A file that is missing is an
     * empty listing; a regular file lists as its own name.
     */
    public static Set<String> files(Path root) throws IOException {
        Set<String> out = new TreeSet<>();
        if (!Files.exists(root)) {
            return out;
        }
        if (!Files.isDirectory(root)) {
            out.add(root.getFileName().toString());
            return out;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (Files.isDirectory(p)) {
                    out.add(rel + "/");
                } else if (!DIGEST_NAME.matcher(p.getFileName().toString()).matches()) {
                    out.add(rel);
                }
            }
        } catch (NoSuchFileException e) {
            // removed while listed: list again
            return files(root);
        }
        return out;
    }

    /** The entries of a tar archive (names, and {@code name@size}), except blobs named by their digest. */
    public static Set<String> tarEntries(Path archive) throws IOException {
        Set<String> out = new TreeSet<>();
        if (!Files.isRegularFile(archive)) {
            return out;
        }
        try (TarIndex index = TarIndex.open(archive)) {
            for (String name : index.names()) {
                String last = name.substring(name.lastIndexOf('/') + 1);
                if (!DIGEST_NAME.matcher(last).matches()) {
                    out.add(name + "@" + index.size(name));
                }
            }
        }
        return out;
    }

    /** The entries of a zip archive (names, and {@code name@size}), except blobs named by their digest. */
    public static Set<String> zipEntries(Path archive) throws IOException {
        Set<String> out = new TreeSet<>();
        if (!Files.isRegularFile(archive)) {
            return out;
        }
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            for (ZipEntry e : new ArrayList<>(zip.stream().toList())) {
                String last = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                if (!DIGEST_NAME.matcher(last).matches()) {
                    out.add(e.getName() + "@" + e.getSize());
                }
            }
        }
        return out;
    }

    /** Whether {@code name} (the last part of a path) is the hex of a digest, as a content-addressed blob's is. */
    public static boolean isDigestName(String name) {
        return DIGEST_NAME.matcher(name).matches();
    }
}
