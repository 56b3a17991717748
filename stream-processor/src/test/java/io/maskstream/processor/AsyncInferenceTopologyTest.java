package io.maskstream.processor;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;

/**
 * Every topology test again on the pipelined path: batches inferred on an inference thread while the stream
 * thread reads on must give the same events, complete and in each camera's order.
 */
class AsyncInferenceTopologyTest extends FrameTopologyTest {

    private final ExecutorService inference = Executors.newSingleThreadExecutor();

    @Override
    Executor inferenceExecutor() {
        return inference;
    }

    @AfterEach
    void stopInference() {
        inference.shutdownNow();
    }
}
