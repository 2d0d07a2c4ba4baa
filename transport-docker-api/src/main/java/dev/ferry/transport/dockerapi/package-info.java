/**
 * <b>Internal:</b> The {@code docker-api:} transport (the Engine API, through docker-java). Found with {@link
 * java.util.ServiceLoader}; use it through {@code dev.ferry.spi} and references, not these classes.
 */
package dev.ferry.transport.dockerapi;
