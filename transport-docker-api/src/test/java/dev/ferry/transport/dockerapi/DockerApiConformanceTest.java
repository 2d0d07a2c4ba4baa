package dev.ferry.transport.dockerapi;

import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.TransportConformance;
import dev.ferry.spi.Transport;

/** {@code docker-api:} passes the conformance kit, against the Docker daemon this machine runs. */
class DockerApiConformanceTest extends TransportConformance {
    @Override
    protected Transport transport() {
        return discover("docker-api");
    }

    @Override
    protected ConformanceFixture fixture() {
        return new DockerApiFixture();
    }
}
