/**
 * <b>Contract, in part:</b> The engines that work on any transport. Contract: {@link dev.ferry.engine.CopyEngine},
 * {@link dev.ferry.engine.CopyOptions}, {@link dev.ferry.engine.CopyListener}, {@link dev.ferry.engine.CopyResult},
 * {@link dev.ferry.engine.TransportRegistry}, {@link dev.ferry.engine.ImageInspector}, {@link
 * dev.ferry.engine.PlatformSelector} and {@link dev.ferry.engine.PluginLoader}: what {@code dev.ferry.api.Ferry}
 * takes and returns, or what a front end needs. The parts of the copy engine (planning, conversion, transfer,
 * scheduling) are public for their tests and for front ends in other packages of Ferry, not for users: they may
 * change in any release.
 */
package dev.ferry.engine;
