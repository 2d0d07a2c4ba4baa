package dev.ferry.sample.dir;

import dev.ferry.conformance.ConformanceFixture;
import dev.ferry.conformance.TransportConformance;
import dev.ferry.spi.Transport;

/** The kit, used as a third party uses it: ten lines. */
class DirTransportConformanceTest extends TransportConformance {
    @Override
    protected Transport transport() {
        return discover("dir");
    }

    @Override
    protected ConformanceFixture fixture() {
        return new DirFixture();
    }
}
