package dev.ferry.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * The platform an image runs on, as in an OCI index entry: {@code os/architecture[/variant]}.
 *
 * @param os the operating system, for example {@code linux}
 * @param architecture the CPU architecture in Go's naming, for example {@code amd64}
 * @param variant the CPU variant, for example {@code v8}, or null
 * @param osVersion the OS version, or null
 * @param osFeatures required OS features, never null
 */
public record Platform(String os, String architecture, String variant, String osVersion, List<String> osFeatures) {

    public Platform {
        requireNonNull(os, "os is null");
        requireNonNull(architecture, "architecture is null");
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
    }

    public static Platform of(String os, String architecture, String variant) {
        return new Platform(os, architecture, variant, null, List.of());
    }

    /**
     * Parses {@code os/arch[/variant]}.
     *
     * @throws IllegalArgumentException if the text has not two or three non-empty parts
     */
    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("invalid platform \"" + text + "\": expected os/arch[/variant]");
        }
        for (String part : parts) {
            if (part.isEmpty() || !part.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("invalid platform \"" + text + "\": expected os/arch[/variant]");
            }
        }
        return of(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /** The platform of the running JVM, in Go's naming (linux/amd64, linux/arm64/v8, ...). */
    public static Platform current() {
        String os = System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT);
        String goOs = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "darwin" : os;
        String arch = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "x86_64", "amd64" -> of(goOs, "amd64", null);
            case "aarch64", "arm64" -> of(goOs, "arm64", "v8");
            case "x86", "i386", "i686" -> of(goOs, "386", null);
            case "arm" -> of(goOs, "arm", "v7");
            case "ppc64le" -> of(goOs, "ppc64le", null);
            case "s390x" -> of(goOs, "s390x", null);
            case "riscv64" -> of(goOs, "riscv64", null);
            default -> of(goOs, arch, null);
        };
    }

    /**
     * Whether an image built for {@code candidate} satisfies this wanted platform: same OS and architecture, and
     * the same variant when this one names a variant (arm64's {@code v8} is its default and matches none).
     */
    public boolean matches(Platform candidate) {
        if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
            return false;
        }
        if (variant == null || candidate.variant == null) {
            return variant == null || candidate.variant == null && "arm64".equals(architecture) && "v8".equals(variant);
        }
        return variant.equals(candidate.variant);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
