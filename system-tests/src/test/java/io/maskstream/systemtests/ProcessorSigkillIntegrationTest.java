package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Frame;
import io.maskstream.processor.ProcessorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 1: the processor runs in its own JVM and is killed with SIGKILL three times while 2,100 frames stream
 * in, each time with frames consumed but not yet classified in its micro-batch buffer; restarted each time, it
 * ends with exactly one classification per frame in a read_committed view.
 *
 * <p>With default settings (no session timeout lowered): each restart is measured from the SIGKILL to the first
 * event the new instance emits that a read_committed consumer sees. Static membership gives the restarted instance
 * its partitions back at once and its stable transactional ids abort the killed instance's open transaction at
 * once; without them it waited for the session timeout (45 s, measured 45.7 s).
 */
class ProcessorSigkillIntegrationTest {

    static final int FRAMES = 2_100;
    static final int KILLS = 3;
    static final int FRAMES_PER_TICK = 3;
    static final long TICK_MS = 50; // 60 frames/s: the stream outlasts the kills and restarts

    @Test
    void threeSigkillsDuringAStreamOf2100FramesLoseNothingAndDuplicateNothing(@TempDir Path dir) throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        Map<String, String> settings = Pipelines.settings(stack.bootstrapServers(), stack.registryUrl(), "s1-sigkill", dir, 3);
        // Batches that fill slowly: at any moment a few dozen consumed frames wait in the buffer store.
        settings.put(ProcessorConfig.MAX_BATCH_SIZE, "32");
        settings.put(ProcessorConfig.MAX_BATCH_DELAY_MS, "400");
        // To measure the alternatives side by side (not in CI): -Dmaskstream.sigkill.set=processor.instance.id=none
        // (dynamic membership) or =processor.group.protocol=streams
        for (String kv : System.getProperty("maskstream.sigkill.set", "").split(",")) {
            if (kv.contains("=")) {
                settings.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        Pipelines.createTopics(settings);
        Path config = Pipelines.writeConfig(settings, dir.resolve("processor.properties"));
        List<String> cameras = Pipelines.camerasCovering(3, 2, "cam-");
        List<byte[]> images = Pipelines.faces(60, 96, 128, 1);

        Set<String> sent = ConcurrentHashMap.newKeySet();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        List<ProcessorProcess> instances = new ArrayList<>();
        List<Integer> exitCodes = new ArrayList<>();
        List<Double> recoverySeconds = new ArrayList<>();
        short transactionVersion = finalizedTransactionVersion(stack.bootstrapServers());
        try (LogCapture brokerLog = new LogCapture();
             EventLedger ledger = new EventLedger(stack.bootstrapServers(), stack.registryUrl(),
                Pipelines.classifications(settings), Pipelines.framesDlq(settings))) {
            instances.add(ProcessorProcess.start(config, dir.resolve("processor-0.log"), Duration.ofSeconds(120)));
            Thread producer = new Thread(() -> {
                try (KafkaProducer<String, Frame> p = Pipelines.frameProducer(stack.bootstrapServers(), stack.registryUrl(),
                        Map.of())) {
                    for (int i = 0; i < FRAMES; i++) {
                        String camera = cameras.get(i % cameras.size());
                        long seq = i / cameras.size();
                        p.send(new ProducerRecord<>(Pipelines.frames(settings), camera,
                                Pipelines.frame(camera, seq, images.get(i % images.size()))), (m, e) -> {
                                    if (e != null) {
                                        producerFailure.compareAndSet(null, e);
                                    }
                                });
                        sent.add(camera + "/" + seq);
                        if (i % FRAMES_PER_TICK == FRAMES_PER_TICK - 1) {
                            Thread.sleep(TICK_MS);
                        }
                    }
                    p.flush();
                } catch (Throwable e) {
                    producerFailure.compareAndSet(null, e);
                }
            }, "frames");
            producer.start();

            for (int kill = 1; kill <= KILLS; kill++) {
                int progress = kill * FRAMES / (KILLS + 2);
                assertThat(ledger.awaitFrames(progress, Duration.ofSeconds(120)))
                        .as("processing reached %d frames before kill %d (%s)", progress, kill, ledger).isTrue();
                ProcessorProcess victim = instances.get(instances.size() - 1);
                exitCodes.add(victim.kill());
                long killedAt = System.currentTimeMillis();
                System.out.printf("kill %d: SIGKILL at %d frames classified, %d sent%n", kill, ledger.framesSeen(), sent.size());
                instances.add(ProcessorProcess.start(config, dir.resolve("processor-" + kill + ".log"), Duration.ofSeconds(120)));
                long seen = ledger.awaitEventEmittedSince(killedAt, Duration.ofSeconds(120));
                assertThat(seen).as("an event from the instance restarted after kill %d", kill).isPositive();
                recoverySeconds.add((seen - killedAt) / 1000.0);
                System.out.printf("kill %d: first event of the restarted instance %.1f s after the SIGKILL%n", kill,
                        recoverySeconds.get(recoverySeconds.size() - 1));
            }
            producer.join();
            assertThat(producerFailure.get()).as("producer failure").isNull();
            ledger.settle(FRAMES, Duration.ofSeconds(180), Duration.ofSeconds(3)); // a late duplicate would show now
            instances.get(instances.size() - 1).close();

            Set<String> lost = ledger.lost(sent);
            Set<String> duplicated = ledger.duplicated();
            long recovered = instances.stream().skip(1)
                    .filter(p -> p.logged("buffered but not classified before the last stop")).count();
            FaultTable.record(new FaultTable.Row("1", "processor SIGKILLed 3x mid-stream, restarted (separate JVM)",
                    sent.size(), ledger.eventCount(), ledger.deadLetterCount(), lost.size(), duplicated.size(),
                    KILLS + " SIGKILLs (exit " + exitCodes + "); " + recovered + " of " + KILLS
                            + " restarts found frames left in the buffer store; SIGKILL to first event of the restarted "
                            + "instance (JVM start and model load included) " + seconds(recoverySeconds)
                            + " with default settings (session timeout 45 s)"));

            long outOfOrder = brokerLog.lines().stream().filter(l -> l.contains("OutOfOrderSequenceException")).count();
            long concurrent = instances.stream().flatMap(p -> p.logLines().stream())
                    .filter(l -> l.contains("CONCURRENT_TRANSACTIONS")).count();
            FaultTable.record(new FaultTable.Row("T", "transactions v2: every exactly-once scenario runs on a broker with "
                    + "transaction.version=" + transactionVersion + " (Kafka's default for new clusters)", sent.size(),
                    ledger.eventCount(), ledger.deadLetterCount(), lost.size(), duplicated.size(), String.format(
                            "during scenario 1 the broker (in the test JVM) logged %d OUT_OF_ORDER_SEQUENCE error(s) and "
                                    + "the processors' producers %d CONCURRENT_TRANSACTIONS retries", outOfOrder,
                            concurrent)));

            assertThat(transactionVersion).as("transactions v2").isEqualTo((short) 2);
            assertThat(sent).hasSize(FRAMES);
            assertThat(exitCodes).as("killed by signal 9").containsOnly(137);
            ledger.assertEveryFrameClassifiedOnce(sent);
            assertThat(recoverySeconds).as("each restart resumed long before the 45 s session timeout")
                    .allSatisfy(s -> assertThat(s).isLessThan(30.0));
            assertThat(recovered).as("a restart classified frames a killed instance had buffered").isPositive();
            ProcessorProcess.assertNoImageBytesInLogs(instances, images);
        } finally {
            for (ProcessorProcess p : instances) {
                p.close();
            }
        }
    }

    static String seconds(List<Double> values) {
        return values.stream().map(v -> String.format(java.util.Locale.ROOT, "%.1f s", v))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** The transaction.version feature level the cluster finalized. */
    static short finalizedTransactionVersion(String bootstrap) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap))) {
            var range = admin.describeFeatures().featureMetadata().get().finalizedFeatures().get("transaction.version");
            return range == null ? 0 : range.maxVersionLevel();
        }
    }
}
