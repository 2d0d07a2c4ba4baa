package dev.ferry.transport.dockercli;

import dev.ferry.docker.DockerFixtures;

/** The conformance kit's fixture for {@code docker-cli:} (see {@link DockerFixtures.Daemon}). */
public final class DockerCliFixture extends DockerFixtures.Daemon {
    @Override
    public String transportName() {
        return "docker-cli";
    }
}
