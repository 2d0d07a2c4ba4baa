package dev.ferry.transport.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyListener;
import dev.ferry.engine.CopyOptions;
import dev.ferry.model.Descriptor;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.FerryException;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.support.TempFiles;
import dev.ferry.testing.MemoryTransport;
import dev.ferry.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** oci-archive: concurrent writers merge, special files are refused, a killed writer's temporary file is swept. */
class ArchiveSinkTest {
    @TempDir
    Path tmp;

    private final CopyEngine engine = new CopyEngine();
    private final MemoryTransport memory = new MemoryTransport();

    private Path archive() {
        return tmp.resolve("image.tar");
    }

    private ManifestBytes read(String ref) throws Exception {
        try (ImageSource source =
                new OciArchiveTransport().parse(archive() + ":" + ref).openSource(OpenContext.defaults())) {
            ManifestBytes manifest = source.manifest();
            for (Descriptor blob : ((ImageManifest) manifest.parse()).blobs()) {
                try (BlobStream stream = source.blob(blob)) {
                    stream.stream().readAllBytes(); // verified against its digest as it is read
                }
            }
            return manifest;
        }
    }

    /** Writes {@code name}'s blobs and manifest into {@code sink}, without committing. */
    private void fill(ImageSink sink, ManifestBytes manifest) throws Exception {
        for (Descriptor blob : ((ImageManifest) manifest.parse()).blobs()) {
            if (!sink.hasBlob(blob)) {
                sink.putBlob(blob, new ByteArrayInputStream(memory.blobs.get(blob.digest())));
            }
        }
        sink.putManifest(manifest);
    }

    @Test
    void aWriterThatCommitsAfterAnotherKeepsTheOthersRef() throws Exception {
        ManifestBytes a = TestImages.image(memory, "a", 2, 3000, 1);
        ManifestBytes b = TestImages.image(memory, "b", 2, 3000, 2);
        ManifestBytes c = TestImages.image(memory, "c", 2, 3000, 3);
        engine.copy(
                memory.ref("a"),
                new OciArchiveTransport().parse(archive() + ":a"),
                CopyOptions.defaults(),
                CopyListener.NONE);
        try (ImageSink first = new OciArchiveTransport().parse(archive() + ":b").openSink(OpenContext.defaults());
                ImageSink second =
                        new OciArchiveTransport().parse(archive() + ":c").openSink(OpenContext.defaults())) {
            fill(first, b);
            fill(second, c);
            second.commit();
            first.commit(); // started before c landed: must not drop it
        }
        assertEquals(a.digest(), read("a").digest());
        assertEquals(b.digest(), read("b").digest());
        assertEquals(c.digest(), read("c").digest());
        assertEquals(List.of(".image.tar.ferry-lock", "image.tar"), list(tmp));
    }

    @Test
    void aWriterIntoANewArchiveKeepsTheArchiveAnotherMadeMeanwhile() throws Exception {
        ManifestBytes b = TestImages.image(memory, "b", 1, 3000, 2);
        ManifestBytes c = TestImages.image(memory, "c", 1, 3000, 3);
        try (ImageSink first = new OciArchiveTransport().parse(archive() + ":b").openSink(OpenContext.defaults());
                ImageSink second =
                        new OciArchiveTransport().parse(archive() + ":c").openSink(OpenContext.defaults())) {
            fill(first, b);
            fill(second, c);
            second.commit();
            first.commit();
        }
        assertEquals(b.digest(), read("b").digest());
        assertEquals(c.digest(), read("c").digest());
    }

    @Test
    void concurrentWritersIntoOneArchiveAllLand() throws Exception {
        int writers = 8;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String name = "img" + i;
            TestImages.image(memory, name, 2, 20_000, i);
            tasks.add(() -> {
                engine.copy(
                        memory.ref(name),
                        new OciArchiveTransport().parse(archive() + ":" + name),
                        CopyOptions.defaults(),
                        CopyListener.NONE);
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        for (int i = 0; i < writers; i++) {
            assertEquals(memory.images.get("img" + i).digest(), read("img" + i).digest());
        }
        assertEquals(List.of(".image.tar.ferry-lock", "image.tar"), list(tmp));
    }

    @Test
    void aFifoOrADirectoryIsRefused() throws Exception {
        TestImages.image(memory, "a", 1, 100, 1);
        Path fifo = tmp.resolve("pipe");
        assertEquals(
                0,
                new ProcessBuilder("mkfifo", fifo.toString())
                        .inheritIO()
                        .start()
                        .waitFor());
        FerryException e = assertThrows(
                FerryException.class,
                () -> engine.copy(
                        memory.ref("a"),
                        new OciArchiveTransport().parse(fifo + ":a"),
                        CopyOptions.defaults(),
                        CopyListener.NONE));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertTrue(Files.readAttributes(fifo, BasicFileAttributes.class).isOther());
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        FerryException d = assertThrows(
                FerryException.class,
                () -> engine.copy(
                        memory.ref("a"),
                        new OciArchiveTransport().parse(dir + ":a"),
                        CopyOptions.defaults(),
                        CopyListener.NONE));
        assertTrue(d.getMessage().contains("is a directory"), d.getMessage());
        assertEquals(List.of("dir", "pipe"), list(tmp));
    }

    @Test
    void aKilledWritersTemporaryFileIsSweptByTheNextWriter() throws Exception {
        TestImages.image(memory, "a", 1, 100, 1);
        // a dead owner: no process has this PID
        Path dead = Files.writeString(
                tmp.resolve(".ferry-image.tar-4000000000.1700000000000-0123456789ab.tmp"), "half an archive");
        Path live = TempFiles.createFile(tmp, "image.tar"); // this process's: alive, kept
        Path other = Files.writeString(tmp.resolve(".ferry-notes.txt"), "not a temporary name of ours");
        engine.copy(
                memory.ref("a"),
                new OciArchiveTransport().parse(archive() + ":a"),
                CopyOptions.defaults(),
                CopyListener.NONE);
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(live));
        assertTrue(Files.exists(other));
        TempFiles.delete(live);
    }

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
