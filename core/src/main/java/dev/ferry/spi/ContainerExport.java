package dev.ferry.spi;

import java.io.IOException;
import java.io.InputStream;

/**
 * Optional, for references to a daemon's images: the filesystem of a container made from the image, as a tar
 * ({@code docker create}, {@code docker export}, {@code docker rm}), linuxkit's route. A transport's
 * {@link ImageReference} implements this when its daemon can do it.
 */
public interface ContainerExport {
    /**
     * Creates a container from the image and streams its exported filesystem. The container is removed when the
     * stream is closed, when anything fails, and when Ferry is interrupted.
     *
     * @throws ImageNotFoundException if the daemon has no such image
     * @throws FerryException if the daemon cannot be reached or refuses
     */
    InputStream exportContainer(OpenContext context) throws IOException;
}
