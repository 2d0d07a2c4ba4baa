/**
 * <b>Contract, in part:</b> Root filesystems: flattening layers (whiteouts, hardlinks) into one tar stream, export
 * filters, confined extraction, runtime configs, diffID checks and layer limits. Contract: the value types the
 * library takes ({@link dev.ferry.rootfs.ExportOptions}, {@link dev.ferry.rootfs.LayerLimit}) and {@link
 * dev.ferry.rootfs.RootfsExport}; the rest is used by Ferry's use cases and may change.
 */
package dev.ferry.rootfs;
