package dev.ferry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyResult;
import dev.ferry.internal.Json;
import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Option;

/**
 * {@code --json}: the command's result as one line of JSON on stdout, instead of the plain output. One schema for
 * copy, build, export and bundle (docs/json-output.md): command, source, destination, digest, mediaType, blobs
 * {copied, linked, skipped}, bytes, seconds; a field that does not apply to the command is null.
 */
final class JsonResult {
    @Option(
            names = "--json",
            description = "Print the result as one line of JSON (digest, blobs copied/linked/skipped, bytes, seconds)"
                    + " instead of the plain output.")
    boolean json;

    private final long start = System.nanoTime();
    private final AtomicInteger linked = new AtomicInteger();
    private final Set<Digest> read = ConcurrentHashMap.newKeySet(); // a blob may be read twice (export's two passes)
    private final AtomicLong bytesRead = new AtomicLong();

    boolean enabled() {
        return json;
    }

    /** {@code progress}, counting the blobs linked and read for the result. */
    CopyListener counting(CopyListener progress) {
        return new CopyListener() {
            @Override
            public void blobStarted(Descriptor blob) {
                progress.blobStarted(blob);
            }

            @Override
            public void blobProgress(Descriptor blob, long bytes) {
                bytesRead.addAndGet(bytes);
                progress.blobProgress(blob, bytes);
            }

            @Override
            public void blobDone(Descriptor blob, boolean skipped) {
                blobFinished(blob, skipped ? Outcome.SKIPPED : Outcome.COPIED);
            }

            @Override
            public void blobFinished(Descriptor blob, Outcome outcome) {
                if (outcome == Outcome.LINKED) {
                    linked.incrementAndGet();
                } else if (outcome == Outcome.COPIED) {
                    read.add(blob.digest());
                }
                progress.blobFinished(blob, outcome);
            }

            @Override
            public void note(String message) {
                progress.note(message);
            }

            @Override
            public void attemptDiscarded(long bytes) {
                // one copy per command: what its discarded attempt counted is all that was counted
                bytesRead.addAndGet(-bytes);
                linked.set(0);
                read.clear();
                progress.attemptDiscarded(bytes);
            }
        };
    }

    /** The result of a copy or build. */
    void print(PrintWriter out, String command, String source, String destination, CopyResult result)
            throws JsonProcessingException {
        ObjectNode node = base(command, source, destination);
        node.put("digest", result.manifestDigest().toString());
        node.put("mediaType", result.mediaType());
        ObjectNode blobs = node.putObject("blobs");
        blobs.put("copied", result.blobsCopied() - linked.get());
        blobs.put("linked", linked.get());
        blobs.put("skipped", result.blobsSkipped());
        node.put("bytes", result.bytesCopied());
        finish(out, node);
    }

    /**
     * The result of a command that reads an image into something else (export, bundle): the blobs read and their
     * bytes when {@code counted} (they went through {@link #counting}), else null.
     */
    void print(PrintWriter out, String command, String source, String destination, boolean counted)
            throws JsonProcessingException {
        ObjectNode node = base(command, source, destination);
        node.putNull("digest");
        node.putNull("mediaType");
        if (counted) {
            ObjectNode blobs = node.putObject("blobs");
            blobs.put("copied", read.size());
            blobs.put("linked", 0);
            blobs.put("skipped", 0);
            node.put("bytes", bytesRead.get());
        } else {
            node.putNull("blobs");
            node.putNull("bytes");
        }
        finish(out, node);
    }

    private static ObjectNode base(String command, String source, String destination) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("command", command);
        node.put("source", source);
        node.put("destination", destination);
        return node;
    }

    private void finish(PrintWriter out, ObjectNode node) throws JsonProcessingException {
        node.put("seconds", Math.round((System.nanoTime() - start) / 1e6) / 1e3);
        out.println(Json.MAPPER.writeValueAsString(node));
        out.flush();
    }
}
