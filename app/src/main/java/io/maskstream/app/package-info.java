/**
 * The {@code maskstream} command line ({@link io.maskstream.app.Main}) and the one-command stack
 * ({@link io.maskstream.app.StackCommand}): an embedded broker and registry, the topics, and every service,
 * on one machine.
 */
package io.maskstream.app;
