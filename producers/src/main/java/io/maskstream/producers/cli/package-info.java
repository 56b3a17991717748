/**
 * The producers' command line, registered by the {@code maskstream} main command:
 * {@link io.maskstream.producers.cli.CameraCommand} ({@code camera synthetic|folder|video}) and
 * {@link io.maskstream.producers.cli.DatasetCommand} ({@code dataset synth}).
 */
package io.maskstream.producers.cli;
