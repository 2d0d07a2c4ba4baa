/**
 * <b>Internal:</b> The {@code oci:} and {@code oci-archive:} transports. Found with {@link
 * java.util.ServiceLoader}; use them through {@code dev.ferry.spi} and references, not these classes.
 */
package dev.ferry.transport.oci;
