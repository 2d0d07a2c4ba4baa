/**
 * <b>Contract, in part:</b> The {@code docker save} format shared by the Docker transports, the {@code docker-
 * archive:} transport, and the Docker failures a caller may tell apart: {@link
 * dev.ferry.docker.DaemonUnreachableException}, {@link dev.ferry.docker.DaemonPermissionException}, {@link
 * dev.ferry.docker.DockerCliMissingException}, {@link dev.ferry.docker.LoadRejectedException} and {@link
 * dev.ferry.docker.DockerOptions} are contract; the format classes are used by the Docker transports and may
 * change.
 */
package dev.ferry.docker;
