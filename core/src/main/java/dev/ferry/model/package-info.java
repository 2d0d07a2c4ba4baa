/**
 * <b>Contract:</b> The image model: values (digests, descriptors, platforms, media types), manifests and indexes as
 * parsed and as their exact bytes, configs, and the OCI layout index. Immutable; no Jackson type in any signature.
 * Used by the library, the SPI and every transport.
 */
package dev.ferry.model;
