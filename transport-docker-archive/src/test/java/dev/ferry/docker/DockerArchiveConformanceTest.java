package dev.ferry.docker;

import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.TransportConformance;
import dev.ferry.spi.Transport;

/** {@code docker-archive:} passes the conformance kit. */
class DockerArchiveConformanceTest extends TransportConformance {
    @Override
    protected Transport transport() {
        return discover("docker-archive");
    }

    @Override
    protected ConformanceFixture fixture() {
        return new DockerFixtures.Archive();
    }
}
