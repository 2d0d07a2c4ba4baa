package dev.ferry.transport.dockercli;

import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.TransportConformance;
import dev.ferry.spi.Transport;

/** {@code docker-cli:} passes the conformance kit, against the Docker daemon this machine runs. */
class DockerCliConformanceTest extends TransportConformance {
    @Override
    protected Transport transport() {
        return discover("docker-cli");
    }

    @Override
    protected ConformanceFixture fixture() {
        return new DockerCliFixture();
    }
}
