package dev.ferry.spi;

/** A transport was asked for something its {@link Capabilities} declare it cannot do. */
public class OperationNotSupportedException extends FerryException {
    private final String transport;
    private final String operation;

    public OperationNotSupportedException(String transport, String operation) {
        super("transport " + transport + " cannot " + operation, "`ferry transports` shows what each transport can do");
        this.transport = transport;
        this.operation = operation;
    }

    public String transport() {
        return transport;
    }

    public String operation() {
        return operation;
    }
}
