package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.Frame;
import io.maskstream.model.Classifier;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The instance-wide scheduler on its own, with a real model: batches form across partitions, on size or deadline. */
class BatchSchedulerTest {

    static Classifier model;
    ModelHolder models;
    SimpleMeterRegistry meters;

    @BeforeAll
    static void loadModel() throws Exception {
        model = Classifier.load(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-sched", 3),
                ComputeSettings.defaults());
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @BeforeEach
    void setUp() {
        models = new ModelHolder(v -> { });
        models.swap(FaultyModel.healthy(model));
        meters = new SimpleMeterRegistry();
    }

    private BatchScheduler scheduler(int maxBatch, long maxDelayMs, Inference inference) {
        ProcessorMetrics metrics = new ProcessorMetrics(meters);
        return new BatchScheduler(maxBatch, Duration.ofMillis(maxDelayMs), inference,
                new FrameInference(models, false, false, metrics), metrics);
    }

    private static AcceptedFrame frame(int partition, long offset) throws Exception {
        Frame f = TestFrames.frame("cam-" + partition, offset);
        byte[] jpeg = new byte[f.getImage().remaining()];
        f.getImage().duplicate().get(jpeg);
        return new AcceptedFrame(f, ("cam-" + partition).getBytes(), jpeg, "frames", partition, offset, 0L,
                model.preprocessor().prepare(jpeg), null, null);
    }

    @Test
    void framesOfDifferentPartitionsFillOneBatchAndEachGetsItsOwnOutcome() throws Exception {
        BatchScheduler scheduler = scheduler(6, 10_000, Inference.onStreamThread());
        List<BatchScheduler.Ticket> tickets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tickets.add(scheduler.submit(frame(i % 3, i), 0));
        }
        assertThat(tickets).allSatisfy(t -> {
            Outcome o = t.outcome.getNow(null);
            assertThat(o).as("inferred when the 6th frame filled the batch").isNotNull();
            assertThat(o.classified()).isTrue();
            assertThat(o.batchSize()).isEqualTo(6);
        });
        assertThat(tickets).extracting(t -> t.outcome.join().frame().offset()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(tickets).extracting(t -> t.batch).containsOnly(tickets.get(0).batch);
        assertThat(meters.get("maskstream.processor.batch.partitions").summary().max()).isEqualTo(3);
        assertThat(meters.get("maskstream.processor.batch.size").summary().count()).isEqualTo(1);
    }

    @Test
    void aPartBatchWaitsForTheOldestFramesDeadlineWhicheverTaskChecks() throws Exception {
        BatchScheduler scheduler = scheduler(16, 50, Inference.onStreamThread());
        BatchScheduler.Ticket a = scheduler.submit(frame(0, 1), 1_000);
        BatchScheduler.Ticket b = scheduler.submit(frame(1, 1), 1_030);
        scheduler.flushDue(1_049);
        assertThat(a.outcome).isNotDone();
        assertThat(scheduler.queued()).isEqualTo(2);
        scheduler.flushDue(1_050); // e.g. the punctuation of a third task, which has no frame in it
        assertThat(a.outcome.join().batchSize()).isEqualTo(2);
        assertThat(b.outcome.join().batchSize()).isEqualTo(2);
        assertThat(scheduler.queued()).isZero();
    }

    @Test
    void framesOfAClosedTaskAreLeftOutOfTheBatch() throws Exception {
        BatchScheduler scheduler = scheduler(3, 10_000, Inference.onStreamThread());
        BatchScheduler.Ticket gone = scheduler.submit(frame(0, 1), 0);
        gone.abandoned = true;
        BatchScheduler.Ticket x = scheduler.submit(frame(1, 1), 0);
        BatchScheduler.Ticket y = scheduler.submit(frame(2, 1), 0);
        assertThat(gone.outcome).isNotDone();
        assertThat(x.outcome.join().batchSize()).isEqualTo(2);
        assertThat(y.outcome.join().batchSize()).isEqualTo(2);
    }

    @Test
    void onAnInferenceThreadEachFullBatchIsOnePassWhileTheSubmitterGoesOn() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        ExecutorService rescue = Executors.newSingleThreadExecutor();
        try {
            BatchScheduler scheduler = scheduler(4, 10_000, new Inference(pool, rescue, Duration.ofSeconds(5), 1));
            List<BatchScheduler.Ticket> tickets = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                tickets.add(scheduler.submit(frame(i % 4, i), System.currentTimeMillis()));
            }
            for (BatchScheduler.Ticket t : tickets) {
                Outcome o = t.outcome.get(30, TimeUnit.SECONDS);
                assertThat(o.batchSize()).isEqualTo(4);
            }
            assertThat(tickets.stream().map(t -> t.batch).distinct()).hasSize(3);
            assertThat(meters.get("maskstream.processor.inference.timeouts").counter().count()).isZero();
        } finally {
            pool.shutdownNow();
            rescue.shutdownNow();
        }
    }
}
