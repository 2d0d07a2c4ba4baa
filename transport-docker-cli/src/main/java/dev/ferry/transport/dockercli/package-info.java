/**
 * <b>Internal:</b> The {@code docker-cli:} transport (the {@code docker} command). Found with {@link
 * java.util.ServiceLoader}; use it through {@code dev.ferry.spi} and references, not these classes.
 */
package dev.ferry.transport.dockercli;
