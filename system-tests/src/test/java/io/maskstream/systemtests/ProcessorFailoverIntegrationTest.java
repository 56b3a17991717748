package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Frame;
import io.maskstream.processor.ProcessorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 6: two processor instances (two JVMs, one application id) share a 6-partition frames topic; one is
 * killed with SIGKILL mid-stream. Its partitions move to the survivor, which restores their micro-batch buffers
 * from the changelog, and every frame still has exactly one event.
 *
 * <p>Failover speed is the consumer session timeout: the dead member is only evicted when its heartbeats have been
 * missing that long (45 s by default). The test passes {@code kafka.streams.session.timeout.ms=6000} (the broker's
 * minimum, {@code group.min.session.timeout.ms}) and {@code kafka.streams.heartbeat.interval.ms=1500} through the
 * processor's {@code kafka.*} pass-through: Kafka Streams hands unprefixed consumer settings to its consumers.
 */
class ProcessorFailoverIntegrationTest {

    static final int FRAMES = 1_200;
    static final int PARTITIONS = 6;

    @Test
    void whenOneOfTwoInstancesIsKilledItsPartitionsMoveToTheOtherWithNothingLostOrDuplicated(@TempDir Path dir)
            throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        Map<String, String> settings = Pipelines.settings(stack.bootstrapServers(), stack.registryUrl(), "s6-failover", dir,
                PARTITIONS);
        // Batches that fill slowly (10 frames/s per partition): every task has frames in its buffer store when the
        // kill comes, which the survivor must restore and classify.
        settings.put(ProcessorConfig.MAX_BATCH_SIZE, "32");
        settings.put(ProcessorConfig.MAX_BATCH_DELAY_MS, "1000");
        settings.put("kafka.streams.session.timeout.ms", "6000");
        settings.put("kafka.streams.heartbeat.interval.ms", "1500");
        Pipelines.createTopics(settings);
        String group = settings.get(ProcessorConfig.APPLICATION_ID);
        String framesTopic = Pipelines.frames(settings);
        // two instances on one machine: each its own state directory
        Map<String, String> a = new HashMap<>(settings);
        a.put(ProcessorConfig.STATE_DIR, dir.resolve("state-a").toString());
        Map<String, String> b = new HashMap<>(settings);
        b.put(ProcessorConfig.STATE_DIR, dir.resolve("state-b").toString());
        List<String> cameras = Pipelines.camerasCovering(PARTITIONS, 2, "cam-");
        List<byte[]> images = Pipelines.faces(60, 96, 128, 6);

        Set<String> sent = ConcurrentHashMap.newKeySet();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        List<ProcessorProcess> instances = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
             EventLedger ledger = new EventLedger(stack.bootstrapServers(), stack.registryUrl(),
                     Pipelines.classifications(settings), Pipelines.framesDlq(settings))) {
            instances.add(ProcessorProcess.start(Pipelines.writeConfig(a, dir.resolve("a.properties")),
                    dir.resolve("processor-a.log"), Duration.ofSeconds(120)));
            instances.add(ProcessorProcess.start(Pipelines.writeConfig(b, dir.resolve("b.properties")),
                    dir.resolve("processor-b.log"), Duration.ofSeconds(120)));
            Map<String, Set<Integer>> before = awaitAssignment(admin, group, framesTopic, 2, Duration.ofSeconds(90));
            System.out.println("assignment with two instances: " + before);

            Thread producer = new Thread(() -> {
                try (KafkaProducer<String, Frame> p = Pipelines.frameProducer(stack.bootstrapServers(), stack.registryUrl(),
                        Map.of())) {
                    for (int i = 0; i < FRAMES; i++) {
                        String camera = cameras.get(i % cameras.size());
                        long seq = i / cameras.size();
                        p.send(new ProducerRecord<>(framesTopic, camera, Pipelines.frame(camera, seq,
                                images.get(i % images.size()))), (m, e) -> {
                                    if (e != null) {
                                        producerFailure.compareAndSet(null, e);
                                    }
                                });
                        sent.add(camera + "/" + seq);
                        if (i % 3 == 2) {
                            Thread.sleep(50); // 60 frames/s
                        }
                    }
                    p.flush();
                } catch (Throwable e) {
                    producerFailure.compareAndSet(null, e);
                }
            }, "frames");
            producer.start();

            assertThat(ledger.awaitFrames(FRAMES / 4, Duration.ofSeconds(120))).as("processing started: %s", ledger).isTrue();
            ProcessorProcess victim = instances.get(0);
            int exit = victim.kill();
            long killed = System.nanoTime();
            System.out.printf("SIGKILL of instance a at %d frames classified, %d sent%n", ledger.framesSeen(), sent.size());
            Map<String, Set<Integer>> after = awaitAssignment(admin, group, framesTopic, 1, Duration.ofSeconds(90));
            double failoverSeconds = (System.nanoTime() - killed) / 1e9;
            System.out.printf("assignment after the kill (%.1f s): %s%n", failoverSeconds, after);

            producer.join();
            assertThat(producerFailure.get()).as("producer failure").isNull();
            ledger.settle(FRAMES, Duration.ofSeconds(180), Duration.ofSeconds(3));
            ProcessorProcess survivor = instances.get(1);
            assertThat(survivor.isAlive()).isTrue();
            survivor.close();

            Set<String> lost = ledger.lost(sent);
            Set<String> duplicated = ledger.duplicated();
            FaultTable.record(new FaultTable.Row("6", "2 processors (separate JVMs) on 6 partitions, one SIGKILLed",
                    sent.size(), ledger.eventCount(), ledger.deadLetterCount(), lost.size(), duplicated.size(),
                    String.format("partitions %s -> %s; survivor owned all 6 after %.1f s (session timeout 6 s)",
                            before.values(), after.values(), failoverSeconds)));

            assertThat(exit).isEqualTo(137);
            assertThat(before.values()).as("both instances own partitions before the kill").allSatisfy(p ->
                    assertThat(p).isNotEmpty());
            assertThat(after.values()).singleElement().isEqualTo(allPartitions());
            assertThat(sent).hasSize(FRAMES);
            ledger.assertEveryFrameClassifiedOnce(sent);
            assertThat(survivor.logged("buffered but not classified before the last stop"))
                    .as("the survivor classified frames the killed instance had buffered").isTrue();
            ProcessorProcess.assertNoImageBytesInLogs(instances, images);
        } finally {
            for (ProcessorProcess p : instances) {
                p.close();
            }
        }
    }

    private static Set<Integer> allPartitions() {
        Set<Integer> all = new TreeSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            all.add(p);
        }
        return all;
    }

    /**
     * Waits until the group has {@code members} members that between them own every frames partition, and returns
     * each member's frames partitions.
     */
    private static Map<String, Set<Integer>> awaitAssignment(Admin admin, String group, String topic, int members,
                                                             Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Set<Integer>> last = Map.of();
        while (System.nanoTime() < deadline) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
            Map<String, Set<Integer>> byMember = new HashMap<>();
            for (MemberDescription m : d.members()) {
                Set<Integer> owned = new TreeSet<>();
                for (TopicPartition tp : m.assignment().topicPartitions()) {
                    if (tp.topic().equals(topic)) {
                        owned.add(tp.partition());
                    }
                }
                byMember.put(m.clientId(), owned);
            }
            last = byMember;
            Set<Integer> covered = new TreeSet<>();
            byMember.values().forEach(covered::addAll);
            if (byMember.size() == members && covered.equals(allPartitions())
                    && byMember.values().stream().noneMatch(Set::isEmpty)) {
                return byMember;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("group " + group + " never had " + members + " member(s) owning all of " + topic
                + "; last seen: " + last);
    }
}
