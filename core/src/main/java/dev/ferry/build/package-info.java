/**
 * <b>Contract, in part:</b> Building an image from a folder: a reproducible layer ({@link
 * dev.ferry.build.LayerBuilder}) and the image around it ({@link dev.ferry.build.ImageBuilder}). Contract: {@link
 * dev.ferry.build.ImageBuilder.Options}, which the library takes.
 */
package dev.ferry.build;
