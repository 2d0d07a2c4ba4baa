package dev.ferry.rootfs;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * linuxkit's export options.
 *
 * @param prefix a relative folder every entry goes under, ending with '/', or "" for none
 * @param excludes paths left out, with everything under them
 * @param replacements paths whose content is replaced by a file's
 * @param resolvConfSymlink when not null, {@code etc/resolv.conf} becomes a symlink to it
 * @param dockerDefaults linuxkit's lists: leave out what Docker adds to every container, give {@code etc/hosts}
 *     and {@code etc/resolv.conf} fixed contents
 */
public record ExportOptions(
        String prefix,
        Set<String> excludes,
        Map<String, Path> replacements,
        String resolvConfSymlink,
        boolean dockerDefaults) {
    /** What Docker adds to every container, left out by {@code --docker-defaults}. */
    public static final Set<String> DOCKER_EXCLUDES =
            Set.of(".dockerenv", "Dockerfile", "dev/console", "dev/pts", "dev/shm", "etc/hostname");
    /** linuxkit's fixed {@code etc/hosts}. */
    public static final String HOSTS = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n"
            + "fe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n";
    /** linuxkit's fixed {@code etc/resolv.conf}. */
    public static final String RESOLV_CONF = "\n# no resolv.conf configured\n";

    public ExportOptions {
        excludes = Set.copyOf(excludes);
        replacements = Map.copyOf(replacements);
        if (!prefix.isEmpty()) {
            if (!prefix.endsWith("/")
                    || prefix.startsWith("/")
                    || !Paths.clean(prefix).equals(prefix.substring(0, prefix.length() - 1))) {
                throw new IllegalArgumentException("the prefix must be a clean relative folder ending with '/', like"
                        + " lower/ or srv/app/; got \"" + prefix + "\"");
            }
        }
    }

    public static ExportOptions none() {
        return new ExportOptions("", Set.of(), Map.of(), null, false);
    }
}
