package dev.ferry.transport.oci;

import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.TransportConformance;
import dev.ferry.spi.Transport;

/** {@code oci-archive:} passes the conformance kit. */
class OciArchiveConformanceTest extends TransportConformance {
    @Override
    protected Transport transport() {
        return discover("oci-archive");
    }

    @Override
    protected ConformanceFixture fixture() {
        return new LayoutFixtures.OciArchive();
    }
}
