package dev.ferry.transport.dockerapi;

import dev.ferry.docker.DockerFixtures;

/** The conformance kit's fixture for {@code docker-api:} (see {@link DockerFixtures.Daemon}). */
public final class DockerApiFixture extends DockerFixtures.Daemon {
    @Override
    public String transportName() {
        return "docker-api";
    }
}
