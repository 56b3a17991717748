/** The {@code maskstream alerts} command (registered as a subcommand by the app's {@code Main}). */
package io.maskstream.alerts.cli;
