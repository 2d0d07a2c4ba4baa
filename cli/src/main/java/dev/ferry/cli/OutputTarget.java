package dev.ferry.cli;

import dev.ferry.spi.support.OutputFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;

/**
 * Where a tar goes: standard output for "-", or a regular file written atomically (a temporary file beside it,
 * renamed over it at the end). A device, FIFO, socket, directory or a symlink to one is refused before anything is
 * opened; an existing file is replaced only when the user may write it and, unless forced, it is empty or a tar;
 * a symlink to a regular file is written through; a replaced file keeps its mode. See {@link OutputFile}.
 */
final class OutputTarget implements AutoCloseable {
    private final OutputFile file;
    private final OutputStream stream;
    private boolean done;

    private OutputTarget(OutputFile file, OutputStream stream) {
        this.file = file;
        this.stream = stream;
    }

    /**
     * Opens {@code out} for a tar: checked, leftovers of killed runs beside it swept, the temporary file created.
     *
     * @param force replace an existing file even if it is neither empty nor a tar
     */
    static OutputTarget open(String out, Stdout stdout, boolean force) throws IOException {
        if (out.equals("-")) {
            return new OutputTarget(null, stdout.stream());
        }
        OutputFile file = OutputFile.check(Path.of(out), "or - for standard output");
        if (!force) {
            file.requireTarOrEmpty("--force");
        }
        return new OutputTarget(file, Channels.newOutputStream(file.open()));
    }

    OutputStream stream() {
        return stream;
    }

    /** Everything was written: make it visible. */
    void commit() throws IOException {
        stream.flush();
        if (file != null) {
            file.commit();
        }
        done = true;
    }

    @Override
    public void close() throws IOException {
        if (file != null && !done) {
            file.close();
        }
    }
}
