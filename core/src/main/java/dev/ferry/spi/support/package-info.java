/**
 * <b>Contract:</b> Helpers for transport authors, with the same stability as the SPI: verifying streams, atomic
 * writes, temporary files that carry their owner (swept after a SIGKILL), the one check for output files, tar
 * indexes, pipes. A plugin may use these and nothing else of Ferry beyond {@code dev.ferry.spi} and {@code
 * dev.ferry.model}.
 */
package dev.ferry.spi.support;
