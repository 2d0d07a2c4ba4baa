/**
 * <b>Contract:</b> Use cases that combine the engines, callable from Java with values and returning results:
 * building an image, making a runtime bundle (and, later, syncing). The CLI and the library call these and nothing
 * below them for the same work.
 */
package dev.ferry.service;
