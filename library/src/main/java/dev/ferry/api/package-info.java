/**
 * <b>Contract:</b> Ferry as a Java library: {@link dev.ferry.api.Ferry} copies, inspects, exports, bundles and
 * builds images from Java, with the transports found on the class path or a plugin path. Add {@code
 * dev.ferry:ferry}.
 */
package dev.ferry.api;
