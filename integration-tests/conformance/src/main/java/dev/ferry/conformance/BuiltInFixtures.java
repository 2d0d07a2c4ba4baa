package dev.ferry.conformance;

import dev.ferry.spi.OpenContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** The fixtures of Ferry's own transports. */
public final class BuiltInFixtures {
    private BuiltInFixtures() {}

    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** {@code oci:}: a new layout folder per reference. */
    public static final class Oci implements ConformanceFixture {
        @Override
        public String transportName() {
            return "oci";
        }

        @Override
        public String freshReference(Path scratch) {
            return scratch.resolve("layout-" + COUNTER.incrementAndGet()) + ":conformance";
        }

        @Override
        public List<String> invalidReferences() {
            return List.of("", ":ref", "/tmp/x:bad ref", "/tmp/x:-dash");
        }
    }

    /** {@code oci-archive:}: a new archive per reference. */
    public static final class OciArchive implements ConformanceFixture {
        @Override
        public String transportName() {
            return "oci-archive";
        }

        @Override
        public String freshReference(Path scratch) {
            return scratch.resolve("archive-" + COUNTER.incrementAndGet() + ".tar") + ":conformance";
        }

        @Override
        public List<String> invalidReferences() {
            return List.of("", ":ref", "/tmp/x.tar:bad ref");
        }
    }

    /** {@code docker-archive:}: never modified once written, and its manifest is synthesized on read. */
    public static final class DockerArchive implements ConformanceFixture {
        @Override
        public String transportName() {
            return "docker-archive";
        }

        @Override
        public String freshReference(Path scratch) {
            return scratch.resolve("docker-" + COUNTER.incrementAndGet() + ".tar") + ":ferry-conformance/image:1";
        }

        @Override
        public List<String> invalidReferences() {
            return List.of("", "/tmp/x.tar:UPPER:1", "/tmp/x.tar:@sha256:abc");
        }

        @Override
        public Set<Behavior> unsupported() {
            return Set.of(Behavior.REWRITE_SAME_REFERENCE, Behavior.REUSE_BLOBS, Behavior.KEEP_MANIFEST_BYTES);
        }
    }

    /** The daemon transports: a new tag per reference, removed at the end. */
    abstract static class Daemon implements ConformanceFixture {
        @Override
        public String freshReference(Path scratch) {
            return "ferry-conformance/image-" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        }

        @Override
        public List<String> invalidReferences() {
            return List.of("", "UPPER/case:1", "name:bad tag", "@sha256:short");
        }

        @Override
        public Set<Behavior> unsupported() {
            return Set.of(Behavior.REUSE_BLOBS, Behavior.KEEP_MANIFEST_BYTES);
        }

        @Override
        public void cleanUp(List<String> referencesWritten) throws Exception {
            for (String ref : referencesWritten) {
                new ProcessBuilder("docker", "rmi", "-f", ref)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor();
            }
        }
    }

    public static final class DockerCli extends Daemon {
        @Override
        public String transportName() {
            return "docker-cli";
        }
    }

    public static final class DockerApi extends Daemon {
        @Override
        public String transportName() {
            return "docker-api";
        }
    }

    /**
     * {@code docker://}: a registry the kit may write to, named by FERRY_CONFORMANCE_REGISTRY ({@code HOST:PORT});
     * each reference a new repository. Plain HTTP and unverified TLS are allowed on a loopback address.
     */
    public static final class Registry implements ConformanceFixture {
        /** The environment variable naming the registry. */
        public static final String REGISTRY = "FERRY_CONFORMANCE_REGISTRY";

        private final String run = UUID.randomUUID().toString().substring(0, 8);

        @Override
        public String transportName() {
            return "docker";
        }

        private static String registry() {
            String host = System.getenv(REGISTRY);
            if (host == null || host.isBlank()) {
                throw new IllegalStateException("set " + REGISTRY + "=HOST:PORT to a registry the kit may write to"
                        + " (for example one started with `docker-registry serve`)");
            }
            return host.strip();
        }

        @Override
        public String freshReference(Path scratch) {
            return "//" + registry() + "/ferry-conformance/" + run + "-" + COUNTER.incrementAndGet() + ":conformance";
        }

        @Override
        public List<String> invalidReferences() {
            return List.of("", "busybox", "//", "//Upper/case", "//app:bad tag", "//app@sha256:short");
        }

        @Override
        public OpenContext context(OpenContext base) {
            String host = System.getenv(REGISTRY);
            boolean loopback = host != null
                    && (host.startsWith("127.") || host.startsWith("localhost") || host.startsWith("[::1]"));
            return loopback ? base.withOption("tls-verify", "false") : base;
        }
    }
}
