package dev.ferry.transport.oci;

import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.TransportConformance;
import dev.ferry.spi.Transport;

/** {@code oci:} passes the conformance kit. */
class OciConformanceTest extends TransportConformance {
    @Override
    protected Transport transport() {
        return discover("oci");
    }

    @Override
    protected ConformanceFixture fixture() {
        return new LayoutFixtures.Oci();
    }
}
