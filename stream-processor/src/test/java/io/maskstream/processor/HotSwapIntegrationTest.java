package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseSignature;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.model.BadBundles;
import io.maskstream.model.EnsembleVote;
import io.maskstream.model.Architectures;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.releases.ReleaseLog;
import io.maskstream.releases.ReleaseSignatures;
import io.maskstream.runtime.config.ConfigSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model releases reach a running processor while frames flow: a good one (here an ensemble: served as one model) is
 * swapped in with no frame lost or duplicated and events switch version exactly once per camera; bad ones (an ensemble
 * with one corrupt member among them) are refused and the old model stays.
 */
class HotSwapIntegrationTest {

    /** Frames flow from a background thread until stopped; every classification is collected. */
    static final class Flow implements AutoCloseable {
        final Map<String, String> settings;
        final List<Classification> events = new CopyOnWriteArrayList<>();
        final Map<String, Long> sent = new ConcurrentHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread producer;
        final Thread consumer;

        Flow(Map<String, String> settings) {
            this.settings = settings;
            producer = new Thread(() -> {
                try (KafkaProducer<String, Frame> p = ProcessorTestSupport.frameProducer(settings)) {
                    long i = 0;
                    while (!stop.get()) {
                        String cam = "cam-" + (i % 2);
                        long seq = sent.merge(cam, 1L, Long::sum) - 1;
                        p.send(new ProducerRecord<>(settings.get("topic.frames"), cam, TestFrames.frame(cam, seq)));
                        i++;
                        Thread.sleep(25);
                    }
                    p.flush();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "frames");
            consumer = new Thread(() -> {
                try (var c = ProcessorTestSupport.classificationConsumer(settings)) {
                    c.subscribe(List.of(settings.get("topic.classifications")));
                    while (!stop.get() || events.size() < total()) {
                        c.poll(Duration.ofMillis(200)).forEach(r -> events.add(r.value()));
                        if (stop.get() && System.nanoTime() > drainDeadline) {
                            break;
                        }
                    }
                }
            }, "events");
            producer.start();
            consumer.start();
        }

        volatile long drainDeadline = Long.MAX_VALUE;

        long total() {
            return sent.values().stream().mapToLong(Long::longValue).sum();
        }

        void awaitVersion(String version, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (events.stream().noneMatch(e -> e.getModelVersion().equals(version)) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }

        void awaitEvents(int n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (events.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            producer.join();
            drainDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            consumer.join();
        }
    }

    @Test
    void anActiveEnsembleReleaseIsSwappedInWhileFramesFlowWithNothingLostOrDuplicated(@TempDir Path dir) throws Exception {
        Map<String, String> settings = ProcessorTestSupport.settings("swap", dir, 2);
        ProcessorTestSupport.createTopics(settings);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(settings));
        Flow flow;
        try (StreamProcessorService service = new StreamProcessorService(config, new SimpleMeterRegistry())) {
            service.start();
            flow = new Flow(settings);
            try {
                flow.awaitEvents(40, Duration.ofSeconds(60));
                ModelBundle next = ModelBundle.ensemble("v-next", EnsembleVote.SOFT, List.of(
                        ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-next-m0", 99),
                        ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-next-m1", 98)));
                ReleaseTestSupport.publishActive(config, "v-next", next.toBytes(), next.sha256());
                flow.awaitVersion("v-next", Duration.ofSeconds(60));
                int atSwap = flow.events.size();
                flow.awaitEvents(atSwap + 40, Duration.ofSeconds(60));
                assertThat(service.models().currentVersion()).isEqualTo("v-next");
            } finally {
                flow.close();
            }
        }
        List<String> ids = flow.events.stream().map(e -> e.getCameraId() + "/" + e.getFrameSequence()).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat((long) ids.size()).isEqualTo(flow.total());
        Map<String, List<String>> versionsByCamera = new LinkedHashMap<>();
        flow.events.stream().sorted(java.util.Comparator.comparing(Classification::getFrameSequence))
                .forEach(e -> versionsByCamera.computeIfAbsent(e.getCameraId(), k -> new ArrayList<>()).add(e.getModelVersion()));
        versionsByCamera.forEach((camera, versions) -> {
            int firstNew = versions.indexOf("v-next");
            assertThat(firstNew).as("camera %s switched", camera).isPositive();
            assertThat(versions.subList(0, firstNew)).as("before the swap: the old version").containsOnly("v-swap");
            assertThat(versions.subList(firstNew, versions.size())).as("after the swap: only the new one").containsOnly("v-next");
        });
    }

    @Test
    void badReleasesOfEveryKindAreRefusedWhileEventsKeepComingWithTheOldVersion(@TempDir Path dir) throws Exception {
        Map<String, String> settings = ProcessorTestSupport.settings("badrel", dir, 1);
        ProcessorTestSupport.createTopics(settings);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(settings));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ModelBundle good = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "bad-checksum", 5);
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("bad-truncated", BadBundles.truncated("bad-truncated"));
        bad.put("bad-shapes", BadBundles.wrongShapes("bad-shapes"));
        bad.put("bad-nan", BadBundles.nanWeights("bad-nan"));
        bad.put("bad-arch", BadBundles.unknownArchitecture("bad-arch"));
        bad.put("bad-ensemble", BadBundles.ensembleWithMember("bad-ensemble", "bad-member",
                BadBundles.alteredWeights("bad-member")));
        Flow flow;
        try (StreamProcessorService service = new StreamProcessorService(config, registry)) {
            service.start();
            flow = new Flow(settings);
            try {
                flow.awaitEvents(20, Duration.ofSeconds(60));
                // checksum mismatch: the release names another SHA-256 than its artifact has
                ReleaseTestSupport.publishActive(config, "bad-checksum", good.toBytes(), "ab" + good.sha256().substring(2));
                awaitRefusals(registry, 1);
                // one at a time: a release superseded before its load begins is not loaded at all (the newest wins)
                for (var e : bad.entrySet()) {
                    double before = refused(registry);
                    ReleaseTestSupport.publishActive(config, e.getKey(), e.getValue(), ReleaseTestSupport.sha256(e.getValue()));
                    awaitRefusals(registry, before + 1);
                }
                int after = flow.events.size();
                flow.awaitEvents(after + 20, Duration.ofSeconds(60));
                assertThat(service.models().currentVersion()).isEqualTo("v-badrel");
            } finally {
                flow.close();
            }
        }
        assertThat(refusedBy(registry, InvalidModelException.Reason.CHECKSUM_MISMATCH)).as("the release's and the member's")
                .isEqualTo(2);
        assertThat(refusedBy(registry, InvalidModelException.Reason.TRUNCATED)).isEqualTo(1);
        assertThat(refusedBy(registry, InvalidModelException.Reason.SHAPE_MISMATCH)).isEqualTo(1);
        assertThat(refusedBy(registry, InvalidModelException.Reason.NON_FINITE_WEIGHTS)).isEqualTo(1);
        assertThat(refusedBy(registry, InvalidModelException.Reason.UNKNOWN_ARCHITECTURE)).isEqualTo(1);
        assertThat(flow.events).allSatisfy(e -> assertThat(e.getModelVersion()).isEqualTo("v-badrel"));
        assertThat((long) flow.events.size()).isEqualTo(flow.total());
    }

    /**
     * Detect mode: a scene release (classifier + its detector) is swapped in as one, so events switch model and detector
     * version together; a release without a detector, or with a classifier where its detector should be, is refused and
     * the running pair keeps serving.
     */
    @Test
    void sceneReleasesSwapClassifierAndDetectorTogetherAndBadDetectorsAreRefused(@TempDir Path dir) throws Exception {
        Map<String, String> settings = ProcessorTestSupport.settings("sceneswap", dir, 1);
        ModelBundle first = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "scene-1", 3)
                .withDetector(ModelBundle.untrained(Architectures.GRIDNET, HeadLayout.FACE_GRID, "scene-1-detector", 3));
        first.write(dir.resolve("model.bundle"));
        settings.put(ProcessorConfig.FACES_MODE, ProcessorConfig.DETECT);
        settings.put(ProcessorConfig.DETECTOR_MIN_SCORE, "0.3");
        ProcessorTestSupport.createTopics(settings);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(settings));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        byte[] noDetector = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "no-detector", 4).toBytes();
        byte[] classifierAsDetector = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "wrong-detector", 4)
                .withDetector(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "not-a-detector", 4)).toBytes();
        byte[] second = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "scene-2", 5)
                .withDetector(ModelBundle.untrained(Architectures.GRIDNET, HeadLayout.FACE_GRID, "scene-2-detector", 5))
                .toBytes();
        Flow flow;
        try (StreamProcessorService service = new StreamProcessorService(config, registry)) {
            service.start();
            flow = new Flow(settings);
            try {
                flow.awaitEvents(20, Duration.ofSeconds(60));
                ReleaseTestSupport.publishActive(config, "no-detector", noDetector, ReleaseTestSupport.sha256(noDetector));
                awaitRefusals(registry, 1);
                ReleaseTestSupport.publishActive(config, "wrong-detector", classifierAsDetector,
                        ReleaseTestSupport.sha256(classifierAsDetector));
                awaitRefusals(registry, 2);
                assertThat(service.models().currentVersion()).isEqualTo("scene-1");
                ReleaseTestSupport.publishActive(config, "scene-2", second, ReleaseTestSupport.sha256(second));
                flow.awaitVersion("scene-2", Duration.ofSeconds(60));
                int after = flow.events.size();
                flow.awaitEvents(after + 20, Duration.ofSeconds(60));
            } finally {
                flow.close();
            }
        }
        assertThat(refusedBy(registry, InvalidModelException.Reason.LOAD_FAILED)).isEqualTo(1);
        assertThat(refusedBy(registry, InvalidModelException.Reason.SHAPE_MISMATCH)).isEqualTo(1);
        assertThat(flow.events).allSatisfy(e -> assertThat(e.getDetectorVersion()).isEqualTo(e.getModelVersion() + "-detector"));
        assertThat(flow.events).extracting(Classification::getModelVersion).containsOnly("scene-1", "scene-2");
        assertThat(flow.events.get(flow.events.size() - 1).getModelVersion()).isEqualTo("scene-2");
        assertThat((long) flow.events.size()).isEqualTo(flow.total());
    }

    /**
     * With two trusted keys, releases that are unsigned, signed by an unknown key, forged, or whose artifact was
     * swapped after signing are refused while the file's model keeps serving; the last, re-signed as it stands, then
     * serves, and one signed by the second key (a rotation) is swapped in.
     */
    @Test
    void onlyReleasesSignedByATrustedKeyServeAndTheSecondOfTwoTrustedKeysIsAccepted(@TempDir Path dir) throws Exception {
        Map<String, String> settings = ProcessorTestSupport.settings("signed", dir, 1);
        KeyPair oldKey = ReleaseSignatures.generateKeyPair();
        KeyPair newKey = ReleaseSignatures.generateKeyPair();
        KeyPair rogue = ReleaseSignatures.generateKeyPair();
        ReleaseSignatures.writeKeyPair(oldKey, dir.resolve("old"));
        ReleaseSignatures.writeKeyPair(newKey, dir.resolve("new"));
        settings.put(ProcessorConfig.TRUSTED_KEYS, dir.resolve("old").resolve(ReleaseSignatures.PUBLIC_KEY_FILE) + ","
                + dir.resolve("new").resolve(ReleaseSignatures.PUBLIC_KEY_FILE));
        ProcessorTestSupport.createTopics(settings);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(settings));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        var oldSigner = ReleaseSignatures.SigningKey.read(dir.resolve("old").resolve(ReleaseSignatures.PRIVATE_KEY_FILE));
        var newSigner = ReleaseSignatures.SigningKey.of(newKey);
        byte[] bundle = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "signed-ok", 6).toBytes();
        byte[] other = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "swapped", 7).toBytes();
        String sha = ReleaseTestSupport.sha256(bundle);
        Flow flow;
        try (StreamProcessorService service = new StreamProcessorService(config, registry)) {
            service.start();
            flow = new Flow(settings);
            try {
                flow.awaitEvents(20, Duration.ofSeconds(60));
                ReleaseTestSupport.publishActive(config, "unsigned", bundle, sha);
                awaitRefusals(registry, 1);
                ReleaseTestSupport.publishActive(config, "rogue", bundle, sha,
                        r -> ReleaseSignatures.sign(r, ReleaseSignatures.SigningKey.of(rogue)));
                awaitRefusals(registry, 2);
                ReleaseTestSupport.publishActive(config, "forged", bundle, sha, r -> {
                    ModelRelease signed = ReleaseSignatures.sign(r, oldSigner);
                    byte[] sig = signed.getSignature().getValue().array().clone();
                    sig[sig.length - 1] ^= 1;
                    return ModelRelease.newBuilder(signed).setSignature(ReleaseSignature.newBuilder(signed.getSignature())
                            .setValue(ByteBuffer.wrap(sig)).build()).build();
                });
                awaitRefusals(registry, 3);
                // the trainer signed "swapped" with bundle's SHA-256; someone then published other bytes and their SHA-256
                ModelRelease swapped = ReleaseTestSupport.publishActive(config, "swapped", other, ReleaseTestSupport.sha256(other), r -> {
                    ModelRelease asSigned = ReleaseSignatures.sign(ModelRelease.newBuilder(r).setSha256(sha)
                            .setArtifactBytes(bundle.length).build(), oldSigner);
                    return ModelRelease.newBuilder(r).setSignature(asSigned.getSignature()).build();
                });
                awaitRefusals(registry, 4);
                assertThat(service.models().currentVersion()).isEqualTo("v-signed");
                int before = flow.events.size();
                flow.awaitEvents(before + 10, Duration.ofSeconds(60));
                // an operator vouches for the bytes now there (release sign): the same active release, re-signed, serves
                new ReleaseLog(config).publish(ReleaseSignatures.sign(swapped, oldSigner));
                flow.awaitVersion("swapped", Duration.ofSeconds(60));
                ReleaseTestSupport.publishActive(config, "signed-ok", bundle, sha, r -> ReleaseSignatures.sign(r, newSigner));
                flow.awaitVersion("signed-ok", Duration.ofSeconds(60));
                int after = flow.events.size();
                flow.awaitEvents(after + 10, Duration.ofSeconds(60));
            } finally {
                flow.close();
            }
        }
        assertThat(refusedBy(registry, InvalidModelException.Reason.UNSIGNED)).isEqualTo(1);
        assertThat(refusedBy(registry, InvalidModelException.Reason.UNTRUSTED_SIGNATURE)).isEqualTo(1);
        assertThat(refusedBy(registry, InvalidModelException.Reason.BAD_SIGNATURE)).isEqualTo(2);
        assertThat(refused(registry)).isEqualTo(4);
        assertThat(flow.events).extracting(Classification::getModelVersion).containsOnly("v-signed", "swapped", "signed-ok");
        assertThat(flow.events).extracting(Classification::getModelVersion).contains("swapped");
        assertThat(flow.events.get(flow.events.size() - 1).getModelVersion()).isEqualTo("signed-ok");
        assertThat((long) flow.events.size()).isEqualTo(flow.total());
    }

    /**
     * Under exactly-once, on a real broker: a SHADOW release runs beside the active model (and one that fails
     * verification is refused, the active model serving on): N frames give exactly N events of the active version on
     * classifications and exactly N of the shadow's on classifications-shadow, read_committed, no duplicates. A CANARY
     * release at share 0.5 then serves the cameras its hash picks, the active model's verdict on them going to the
     * shadow topic; its RETIRED record gives those cameras back to the active model.
     */
    @Test
    void shadowAndCanaryReleasesServeBesideTheActiveModelExactlyOnceAndARetiredCanaryGivesItsCamerasBack(@TempDir Path dir)
            throws Exception {
        Map<String, String> settings = ProcessorTestSupport.settings("trial", dir, 2);
        ProcessorTestSupport.createTopics(settings);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(settings));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<String> cameras = new ArrayList<>();
        for (int i = 0; cameras.size() < 4; i++) { // two cameras the canary takes at share 0.5, two it leaves
            String cam = "cam-" + i;
            boolean picked = TrialModels.bucket(cam) < TrialModels.buckets(0.5);
            if (cameras.stream().filter(c -> (TrialModels.bucket(c) < TrialModels.buckets(0.5)) == picked).count() < 2) {
                cameras.add(cam);
            }
        }
        java.util.Set<String> canaryCameras = new java.util.HashSet<>(cameras.stream()
                .filter(c -> TrialModels.bucket(c) < TrialModels.buckets(0.5)).toList());
        ModelBundle shadow = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "trial-shadow", 21);
        ModelBundle canary = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "trial-canary", 22);
        int perPhase = 24;
        List<ConsumerRecord<String, Classification>> events = new ArrayList<>();
        List<ConsumerRecord<String, Classification>> shadowEvents = new ArrayList<>();
        try (StreamProcessorService service = new StreamProcessorService(config, registry);
             KafkaProducer<String, Frame> producer = ProcessorTestSupport.frameProducer(settings);
             var served = ProcessorTestSupport.classificationConsumer(settings);
             var shadowed = ProcessorTestSupport.classificationConsumer(settings)) {
            service.start();
            ReleaseTestSupport.publish(config, "trial-bad", shadow.toBytes(), "ab" + shadow.sha256().substring(2),
                    ReleaseStatus.SHADOW, r -> r);
            ReleaseTestSupport.publish(config, "trial-shadow", shadow.toBytes(), shadow.sha256(), ReleaseStatus.SHADOW,
                    r -> r);
            awaitRefusals(registry, 1);
            await(() -> service.trials().shadowVersions().contains("trial-shadow"));
            long[] seq = new long[cameras.size()];
            Runnable phase = () -> {
                for (int i = 0; i < perPhase; i++) {
                    int c = i % cameras.size();
                    producer.send(new ProducerRecord<>(settings.get("topic.frames"), cameras.get(c),
                            TestFrames.frame(cameras.get(c), seq[c]++)));
                }
                producer.flush();
            };
            phase.run();
            events.addAll(ProcessorTestSupport.poll(served, settings.get("topic.classifications"), perPhase,
                    Duration.ofSeconds(60)));
            shadowEvents.addAll(ProcessorTestSupport.poll(shadowed, settings.get("topic.classifications.shadow"), perPhase,
                    Duration.ofSeconds(60)));
            assertThat(events).as("phase 1: one event per frame").hasSize(perPhase)
                    .allSatisfy(r -> assertThat(r.value().getModelVersion()).isEqualTo("v-trial"));
            assertThat(shadowEvents).as("phase 1: one shadow event per frame").hasSize(perPhase)
                    .allSatisfy(r -> assertThat(r.value().getModelVersion()).isEqualTo("trial-shadow"));

            ModelRelease canaryRelease = ReleaseTestSupport.publish(config, "trial-canary", canary.toBytes(),
                    canary.sha256(), ReleaseStatus.CANARY, r -> ModelRelease.newBuilder(r).setCanaryShare(0.5).build());
            await(() -> "trial-canary".equals(service.trials().canaryVersion()));
            phase.run();
            List<ConsumerRecord<String, Classification>> canaryPhase = ProcessorTestSupport.poll(served,
                    settings.get("topic.classifications"), perPhase, Duration.ofSeconds(60));
            List<ConsumerRecord<String, Classification>> canaryShadow = ProcessorTestSupport.poll(shadowed,
                    settings.get("topic.classifications.shadow"), perPhase + perPhase / 2, Duration.ofSeconds(60));
            assertThat(canaryPhase).hasSize(perPhase).allSatisfy(r -> assertThat(r.value().getModelVersion())
                    .isEqualTo(canaryCameras.contains(r.key()) ? "trial-canary" : "v-trial"));
            assertThat(canaryShadow).filteredOn(r -> r.value().getModelVersion().equals("v-trial"))
                    .as("the active model's verdict on the canary's frames").hasSize(perPhase / 2)
                    .allSatisfy(r -> assertThat(canaryCameras).contains(r.key()));
            assertThat(canaryShadow).filteredOn(r -> r.value().getModelVersion().equals("trial-shadow")).hasSize(perPhase);
            events.addAll(canaryPhase);
            shadowEvents.addAll(canaryShadow);

            new ReleaseLog(config).publish(ReleaseLog.withStatus(canaryRelease, ReleaseStatus.RETIRED, "rolled back"));
            await(() -> service.trials().canaryVersion() == null);
            phase.run();
            List<ConsumerRecord<String, Classification>> after = ProcessorTestSupport.poll(served,
                    settings.get("topic.classifications"), perPhase, Duration.ofSeconds(60));
            assertThat(after).as("the retired canary's cameras are the active model's again").hasSize(perPhase)
                    .allSatisfy(r -> assertThat(r.value().getModelVersion()).isEqualTo("v-trial"));
            events.addAll(after);
            shadowEvents.addAll(ProcessorTestSupport.poll(shadowed, settings.get("topic.classifications.shadow"), perPhase,
                    Duration.ofSeconds(60)));
            // nothing more comes: exactly once, on both topics
            events.addAll(ProcessorTestSupport.poll(served, settings.get("topic.classifications"), 1, Duration.ofSeconds(2)));
            shadowEvents.addAll(ProcessorTestSupport.poll(shadowed, settings.get("topic.classifications.shadow"), 1,
                    Duration.ofSeconds(1)));
            assertThat(service.models().currentVersion()).isEqualTo("v-trial");
        }
        assertThat(events).hasSize(3 * perPhase).extracting(r -> r.value().getCameraId() + "/" + r.value().getFrameSequence())
                .doesNotHaveDuplicates();
        assertThat(shadowEvents).hasSize(3 * perPhase + perPhase / 2)
                .extracting(r -> r.value().getModelVersion() + ":" + r.value().getCameraId() + "/" + r.value().getFrameSequence())
                .doesNotHaveDuplicates();
        assertThat(shadowEvents).filteredOn(r -> r.value().getModelVersion().equals("trial-shadow"))
                .extracting(r -> r.value().getCameraId() + "/" + r.value().getFrameSequence())
                .as("the shadow saw every frame").containsExactlyInAnyOrderElementsOf(events.stream()
                        .map(r -> r.value().getCameraId() + "/" + r.value().getFrameSequence()).toList());
        assertThat(refusedBy(registry, InvalidModelException.Reason.CHECKSUM_MISMATCH)).isEqualTo(1);
        assertThat(registry.find("maskstream.processor.shadow.skipped").counters()).isEmpty();
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as("within 60 s").isTrue();
    }

    private static void awaitRefusals(SimpleMeterRegistry registry, double n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (refused(registry) < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static double refused(SimpleMeterRegistry registry) {
        return registry.find("maskstream.processor.model.refused").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static double refusedBy(SimpleMeterRegistry registry, InvalidModelException.Reason reason) {
        return registry.get("maskstream.processor.model.refused").tag("reason", reason.name()).counter().count();
    }
}
