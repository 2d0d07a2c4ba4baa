/**
 * <b>Internal, in part:</b> The {@code docker://} transport (registries). Found with {@link
 * java.util.ServiceLoader}; use it through {@code dev.ferry.spi} and references. Contract: the failures a caller
 * may tell apart ({@link dev.ferry.transport.registry.RegistryException}, {@link
 * dev.ferry.transport.registry.RegistryAuthException}, {@link dev.ferry.transport.registry.RegistryTlsException})
 * and the option names of {@link dev.ferry.transport.registry.RegistrySettings}; the rest may change.
 */
package dev.ferry.transport.registry;
