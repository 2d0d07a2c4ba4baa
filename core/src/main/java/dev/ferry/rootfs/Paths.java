package dev.ferry.rootfs;

import java.util.ArrayDeque;

/** Path cleaning for untrusted layer entries: every name is resolved lexically inside the root. */
final class Paths {
    private Paths() {}

    /**
     * {@code name} as a clean path relative to the root: leading {@code /} and {@code ./} dropped, {@code .}
     * removed, {@code ..} resolved and clamped at the root (as a rooted path would be). The root itself is "".
     */
    static String clean(String name) {
        ArrayDeque<String> parts = new ArrayDeque<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    /** The parent of a clean path, "" for a top-level one. */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    static String base(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
