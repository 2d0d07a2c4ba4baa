/**
 * <b>Contract:</b> the transport SPI: what a transport implements so Ferry can read images from it and write images to it.
 *
 * <p>Four interfaces make the contract: a {@link dev.ferry.spi.Transport} parses references; an
 * {@link dev.ferry.spi.ImageReference} opens an {@link dev.ferry.spi.ImageSource} to read and an
 * {@link dev.ferry.spi.ImageSink} to write. Transports are found with {@link java.util.ServiceLoader}: a jar lists
 * its implementations in {@code META-INF/services/dev.ferry.spi.Transport}.
 *
 * <p>Division of labour, as in containers/image: sources serve bytes and do not verify them; the copy engine
 * verifies every blob while it streams; sinks verify again what they store (cheaply: see
 * {@link dev.ferry.spi.support.VerifyingInputStream#verify}) and never make unverified or partial content
 * visible. Errors are {@link dev.ferry.spi.FerryException}s whose message is one line for the user.
 *
 * <p>This package is kept small and stable: new capabilities arrive as default methods or new fields of
 * {@link dev.ferry.spi.Capabilities}, so existing transports keep working.
 */
package dev.ferry.spi;
