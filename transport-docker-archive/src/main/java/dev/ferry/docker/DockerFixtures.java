package dev.ferry.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.conformance.Behavior;
import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.StoreContents;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.TarIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The conformance kit's fixtures for {@code docker-archive:} and, as a base, for the two daemon transports. Loaded
 * by {@code ferry conformance} through {@code META-INF/services/dev.ferry.conformance.ConformanceFixture}.
 */
public final class DockerFixtures {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private DockerFixtures() {}

    /**
     * {@code docker-archive:}: a new archive per reference, never modified once written (so one image per store,
     * and no rewrite), whose manifest is synthesized on read; listed from its {@code manifest.json}.
     */
    public static final class Archive implements ConformanceFixture {
        @Override
        public String transportName() {
            return "docker-archive";
        }

        @Override
        public String freshReference(Path scratch) {
            return scratch.resolve("docker-" + COUNTER.incrementAndGet() + ".tar") + ":ferry-conformance/image:1";
        }

        @Override
        public StoreContents storeContents(String reference, OpenContext context) throws IOException {
            int colon = reference.indexOf(':');
            String path = colon < 0 ? reference : reference.substring(0, colon);
            Path archive = Path.of(path);
            List<String> refs = new ArrayList<>();
            if (Files.isRegularFile(archive)) {
                try (TarIndex tar = TarIndex.open(archive)) {
                    if (tar.names().contains("manifest.json")) {
                        JsonNode root =
                                DockerJson.parse(tar.readAll("manifest.json", 1 << 24), path + "/manifest.json");
                        for (JsonNode image : root) {
                            for (JsonNode tag : image.path("RepoTags")) {
                                refs.add(path + ":" + tag.asText());
                            }
                        }
                    }
                }
            }
            return StoreContents.of(refs, StoreContents.tarEntries(archive));
        }

        @Override
        public List<String> invalidReferences() {
            return List.of("/tmp/x.tar:UPPER:1", "/tmp/x.tar:@sha256:abc", "/tmp/x.tar:name:bad tag");
        }

        @Override
        public Set<Behavior> unsupported() {
            return Set.of(Behavior.REWRITE_SAME_REFERENCE, Behavior.REUSE_BLOBS, Behavior.KEEP_MANIFEST_BYTES);
        }
    }

    /**
     * A Docker daemon: each fresh reference a new repository ({@code ferry-conformance/image-RANDOM:1}), its other
     * tags the second references; listed and removed with the {@code docker} command.
     */
    public abstract static class Daemon implements ConformanceFixture {
        @Override
        public String freshReference(Path scratch) {
            return "ferry-conformance/image-" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        }

        @Override
        public String siblingReference(String reference, String name) {
            return reference.substring(0, reference.lastIndexOf(':')) + ":" + name;
        }

        @Override
        public StoreContents storeContents(String reference, OpenContext context) throws IOException {
            String repository = reference.substring(0, reference.lastIndexOf(':'));
            String out = docker(context, "images", "--format", "{{.Repository}}:{{.Tag}}", repository);
            List<String> refs = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank() && !line.endsWith(":<none>")) {
                    refs.add(line.strip());
                }
            }
            return StoreContents.of(refs, List.of());
        }

        @Override
        public List<String> invalidReferences() {
            return List.of("UPPER/case:1", "name:bad tag", "@sha256:short", "name:");
        }

        @Override
        public Set<Behavior> unsupported() {
            return Set.of(Behavior.REUSE_BLOBS, Behavior.KEEP_MANIFEST_BYTES);
        }

        @Override
        public Duration largeBlobTimeLimit() {
            return Duration.ofMinutes(10);
        }

        @Override
        public void cleanUp(List<String> referencesWritten) throws IOException {
            for (String ref : referencesWritten) {
                docker(OpenContext.defaults(), "rmi", "-f", ref);
            }
        }

        private static String docker(OpenContext context, String... args) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(context.option(DockerOptions.BINARY).orElse("docker"));
            context.option(DockerOptions.HOST.name()).ifPresent(h -> {
                command.add("--host");
                command.add(h);
            });
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            try {
                p.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return new String(out, StandardCharsets.UTF_8);
        }
    }
}
