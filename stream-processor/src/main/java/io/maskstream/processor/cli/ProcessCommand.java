package io.maskstream.processor.cli;

import io.maskstream.processor.ProcessorConfig;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.runtime.ServiceRunner;
import io.maskstream.runtime.cli.ConfigOptions;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code maskstream process}: runs one stream processor instance until Ctrl-C. */
@Command(name = "process", mixinStandardHelpOptions = true,
        description = "Classify frames: frames -> micro-batched inference -> classifications (runs until Ctrl-C).")
public final class ProcessCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        ProcessorConfig processorConfig = new ProcessorConfig(config.source());
        try (ServiceRunner runner = new ServiceRunner()) {
            runner.start(new StreamProcessorService(processorConfig, Metrics.globalRegistry));
            runner.awaitStop();
        }
        return 0;
    }
}
