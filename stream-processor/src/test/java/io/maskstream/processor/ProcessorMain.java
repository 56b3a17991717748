package io.maskstream.processor;

import io.maskstream.runtime.ServiceRunner;
import io.maskstream.runtime.config.ConfigSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;

/** A processor in its own JVM, for tests that kill it: {@code ProcessorMain <config.properties>}. */
public final class ProcessorMain {

    private ProcessorMain() {
    }

    public static void main(String[] args) throws Exception {
        ProcessorConfig config = new ProcessorConfig(ConfigSource.empty().withFile(Path.of(args[0])));
        try (ServiceRunner runner = new ServiceRunner()) {
            runner.start(new StreamProcessorService(config, new SimpleMeterRegistry()));
            System.out.println("PROCESSOR STARTED");
            runner.awaitStop();
        }
    }
}
