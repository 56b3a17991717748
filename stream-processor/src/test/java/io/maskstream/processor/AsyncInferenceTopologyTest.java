package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every topology test again on the pipelined path: batches inferred on an inference thread while the stream
 * thread reads on must give the same events, complete and in each camera's order. And what only this path has: a
 * forward pass that hangs is waited for no longer than the inference timeout.
 */
class AsyncInferenceTopologyTest extends FrameTopologyTest {

    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final ExecutorService inference = Executors.newSingleThreadExecutor();
    private final ExecutorService retry = Executors.newSingleThreadExecutor();

    @Override
    Inference inferenceExecutor() {
        return new Inference(inference, retry, TIMEOUT, 2);
    }

    @AfterEach
    void stopInference() {
        serving.close(); // lets a hung pass go before the executors stop
        inference.shutdownNow();
        retry.shutdownNow();
    }

    @Test
    void aHungForwardPassIsRetriedFrameByFrameOnceTheInferenceTimeoutPasses() throws Exception {
        serve(FaultyModel.hangingOnBatchesOf(model, 2));
        for (int i = 0; i < 4; i++) {
            send(TestFrames.frame("cam-h", i));
        }
        awaitHung(1);
        driver.advanceWallClockTime(TIMEOUT.minusMillis(100));
        assertThat(classifications.isEmpty()).as("still within the timeout").isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(200));
        List<Classification> out = awaitEvents(4);
        assertThat(out).extracting(Classification::getFrameSequence).containsExactly(0L, 1L, 2L, 3L);
        assertThat(out).allSatisfy(c -> assertThat(c.getBatchSize()).isEqualTo(1));
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(meters.get("maskstream.processor.inference.timeouts").counter().count()).isEqualTo(1);
    }

    @Test
    void aModelThatHangsOnEveryFrameEndsInDeadLettersAndTheStreamGoesOn() throws Exception {
        serve(FaultyModel.hangingOnBatchesOf(model, 1));
        for (int i = 0; i < 4; i++) {
            send(TestFrames.frame("cam-x", i));
        }
        awaitHung(1);
        driver.advanceWallClockTime(TIMEOUT.plusMillis(100)); // the batch's pass: retried frame by frame
        awaitHung(2);
        driver.advanceWallClockTime(TIMEOUT.plusMillis(100)); // the retry's pass too: given up
        List<TestRecord<byte[], DeadLetter>> dead = awaitDeadLetters(4);
        assertThat(dead).extracting(r -> r.value().getFrameSequence()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(dead).allSatisfy(r -> {
            assertThat(r.value().getReason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED);
            assertThat(r.value().getMessage()).contains("processor.inference.timeout.ms");
        });
        assertThat(classifications.isEmpty()).isTrue();
        assertThat(meters.get("maskstream.processor.inference.timeouts").counter().count()).isEqualTo(2);

        // the stream was never blocked: a bad frame that follows is dead-lettered at intake right away
        frames.pipeInput("cam-x".getBytes(), "not avro".getBytes());
        assertThat(deadLetters.readValuesToList()).extracting(DeadLetter::getReason).containsExactly(DeadLetterReason.NOT_AVRO);
    }

    private void awaitHung(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (serving.hung.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(serving.hung.get()).as("passes hanging").isGreaterThanOrEqualTo(n);
    }
}
