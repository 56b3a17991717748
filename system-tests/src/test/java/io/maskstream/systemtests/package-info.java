/**
 * End-to-end fault scenarios on a real KRaft broker and a real schema registry: processors killed with SIGKILL,
 * a broker stopped and restarted, the registry unreachable, a corpus of bad inputs, bad model releases, a failover
 * between two processor instances, and privacy checks. Each scenario proves that every frame accepted on
 * {@code frames} yields exactly one classification or one dead letter, and appends its figures to
 * {@code target/fault-table.md} ({@link io.maskstream.systemtests.FaultTable}).
 */
package io.maskstream.systemtests;
