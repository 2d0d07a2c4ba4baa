/**
 * <b>Internal:</b> A sample plugin that bundles its own Jackson, proving plugin isolation in the tests.
 */
package dev.ferry.sample.jackson;
