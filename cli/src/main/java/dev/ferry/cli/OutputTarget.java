package dev.ferry.cli;

import dev.ferry.spi.FerryException;
import dev.ferry.spi.support.AtomicFiles;
import dev.ferry.spi.support.ShutdownCleanup;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A file written atomically (a temporary file beside it, renamed at the end), or standard output for "-". */
final class OutputTarget implements AutoCloseable {
    private final Path file;
    private final Path tmp;
    private final FileChannel channel;
    private final OutputStream stream;
    private boolean done;

    private OutputTarget(Path file, Path tmp, FileChannel channel, OutputStream stream) {
        this.file = file;
        this.tmp = tmp;
        this.channel = channel;
        this.stream = stream;
    }

    static OutputTarget open(String out, Stdout stdout) throws IOException {
        if (out.equals("-")) {
            return new OutputTarget(null, null, null, stdout.stream());
        }
        Path file = Path.of(out).toAbsolutePath();
        if (Files.isDirectory(file)) {
            throw new FerryException(file + " is a directory", "name a file, or - for standard output");
        }
        if (!Files.isDirectory(file.getParent())) {
            throw new FerryException("cannot write " + file + ": " + file.getParent() + " is not a directory",
                    "create the parent directory first");
        }
        dev.ferry.spi.support.TempFiles.sweep(file.getParent()); // what killed commands left beside their outputs
        Path tmp = AtomicFiles.tempPath(file.getParent(), file.getFileName().toString());
        ShutdownCleanup.register(tmp);
        FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new OutputTarget(file, tmp, channel, Channels.newOutputStream(channel));
    }

    OutputStream stream() {
        return stream;
    }

    /** Everything was written: make it visible. */
    void commit() throws IOException {
        stream.flush();
        if (file != null) {
            channel.force(true);
            channel.close();
            AtomicFiles.move(tmp, file);
            ShutdownCleanup.unregister(tmp);
        }
        done = true;
    }

    @Override
    public void close() throws IOException {
        if (file != null && !done) {
            channel.close();
            Files.deleteIfExists(tmp);
            ShutdownCleanup.unregister(tmp);
        }
    }
}
