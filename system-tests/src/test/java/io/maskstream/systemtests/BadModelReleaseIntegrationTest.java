package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.model.BadBundles;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.processor.ProcessorConfig;
import io.maskstream.processor.StreamProcessorService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 5: bad model releases reach a running processor while frames flow, the way the trainer publishes
 * releases (artifact chunks on the artifacts topic, then an ACTIVE release record): a checksum mismatch, a truncated
 * artifact, wrong tensor shapes, NaN weights and an unknown architecture. Each is refused for its own reason, events
 * keep coming with the previous version, nothing is lost or duplicated; and a good release published after them is
 * still swapped in, so the refusals left the release follower healthy.
 */
class BadModelReleaseIntegrationTest {

    @Test
    void badReleasesAreRefusedEachForItsReasonWhileEventsKeepComingWithThePreviousVersion(@TempDir Path dir)
            throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        Map<String, String> settings = Pipelines.settings(stack.bootstrapServers(), stack.registryUrl(), "s5-models", dir, 1);
        Pipelines.createTopics(settings);
        ProcessorConfig config = Pipelines.processorConfig(settings);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();

        ModelBundle good = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "bad-checksum", 5);
        Map<String, byte[]> bad = new LinkedHashMap<>();
        Map<String, InvalidModelException.Reason> reasons = new LinkedHashMap<>();
        reasons.put("bad-checksum", InvalidModelException.Reason.CHECKSUM_MISMATCH);
        bad.put("bad-truncated", BadBundles.truncated("bad-truncated"));
        reasons.put("bad-truncated", InvalidModelException.Reason.TRUNCATED);
        bad.put("bad-shapes", BadBundles.wrongShapes("bad-shapes"));
        reasons.put("bad-shapes", InvalidModelException.Reason.SHAPE_MISMATCH);
        bad.put("bad-nan", BadBundles.nanWeights("bad-nan"));
        reasons.put("bad-nan", InvalidModelException.Reason.NON_FINITE_WEIGHTS);
        bad.put("bad-arch", BadBundles.unknownArchitecture("bad-arch"));
        reasons.put("bad-arch", InvalidModelException.Reason.UNKNOWN_ARCHITECTURE);
        ModelBundle next = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-next", 99);

        Set<String> sent;
        int eventsWhileRefusing;
        String versionAfterRefusals;
        try (EventLedger ledger = new EventLedger(stack.bootstrapServers(), stack.registryUrl(),
                Pipelines.classifications(settings), Pipelines.framesDlq(settings));
             StreamProcessorService processor = new StreamProcessorService(config, metrics)) {
            processor.start();
            FrameStream stream = new FrameStream(stack.bootstrapServers(), stack.registryUrl(), Pipelines.frames(settings),
                    List.of("cam-1", "cam-2"), Pipelines.faces(40, 96, 128, 5), 40);
            try {
                assertThat(ledger.awaitFrames(40, Duration.ofSeconds(60))).isTrue();
                int beforeBad = ledger.eventCount();
                // checksum mismatch: the release names another SHA-256 than its artifact has
                Pipelines.publishActive(config, "bad-checksum", good.toBytes(), "ab" + good.sha256().substring(2));
                awaitRefusals(metrics, 1);
                // one at a time: a release superseded before its load begins is not loaded at all (the newest wins)
                for (var e : bad.entrySet()) {
                    double before = refused(metrics, null);
                    Pipelines.publishActive(config, e.getKey(), e.getValue(), Pipelines.sha256(e.getValue()));
                    awaitRefusals(metrics, before + 1);
                }
                int atRefusals = ledger.eventCount();
                assertThat(ledger.awaitFrames(atRefusals + 40, Duration.ofSeconds(60))).as("events keep coming").isTrue();
                eventsWhileRefusing = ledger.eventCount() - beforeBad;
                versionAfterRefusals = processor.models().currentVersion();

                Pipelines.publishActive(config, "v-next", next.toBytes(), next.sha256());
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (ledger.events().stream().noneMatch(c -> c.getModelVersion().equals("v-next"))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                int atSwap = ledger.eventCount();
                ledger.awaitFrames(atSwap + 40, Duration.ofSeconds(60));
            } finally {
                stream.close();
            }
            sent = stream.sent();
            ledger.settle(sent.size(), Duration.ofSeconds(90), Duration.ofSeconds(2));

            Set<String> lost = ledger.lost(sent);
            Set<String> duplicated = ledger.duplicated();
            List<String> refusals = new ArrayList<>();
            reasons.forEach((version, reason) -> refusals.add(reason.name() + "=" + (long) refused(metrics, reason)));
            FaultTable.record(new FaultTable.Row("5", "5 bad model releases while frames flow (then a good one)",
                    sent.size(), ledger.eventCount(), ledger.deadLetterCount(), lost.size(), duplicated.size(),
                    "refused: " + String.join(", ", refusals) + "; " + eventsWhileRefusing + " events from the first bad release "
                            + "to 40 after the last refusal, all on v-s5-models; a good release published next was swapped in"));

            reasons.forEach((version, reason) -> assertThat(refused(metrics, reason)).as("%s refused as %s", version, reason)
                    .isEqualTo(1));
            assertThat(versionAfterRefusals).isEqualTo("v-s5-models");
            assertThat(lost).as("frames with no event").isEmpty();
            assertThat(duplicated).as("frames with more than one event").isEmpty();
            assertThat(ledger.deadLetterCount()).isZero();
            assertThat(ledger.events()).extracting(Classification::getModelVersion)
                    .as("no event ever carries a refused version").containsOnly("v-s5-models", "v-next");
            // per camera, in frame order: the old version, then the good new one, never back
            Map<String, List<String>> versions = new LinkedHashMap<>();
            ledger.events().stream().sorted(Comparator.comparing(Classification::getFrameSequence))
                    .forEach(c -> versions.computeIfAbsent(c.getCameraId(), k -> new ArrayList<>()).add(c.getModelVersion()));
            versions.forEach((camera, list) -> {
                int first = list.indexOf("v-next");
                assertThat(first).as("camera %s reached the good release", camera).isPositive();
                assertThat(list.subList(0, first)).containsOnly("v-s5-models");
                assertThat(list.subList(first, list.size())).containsOnly("v-next");
            });
        }
    }

    private static void awaitRefusals(SimpleMeterRegistry metrics, double n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (refused(metrics, null) < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static double refused(SimpleMeterRegistry metrics, InvalidModelException.Reason reason) {
        var search = metrics.find("maskstream.processor.model.refused");
        if (reason != null) {
            search = search.tag("reason", reason.name());
        }
        return search.counters().stream().mapToDouble(Counter::count).sum();
    }
}
