/**
 * <b>Internal:</b> A sample third-party transport ({@code dir:}), for the tests and as an example; never on Ferry's
 * class path.
 */
package dev.ferry.sample.dir;
