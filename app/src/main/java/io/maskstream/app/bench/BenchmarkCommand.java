package io.maskstream.app.bench;

import picocli.CommandLine.Command;

/** {@code maskstream benchmark ...}. */
@Command(name = "benchmark", mixinStandardHelpOptions = true, description = "Benchmarks that print measured figures.",
        subcommands = {PipelineBenchmark.class, SoakBenchmark.class})
public final class BenchmarkCommand implements Runnable {

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }
}
