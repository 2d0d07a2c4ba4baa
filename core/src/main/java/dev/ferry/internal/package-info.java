/**
 * <b>Internal:</b> Ferry's own plumbing (the JSON codec over Jackson and its limits, counting and compressing
 * streams). Not a contract: anything here may change or go in any release; transports and users must not use it
 * (the plugin class loader hides it).
 */
package dev.ferry.internal;
