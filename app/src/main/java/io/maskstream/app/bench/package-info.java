/** Benchmarks: commands that print figures measured side by side in one run (never timed tests). */
package io.maskstream.app.bench;
