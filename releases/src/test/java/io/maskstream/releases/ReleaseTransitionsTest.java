package io.maskstream.releases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReleaseTransitionsTest {

    static ModelRelease release(String version, ReleaseStatus status) {
        Instant t = Instant.ofEpochMilli(1_000_000);
        return ModelRelease.newBuilder().setVersion(version).setArchitecture("fastnet-multihead").setInputWidth(128)
                .setInputHeight(128).setStatus(status).setCreatedTime(t).setStatusTime(t).setSha256("0".repeat(64))
                .setArtifactUri("kafka://model-artifacts/" + version).setArtifactBytes(1).setTrainingData("test")
                .setMetrics(null).setNotes(null).setCanaryShare(status == ReleaseStatus.CANARY ? 0.2 : null).build();
    }

    static Map<String, ModelRelease> all(ModelRelease... rs) {
        Map<String, ModelRelease> m = new LinkedHashMap<>();
        for (ModelRelease r : rs) {
            m.put(r.getVersion(), r);
        }
        return m;
    }

    @Test
    void activatingRetiresTheActiveReleaseFirstAndIsANoOpForTheActiveOne() {
        Map<String, ModelRelease> all = all(release("v1", ReleaseStatus.ACTIVE), release("s1", ReleaseStatus.SHADOW));
        List<ModelRelease> records = ReleaseTransitions.activate(all, "s1", "shadow period won");
        assertThat(records).extracting(ModelRelease::getVersion, ModelRelease::getStatus).containsExactly(
                org.assertj.core.groups.Tuple.tuple("v1", ReleaseStatus.RETIRED),
                org.assertj.core.groups.Tuple.tuple("s1", ReleaseStatus.ACTIVE));
        assertThat(records.get(0).getNotes()).isEqualTo("replaced by s1 (shadow period won)");
        assertThat(records.get(1).getNotes()).isEqualTo("shadow period won");
        assertThat(ReleaseTransitions.activate(all(records.toArray(ModelRelease[]::new)), "s1", "again")).isEmpty();
        assertThat(ReleaseTransitions.activate(all(release("c1", ReleaseStatus.CANDIDATE)), "c1", "first"))
                .extracting(ModelRelease::getStatus).containsExactly(ReleaseStatus.ACTIVE);
    }

    @Test
    void retiringATrialHappensOnlyWhileTheReleaseIsShadowOrCanary() {
        Map<String, ModelRelease> all = all(release("v1", ReleaseStatus.ACTIVE), release("c1", ReleaseStatus.CANARY));
        assertThat(ReleaseTransitions.retireTrial(all, "c1", "agreement 0.4")).singleElement()
                .satisfies(r -> assertThat(r.getStatus()).isEqualTo(ReleaseStatus.RETIRED))
                .satisfies(r -> assertThat(r.getNotes()).isEqualTo("agreement 0.4"));
        assertThat(ReleaseTransitions.retireTrial(all(release("c1", ReleaseStatus.RETIRED)), "c1", "again")).isEmpty();
        assertThat(ReleaseTransitions.retireTrial(all, "v1", "not a trial")).isEmpty();
        assertThatThrownBy(() -> ReleaseTransitions.retireTrial(all, "nope", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No release nope");
    }

    @Test
    void aTrialIsAShadowOrACanaryWithAShareInZeroToOneAndNeverTheActiveRelease() {
        Map<String, ModelRelease> all = all(release("v1", ReleaseStatus.ACTIVE), release("c1", ReleaseStatus.CANDIDATE),
                release("k1", ReleaseStatus.CANARY));
        ModelRelease canary = ReleaseTransitions.trial(all, "c1", ReleaseStatus.CANARY, 0.1, "by operator");
        assertThat(canary.getStatus()).isEqualTo(ReleaseStatus.CANARY);
        assertThat(canary.getCanaryShare()).isEqualTo(0.1);
        ModelRelease shadow = ReleaseTransitions.trial(all, "k1", ReleaseStatus.SHADOW, 0.5, "by operator");
        assertThat(shadow.getStatus()).isEqualTo(ReleaseStatus.SHADOW);
        assertThat(shadow.getCanaryShare()).as("a shadow serves no camera").isNull();
        assertThatThrownBy(() -> ReleaseTransitions.trial(all, "v1", ReleaseStatus.SHADOW, null, "x"))
                .hasMessageContaining("is ACTIVE");
        assertThatThrownBy(() -> ReleaseTransitions.trial(all, "c1", ReleaseStatus.CANARY, 0.0, "x"))
                .hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> ReleaseTransitions.trial(all, "c1", ReleaseStatus.CANARY, 1.5, "x"))
                .hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> ReleaseTransitions.trial(all, "c1", ReleaseStatus.RETIRED, null, "x"))
                .hasMessageContaining("SHADOW or CANARY");
    }
}
