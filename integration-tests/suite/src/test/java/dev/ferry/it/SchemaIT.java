package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every index.json, manifest and config Ferry writes validates against the OCI image-spec schemas. */
class SchemaIT {
    @TempDir
    Path tmp;

    @Test
    void layoutsFerryWritesAreValid() throws Exception {
        SpecSchemas schemas = SpecSchemas.load();
        Path source = Fixtures.syntheticLayout(tmp.resolve("src"), "latest", 1000, 20_000, 5);
        Path out = tmp.resolve("out");
        Cli.ferry("copy", "-q", "oci:" + source + ":latest", "oci:" + out + ":one")
                .ok();
        Cli.ferry("copy", "-q", "oci:" + source + ":latest", "oci:" + out + ":two")
                .ok();
        Cli.ferry("copy", "-q", "oci:" + source, "oci:" + out).ok();
        schemas.assertValidLayout(out);

        Path archive = tmp.resolve("image.tar");
        Cli.ferry("copy", "-q", "oci:" + out + ":one", "oci-archive:" + archive + ":one")
                .ok();
        Cli.ferry("copy", "-q", "oci:" + out + ":two", "oci-archive:" + archive + ":two")
                .ok();
        Path extracted = Files.createDirectories(tmp.resolve("extracted"));
        Peers.run(tmp, "tar", "-C", extracted.toString(), "-xf", archive.toString())
                .ok();
        schemas.assertValidLayout(extracted);
    }

    @Test
    void umociImagesCopiedByFerryAreValid() throws Exception {
        SpecSchemas schemas = SpecSchemas.load();
        Path umoci = Fixtures.umociImage(tmp, "umoci");
        Path out = tmp.resolve("out");
        Cli.ferry("copy", "-q", "oci:" + umoci + ":v2", "oci:" + out + ":v2").ok();
        schemas.assertValidLayout(out);
    }

    @Test
    void theValidatorRejectsInvalidDocuments() throws Exception {
        // A control: the oracle must be able to say no, or the tests above prove nothing.
        SpecSchemas schemas = SpecSchemas.load();
        String bad = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                + "\"digest\":\"not-a-digest\",\"size\":-4},\"layers\":[]}";
        assertFalse(schemas.errors(SpecSchemas.MANIFEST, bad.getBytes(StandardCharsets.UTF_8))
                .isEmpty());
        assertFalse(schemas.errors(SpecSchemas.INDEX, "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8))
                .isEmpty());
        assertFalse(schemas.errors(SpecSchemas.LAYOUT, "{}".getBytes(StandardCharsets.UTF_8))
                .isEmpty());
    }
}
