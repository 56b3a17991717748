package io.maskstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.maskstream.schemas.serde.SchemaRegistryException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.junit.jupiter.api.Test;

/** The consumer loop's promises: bounded close, records re-read when the registry was away, restarts on failure. */
class ConsumerLoopTest {

    static final TopicPartition TP = new TopicPartition("t", 0);

    static MockConsumer<String, String> consumer() {
        MockConsumer<String, String> c = new MockConsumer<>("earliest");
        c.updateBeginningOffsets(Map.of(TP, 0L));
        return c;
    }

    /** Assigns the partition and records what it sees. */
    static class Recording implements ConsumerLoop.Body<String, String> {
        final List<String> values = new CopyOnWriteArrayList<>();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public void open(Consumer<String, String> c) {
            opened.incrementAndGet();
            c.assign(List.of(TP));
        }

        @Override
        public Duration pollTimeout() {
            return Duration.ofMillis(10);
        }

        @Override
        public void records(Consumer<String, String> c, ConsumerRecords<String, String> records) {
            records.forEach(r -> values.add(r.value()));
        }

        @Override
        public void close(Consumer<String, String> c) {
            closed.incrementAndGet();
        }
    }

    @Test
    void closeEndsThePollingRunsTheBodysLastStepOnceAndClosesTheConsumer() {
        MockConsumer<String, String> c = consumer();
        Recording body = new Recording();
        ConsumerLoop<String, String> loop = new ConsumerLoop<>("test-loop", () -> c, body).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> body.opened.get() == 1);
        c.schedulePollTask(() -> c.addRecord(new ConsumerRecord<>("t", 0, 0, "k", "a")));
        await().atMost(Duration.ofSeconds(10)).until(() -> body.values.contains("a"));
        long start = System.nanoTime();
        loop.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(c.closed()).isTrue();
        assertThat(body.closed.get()).isEqualTo(1);
        assertThat(loop.isClosed()).isTrue();
    }

    @Test
    void aRecordTheRegistryCouldNotDecodeIsReadAgainAndOneThatIsBadItselfIsSkipped() {
        MockConsumer<String, String> c = consumer();
        Recording body = new Recording();
        try (ConsumerLoop<String, String> loop = new ConsumerLoop<>("test-loop", () -> c, body).start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> body.opened.get() == 1);
            c.schedulePollTask(() -> c.seek(TP, 5));
            c.setPollException(new RecordDeserializationException(TP, 5, "no registry",
                    new SchemaRegistryException("Schema registry at x is unreachable", null, -1)));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.position(TP) == 5);
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10)).until(() -> c.position(TP) == 5);
            c.setPollException(new RecordDeserializationException(TP, 5, "garbage", new IllegalArgumentException("bad")));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.position(TP) == 6);
            assertThat(loop.restarts()).isZero();
        }
    }

    @Test
    void aFailureOfTheBodyRestartsTheLoopWithANewConsumer() {
        List<MockConsumer<String, String>> made = new CopyOnWriteArrayList<>();
        Recording body = new Recording() {
            @Override
            public void records(Consumer<String, String> c, ConsumerRecords<String, String> records) {
                if (made.size() == 1) {
                    throw new IllegalStateException("the body's own failure");
                }
                super.records(c, records);
            }
        };
        try (ConsumerLoop<String, String> loop = new ConsumerLoop<>("test-loop", () -> {
            MockConsumer<String, String> c = consumer();
            made.add(c);
            return c;
        }, body).start()) {
            await().atMost(Duration.ofSeconds(15)).until(() -> body.opened.get() == 2);
            assertThat(loop.restarts()).isEqualTo(1);
            assertThat(made.get(0).closed()).as("the failed consumer was closed").isTrue();
            assertThat(made.get(1).closed()).isFalse();
        }
    }
}
