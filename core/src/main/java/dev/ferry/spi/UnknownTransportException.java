package dev.ferry.spi;

import java.util.List;

/** A reference whose prefix names no transport Ferry knows. */
public class UnknownTransportException extends InvalidReferenceException {
    private final String transportName;
    private final List<String> known;

    public UnknownTransportException(String reference, String transportName, List<String> known) {
        super(
                reference,
                "unknown transport \"" + transportName + "\" (known: " + String.join(", ", known) + ")",
                "write TRANSPORT:DETAILS, for example oci:./layout:latest; `ferry transports` lists them");
        this.transportName = transportName;
        this.known = List.copyOf(known);
    }

    public String transportName() {
        return transportName;
    }

    public List<String> known() {
        return known;
    }
}
