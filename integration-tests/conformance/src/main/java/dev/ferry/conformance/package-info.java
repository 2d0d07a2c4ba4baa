/**
 * <b>Contract:</b> The conformance kit, for transport authors: extend it in a test of your transport, or run {@code
 * ferry conformance NAME}. See docs/writing-a-transport.md.
 */
package dev.ferry.conformance;
