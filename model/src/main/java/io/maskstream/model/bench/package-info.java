/**
 * Benchmark commands (not tests): they print figures measured on the machine they run on. Run with
 * {@code mvn -o -q -pl model exec:java -Dexec.mainClass=io.maskstream.model.bench.ModelBenchmark}.
 */
package io.maskstream.model.bench;
