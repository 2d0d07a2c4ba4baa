/**
 * <b>Internal:</b> JMH micro-benchmarks of Ferry's inner loops; never run by the build.
 */
package dev.ferry.bench;
