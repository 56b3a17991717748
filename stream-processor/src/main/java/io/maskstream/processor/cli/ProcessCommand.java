package io.maskstream.processor.cli;

import io.maskstream.processor.ProcessorConfig;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.runtime.ServiceRunner;
import io.maskstream.runtime.cli.ConfigOptions;
import io.maskstream.runtime.metrics.ProcessMetrics;
import org.apache.kafka.streams.KafkaStreams;
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
            StreamProcessorService[] service = new StreamProcessorService[1];
            ProcessMetrics metrics = runner.start(new ProcessMetrics(processorConfig,
                    () -> service[0] != null && service[0].state() == KafkaStreams.State.RUNNING));
            service[0] = runner.start(new StreamProcessorService(processorConfig, Metrics.globalRegistry));
            if (metrics.url() != null) {
                System.out.println("metrics and health: " + metrics.url() + "/metrics, /health, /ready");
            }
            runner.awaitStop();
        }
        return 0;
    }
}
