/**
 * <b>Internal:</b> The {@code ferry} command: picocli commands wired with Guice. Its contract is the command line
 * (documented in docs/reference.md), not these classes.
 */
package dev.ferry.cli;
