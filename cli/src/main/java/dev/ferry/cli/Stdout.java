package dev.ferry.cli;

import java.io.OutputStream;

/** The byte stream behind standard output, for output that must be bytes exactly ({@code inspect --raw}). */
public record Stdout(OutputStream stream) {}
