package dev.ferry.conformance;

import dev.ferry.conformance.broken.StoreFixture;
import dev.ferry.conformance.broken.StoreTransport;
import dev.ferry.spi.Transport;

/** The bug-free transport of the kit's own tests passes the whole kit, 1 GiB blob included. */
class StoreTransportConformanceTest extends TransportConformance {
    @Override
    protected Transport transport() {
        return new StoreTransport();
    }

    @Override
    protected ConformanceFixture fixture() {
        return new StoreFixture();
    }
}
