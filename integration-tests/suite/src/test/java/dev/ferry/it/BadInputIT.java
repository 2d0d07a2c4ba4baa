package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one clear line, the right exit code, and the destination is left exactly as it was. */
class BadInputIT {
    @TempDir
    Path tmp;

    Path source;
    Path dest;
    TreeMap<String, String> destBefore;

    @BeforeEach
    void layouts() throws Exception {
        source = Fixtures.syntheticLayout(tmp.resolve("src"), "latest", 30_000, 10_000);
        dest = tmp.resolve("dest");
        // The destination holds another image, so none of the source's blobs are there to be skipped.
        Path earlier = Fixtures.syntheticLayout(tmp.resolve("earlier"), "earlier", 7000);
        Cli.ferry("copy", "-q", "oci:" + earlier + ":earlier", "oci:" + dest + ":earlier")
                .ok();
        destBefore = Fixtures.snapshot(dest);
    }

    private void destUnchanged() throws Exception {
        assertEquals(destBefore, Fixtures.snapshot(dest));
    }

    private String layerDigest() throws Exception {
        String manifest = Fixtures.entry(source, "latest").path("digest").asText();
        return Fixtures.blobJson(source, manifest)
                .path("layers")
                .get(0)
                .path("digest")
                .asText();
    }

    @Test
    void unknownTransport() throws Exception {
        Cli.ferry("copy", "docker-hub:library/alpine", "oci:" + dest + ":x")
                .fails(2, "unknown transport \"docker-hub\"", "oci", "oci-archive");
        destUnchanged();
    }

    @Test
    void malformedReference() throws Exception {
        Cli.ferry("copy", "oci:" + source + ":latest", "oci:" + dest + ":bad ref!")
                .fails(2, "not a valid image ref");
        Cli.ferry("copy", "no-prefix-here", "oci:" + dest + ":x").fails(2, "no transport prefix");
        Cli.ferry("inspect", "oci:").fails(2, "path is empty");
        destUnchanged();
    }

    @Test
    void usageErrors() {
        Cli.ferry("copy", "oci:x").fails(2, "DEST");
        Cli.ferry("copy", "--no-such-flag", "oci:a", "oci:b").fails(2, "--no-such-flag");
        Cli.ferry("copy", "--platform", "linux", "oci:a", "oci:b").fails(2, "os/arch");
        Cli.ferry("copy", "--all", "--platform", "linux/amd64", "oci:a", "oci:b")
                .fails(2);
        Cli.ferry("frobnicate").fails(2, "frobnicate");
        Cli.ferry().fails(2, "missing command");
    }

    @Test
    void missingLayout() throws Exception {
        Cli.ferry("copy", "oci:" + tmp.resolve("nowhere") + ":x", "oci:" + dest + ":x")
                .fails(1, "not found");
        Cli.ferry("copy", "oci-archive:" + tmp.resolve("nowhere.tar"), "oci:" + dest + ":x")
                .fails(1, "does not exist");
        destUnchanged();
    }

    @Test
    void missingRef() throws Exception {
        Cli.ferry("copy", "oci:" + source + ":nope", "oci:" + dest + ":x").fails(1, "\"nope\"", "latest");
        destUnchanged();
    }

    @Test
    void severalRefsAndNoneNamed() throws Exception {
        Cli.ferry("copy", "-q", "oci:" + source + ":latest", "oci:" + dest + ":second")
                .ok();
        destBefore = Fixtures.snapshot(dest);
        Path other = tmp.resolve("other");
        Cli.ferry("copy", "oci:" + dest, "oci:" + other + ":x").fails(1, "2 images", "earlier", "second");
        Cli.ferry("inspect", "oci:" + dest).fails(1, "2 images");
        destUnchanged();
    }

    @Test
    void missingBlob() throws Exception {
        Files.delete(Fixtures.blobPath(source, layerDigest()));
        Cli.ferry("copy", "oci:" + source + ":latest", "oci:" + dest + ":x").fails(1, "missing", layerDigest());
        destUnchanged();
    }

    @Test
    void blobWithTheWrongDigest() throws Exception {
        try (RandomAccessFile f =
                new RandomAccessFile(Fixtures.blobPath(source, layerDigest()).toFile(), "rw")) {
            f.seek(1000);
            int b = f.read();
            f.seek(1000);
            f.write(b ^ 0x01);
        }
        Cli.ferry("copy", "oci:" + source + ":latest", "oci:" + dest + ":x").fails(1, layerDigest(), "corrupt");
        Cli.ferry("copy", "oci:" + source + ":latest", "oci-archive:" + tmp.resolve("out.tar") + ":x")
                .fails(1, layerDigest());
        assertEquals(false, Files.exists(tmp.resolve("out.tar")));
        destUnchanged();
    }

    @Test
    void truncatedArchive() throws Exception {
        Path archive = tmp.resolve("image.tar");
        Cli.ferry("copy", "-q", "oci:" + source + ":latest", "oci-archive:" + archive + ":latest")
                .ok();
        byte[] bytes = Files.readAllBytes(archive);
        Files.write(archive, Arrays.copyOf(bytes, bytes.length / 2));
        Cli.ferry("copy", "oci-archive:" + archive + ":latest", "oci:" + dest + ":x")
                .fails(1, "archive");
        Cli.ferry("inspect", "oci-archive:" + archive + ":latest").fails(1);
        destUnchanged();
    }

    @Test
    void malformedJson() throws Exception {
        Files.writeString(source.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"digest\":");
        Cli.ferry("copy", "oci:" + source + ":latest", "oci:" + dest + ":x").fails(1, "index.json", "not valid JSON");
        destUnchanged();
    }

    @Test
    void malformedManifest() throws Exception {
        // A manifest blob whose bytes are not JSON: the digest in index.json no longer matches either.
        String manifest = Fixtures.entry(source, "latest").path("digest").asText();
        Files.writeString(Fixtures.blobPath(source, manifest), "not json at all");
        Cli.ferry("copy", "oci:" + source + ":latest", "oci:" + dest + ":x").fails(1, manifest);
        destUnchanged();
    }

    @Test
    void destinationThatIsNotALayout() throws Exception {
        Path precious = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(precious.resolve("thesis.txt"), "years of work");
        Cli.ferry("copy", "oci:" + source + ":latest", "oci:" + precious + ":x").fails(1, "not an OCI layout");
        assertEquals("years of work", Files.readString(precious.resolve("thesis.txt")));
        assertEquals(1, Files.list(precious).count());
    }
}
