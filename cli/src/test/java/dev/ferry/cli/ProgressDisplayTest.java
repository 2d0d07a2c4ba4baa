package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.engine.CopyResult;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.MediaTypes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
    @Test
    void drawsEachBlobAndASummary() {
        StringWriter text = new StringWriter();
        ProgressDisplay display = new ProgressDisplay(new PrintWriter(text));
        Descriptor blob = Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(new byte[3]), 3L << 20);
        display.blobStarted(blob);
        display.blobProgress(blob, 1L << 20);
        display.blobDone(blob, false);
        display.blobDone(blob, true);
        display.finish(new CopyResult(blob.digest(), MediaTypes.OCI_MANIFEST, 1, 1, 3L << 20));
        String out = text.toString();
        assertTrue(out.contains("Copying blob " + blob.digest().shortHex() + "  0 B / 3.0 MiB  0%"), out);
        assertTrue(out.contains("Copied blob  " + blob.digest().shortHex() + "  3.0 MiB"), out);
        assertTrue(out.contains("(already present)"), out);
        assertTrue(out.contains("Copied 1 blobs (3.0 MiB), skipped 1"), out);
    }

    @Test
    void humanSizes() {
        assertEquals("512 B", ProgressDisplay.human(512));
        assertEquals("1.5 KiB", ProgressDisplay.human(1536));
        assertEquals("2.0 GiB", ProgressDisplay.human(2L << 30));
    }
}
