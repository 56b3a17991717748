package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.embedded.SharedTestStack;
import io.maskstream.evaluation.TopicRange;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.releases.ArtifactStore;
import io.maskstream.releases.ReleaseLog;
import io.maskstream.releases.ReleaseSignatures;
import io.maskstream.trainer.cli.ReleaseCommand;
import picocli.CommandLine;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.synthetic.SyntheticPerson;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.TopicAdmin;
import io.maskstream.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training from a recorded topic range, publishing releases, the promotion gate, rollback and auto-retraining. */
class TrainerReleasesIntegrationTest {

    static void publishLabeled(TrainerConfig config, int firstPerson, int persons) {
        var topic = new Topics(config).labeledFrames();
        SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(17));
        try (var producer = new KafkaProducer<>(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (int i = firstPerson; i < firstPerson + persons; i++) {
                SyntheticPerson p = faces.person(i);
                for (int photo = 0; photo < 7; photo++) {
                    MaskState state = photo < 5 ? MaskState.WORN : photo == 5 ? MaskState.INCORRECT : MaskState.NONE;
                    LabeledFrame f = faces.labeledFrame("labeled-cam", i * 7L + photo, p, state, photo);
                    producer.send(new ProducerRecord<>(topic.name(), p.id(), f));
                }
            }
            producer.flush();
        }
    }

    /**
     * {@code train --ensemble 2}: the members are trained, packed into one bundle and published as one candidate whose
     * release names them; the gate loads and scores the ensemble as served; an operator can promote it like any version.
     */
    @Test
    void anEnsembleIsPublishedAsOneReleaseNamingItsMembersAndGatedAsServed(@TempDir Path dir) throws Exception {
        var stack = SharedTestStack.get();
        String id = UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.registryUrl(), "topic.labeled.frames", "te-" + id + "-labeled",
                "topic.model.releases", "te-" + id + "-releases", "topic.model.artifacts", "te-" + id + "-artifacts",
                "topic.partitions", "1", TrainerConfig.EPOCHS, "1", TrainerConfig.OUTPUT_DIR, dir.toString()));
        settings.put(TrainerConfig.ENSEMBLE_MEMBERS, "2");
        TrainerConfig config = new TrainerConfig(ConfigSource.of(settings));
        TopicAdmin.ensure(config);
        publishLabeled(config, 0, 40);
        Releases releases = new Releases(config);
        releases.publishCandidate(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "single-1", 1), null, "none");
        releases.promote("single-1");
        TrainingJob job = new TrainingJob(config);
        var loaded = job.loadTopic(TopicRange.all(config.getString("topic.labeled.frames")));

        TrainingJob.Outcome outcome = job.run(loaded.getKey(), loaded.getValue(), true, true);

        EnsembleTraining.Result e = outcome.ensemble();
        ModelRelease release = new ReleaseLog(config).readAll(Duration.ofSeconds(30)).get(outcome.release().getVersion());
        assertThat(release.getArchitecture()).isEqualTo("ensemble");
        assertThat(release.getEnsemble().getVote()).isEqualTo("soft");
        assertThat(release.getEnsemble().getMembers()).extracting(m -> m.getVersion())
                .containsExactlyElementsOf(e.members().stream().map(EnsembleTraining.Member::version).toList());
        assertThat(release.getEnsemble().getMembers()).extracting(m -> m.getSha256())
                .containsExactlyElementsOf(e.members().stream().map(m -> m.result().bundle().sha256()).toList());
        assertThat(e.members()).extracting(EnsembleTraining.Member::seed).containsExactly(42L, 43L);
        ModelBundle artifact = ModelBundle.read(new ArtifactStore(config).fetch(release, Duration.ofSeconds(30)));
        assertThat(artifact.sha256()).isEqualTo(release.getSha256());
        assertThat(artifact.members()).hasSize(2);
        // the gate scored the ensemble, loaded as served, on the gate set: the figure the training table printed
        assertThat(outcome.verdict().candidateF1()).isEqualTo(e.gate().macroF1());
        assertThat(Releases.describeModel(release)).isEqualTo("ensemble (soft vote of " + e.members().get(0).version()
                + " fastnet, " + e.members().get(1).version() + " fastnet)");
        assertThat(releases.promote(release.getVersion()).getStatus()).isEqualTo(ReleaseStatus.ACTIVE);
    }

    @Test
    void trainFromATopicRangePublishGateRollBackAndRetrainAutomatically(@TempDir Path dir) throws Exception {
        var stack = SharedTestStack.get();
        String id = UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.registryUrl(), "topic.labeled.frames", "tr-" + id + "-labeled",
                "topic.model.releases", "tr-" + id + "-releases", "topic.model.artifacts", "tr-" + id + "-artifacts",
                "topic.partitions", "2", TrainerConfig.EPOCHS, "6", TrainerConfig.OUTPUT_DIR, dir.toString()));
        settings.put(TrainerConfig.GROUP_ID, "tr-" + id);
        settings.put(TrainerConfig.ARTIFACTS_KEEP, "2");
        ReleaseSignatures.writeKeyPair(ReleaseSignatures.generateKeyPair(), dir.resolve("trainer-key"));
        Path trainerPub = dir.resolve("trainer-key").resolve(ReleaseSignatures.PUBLIC_KEY_FILE);
        settings.put(TrainerConfig.SIGNING_KEY, dir.resolve("trainer-key").resolve(ReleaseSignatures.PRIVATE_KEY_FILE).toString());
        var trainerKeys = ReleaseSignatures.TrustedKeys.read(List.of(trainerPub));
        TrainerConfig config = new TrainerConfig(ConfigSource.of(settings));
        TopicAdmin.ensure(config);
        publishLabeled(config, 0, 90);
        Releases releases = new Releases(config);

        // an untrained model is active to begin with
        ModelBundle untrained = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "untrained-1", 1);
        releases.publishCandidate(untrained, null, "none");
        releases.promote("untrained-1");

        // train on the recorded range: the gate evaluates both on the gate set and promotes the clearly better one
        TrainingJob job = new TrainingJob(config);
        var loaded = job.loadTopic(TopicRange.all(config.getString("topic.labeled.frames")));
        assertThat(loaded.getKey()).hasSize(90 * 7);
        assertThat(loaded.getValue()).contains("tr-" + id + "-labeled [0:0-", ", 1:0-");
        TrainingJob.Outcome trained = job.run(loaded.getKey(), loaded.getValue(), true, true);
        String version = trained.release().getVersion();
        assertThat(trained.verdict().promoted()).as("%s", trained.verdict()).isTrue();
        assertThat(trained.verdict().activeF1()).isLessThan(trained.verdict().candidateF1());
        Set<String> gatePersons = trained.gate().gate().stream().map(io.maskstream.trainer.Sample::personId)
                .collect(java.util.stream.Collectors.toSet());
        assertThat(gatePersons).as("gate persons").hasSizeGreaterThanOrEqualTo(10);
        assertThat(trained.split().train()).as("no gate person trained on")
                .noneMatch(s -> gatePersons.contains(s.personId()));
        assertThat(trained.split().holdout()).as("no gate person early-stopped on")
                .noneMatch(s -> gatePersons.contains(s.personId()));

        Map<String, ModelRelease> all = new ReleaseLog(config).readAll(Duration.ofSeconds(30));
        assertThat(all.get(version).getStatus()).isEqualTo(ReleaseStatus.ACTIVE);
        assertThat(all.get("untrained-1").getStatus()).isEqualTo(ReleaseStatus.RETIRED);
        assertThat(all.get(version).getMetrics().getMacroF1()).isEqualTo(trained.result().holdout().getMacroF1());
        assertThat(all.get(version).getTrainingData()).startsWith("tr-" + id + "-labeled");
        // the drift reference: the model's own answers on its holdout, the same answers its holdout metrics counted
        var profile = all.get(version).getTrainingProfile();
        assertThat(profile).as("training profile").isNotNull();
        assertThat(profile.getSamples()).isEqualTo(trained.split().holdout().size());
        assertThat(profile.getConfidenceCounts().stream().mapToInt(Integer::intValue).sum()).isEqualTo(profile.getSamples());
        var confusion = all.get(version).getMetrics().getConfusion();
        for (int predicted = 0; predicted < 18; predicted++) {
            int column = 0;
            for (var row : confusion) {
                column += row.get(predicted);
            }
            assertThat(profile.getClassCounts().get(predicted)).as("answers of class %d", predicted).isEqualTo(column);
        }
        // the trainer signed what it published; promotion and retirement changed the status, not the signature
        assertThat(trainerKeys.verify(all.get(version), true)).isEqualTo(trainerKeys.keyIds().iterator().next());
        assertThat(trainerKeys.verify(all.get("untrained-1"), true)).isNotNull();
        byte[] artifact = new ArtifactStore(config).fetch(all.get(version), Duration.ofSeconds(30));
        assertThat(ModelBundle.read(artifact).metadata().version()).isEqualTo(version);

        // a worse model stays a candidate
        ModelBundle worse = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "untrained-2", 2);
        ModelRelease worseRelease = releases.publishCandidate(worse, null, "none");
        Releases.Verdict verdict = releases.gate(worseRelease, worse, trained.gate().gate());
        assertThat(verdict.promoted()).isFalse();
        assertThat(new ReleaseLog(config).readAll(Duration.ofSeconds(30)).get("untrained-2").getStatus())
                .isEqualTo(ReleaseStatus.CANDIDATE);

        // an operator re-signs a release with another key (release keygen, release sign): only that key verifies it now
        CommandLine cli = new CommandLine(new ReleaseCommand());
        assertThat(cli.execute("keygen", "--out", dir.resolve("operator-key").toString())).isZero();
        Path operatorPub = dir.resolve("operator-key").resolve(ReleaseSignatures.PUBLIC_KEY_FILE);
        List<String> sets = settings.entrySet().stream().flatMap(e -> java.util.stream.Stream.of("--set",
                e.getKey() + "=" + e.getValue())).toList();
        List<String> sign = new java.util.ArrayList<>(List.of("sign", "untrained-2", "--key",
                dir.resolve("operator-key").resolve(ReleaseSignatures.PRIVATE_KEY_FILE).toString()));
        sign.addAll(sets);
        assertThat(cli.execute(sign.toArray(String[]::new))).isZero();
        ModelRelease resigned = new ReleaseLog(config).readAll(Duration.ofSeconds(30)).get("untrained-2");
        assertThat(resigned.getStatus()).isEqualTo(ReleaseStatus.CANDIDATE);
        assertThat(ReleaseSignatures.TrustedKeys.read(List.of(operatorPub)).verify(resigned, true)).isNotNull();
        assertThatThrownBy(() -> trainerKeys.verify(resigned, true)).isInstanceOfSatisfying(
                io.maskstream.model.InvalidModelException.class, e -> assertThat(e.reason())
                        .isEqualTo(io.maskstream.model.InvalidModelException.Reason.UNTRUSTED_SIGNATURE));
        List<String> verifyBoth = new java.util.ArrayList<>(List.of("verify", "--trusted-key", trainerPub.toString(),
                "--trusted-key", operatorPub.toString()));
        verifyBoth.addAll(sets);
        assertThat(cli.execute(verifyBoth.toArray(String[]::new))).as("every release verifies with both keys").isZero();
        List<String> verifyTrainer = new java.util.ArrayList<>(List.of("verify", "--trusted-key", trainerPub.toString()));
        verifyTrainer.addAll(sets);
        assertThat(cli.execute(verifyTrainer.toArray(String[]::new))).as("untrained-2 is not the trainer's now").isEqualTo(1);
        verifyTrainer.add(1, version);
        assertThat(cli.execute(verifyTrainer.toArray(String[]::new))).as("one release, the trainer's").isZero();

        // rollback re-activates the previous model
        assertThat(releases.rollback(null).getVersion()).isEqualTo("untrained-1");
        all = new ReleaseLog(config).readAll(Duration.ofSeconds(30));
        assertThat(ReleaseLog.active(all.values())).map(ModelRelease::getVersion).contains("untrained-1");
        assertThat(all.get(version).getStatus()).isEqualTo(ReleaseStatus.RETIRED);

        // automatic retraining after N new labeled frames
        Map<String, String> auto = new HashMap<>(settings);
        auto.put(TrainerConfig.RETRAIN_EVERY, "100");
        auto.put(TrainerConfig.MAX_FRAMES, "300");
        auto.put(TrainerConfig.EPOCHS, "1");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TrainerService service = new TrainerService(new TrainerConfig(ConfigSource.of(auto)), registry)) {
            service.start();
            // the 630 frames already there count as new for a fresh group: one training starts
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (registry.get("maskstream.trainer.trainings").counter().count() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertThat(registry.get("maskstream.trainer.trainings").counter().count()).isEqualTo(1.0);
        }
        all = new ReleaseLog(config).readAll(Duration.ofSeconds(30));
        assertThat(all).hasSize(4);

        // artifacts beyond the active one and the newest 2 others are tombstoned; such a release cannot come back
        List<ModelRelease> deleted = all.values().stream().filter(r -> r.getArtifactDeletedTime() != null).toList();
        assertThat(deleted).as("pruned: the oldest of 3 inactive releases").hasSize(1);
        ModelRelease gone = deleted.get(0);
        assertThat(gone.getStatus()).isNotEqualTo(ReleaseStatus.ACTIVE);
        assertThatThrownBy(() -> new ArtifactStore(config).fetch(gone, Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(io.maskstream.model.InvalidModelException.class, e -> assertThat(e.reason())
                        .isEqualTo(io.maskstream.model.InvalidModelException.Reason.TRUNCATED));
        assertThatThrownBy(() -> releases.promote(gone.getVersion())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("artifact was deleted");
    }

    @Test
    void releaseShadowAndCanaryPutReleasesOnTrialThroughTheCliNeverTheActiveOneAndPruningKeepsTheirArtifacts(@TempDir Path dir)
            throws Exception {
        var stack = SharedTestStack.get();
        String id = UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.registryUrl(), "topic.model.releases", "trial-" + id + "-releases",
                "topic.model.artifacts", "trial-" + id + "-artifacts", "topic.partitions", "1",
                TrainerConfig.ARTIFACTS_KEEP, "1", TrainerConfig.OUTPUT_DIR, dir.toString()));
        TrainerConfig config = new TrainerConfig(ConfigSource.of(settings));
        TopicAdmin.ensure(config);
        Releases releases = new Releases(config);
        releases.publishCandidate(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "u-1", 1), null, "none");
        releases.promote("u-1");
        for (int i = 2; i <= 4; i++) {
            releases.publishCandidate(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "u-" + i, i), null, "none");
        }
        CommandLine cli = new CommandLine(new ReleaseCommand());
        List<String> sets = settings.entrySet().stream().flatMap(e -> java.util.stream.Stream.of("--set",
                e.getKey() + "=" + e.getValue())).toList();
        java.util.function.Function<List<String>, Integer> run = args -> {
            List<String> all = new java.util.ArrayList<>(args);
            all.addAll(sets);
            return cli.execute(all.toArray(String[]::new));
        };

        assertThat(run.apply(List.of("shadow", "u-2"))).isZero();
        assertThat(run.apply(List.of("canary", "u-3", "--share", "0.1"))).isZero();
        assertThat(run.apply(List.of("canary", "u-1", "--share", "0.1"))).as("the active release").isNotZero();
        assertThat(run.apply(List.of("canary", "u-4", "--share", "2"))).as("a share above 1").isNotZero();
        Map<String, ModelRelease> all = new ReleaseLog(config).readAll(Duration.ofSeconds(30));
        assertThat(all.get("u-1").getStatus()).isEqualTo(ReleaseStatus.ACTIVE);
        assertThat(all.get("u-2").getStatus()).isEqualTo(ReleaseStatus.SHADOW);
        assertThat(all.get("u-3").getStatus()).isEqualTo(ReleaseStatus.CANARY);
        assertThat(all.get("u-3").getCanaryShare()).isEqualTo(0.1);
        assertThat(all.get("u-4").getStatus()).isEqualTo(ReleaseStatus.CANDIDATE);

        // u-4 is the only release processors do not run: it is the one kept besides them (trainer.artifacts.keep=1)
        assertThat(releases.pruneArtifacts()).isEmpty();
        releases.publishCandidate(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "u-5", 5), null, "none");
        assertThat(releases.pruneArtifacts()).containsExactly("u-4");
    }

    /**
     * An operator puts releases on trial: SHADOW, CANARY at a share (one canary at a time: a new one sends the old back
     * to CANDIDATE), RETIRED to end a trial; the active release cannot go on trial, a share must be in (0, 1], and
     * pruning never deletes the artifact of a release on trial.
     */
    @Test
    void releasesGoOnTrialAsShadowOrCanaryOneCanaryAtATimeAndRetireAndKeepTheirArtifacts(@TempDir Path dir) throws Exception {
        var stack = SharedTestStack.get();
        String id = UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.registryUrl(), "topic.model.releases", "trial-" + id + "-releases",
                "topic.model.artifacts", "trial-" + id + "-artifacts", TrainerConfig.OUTPUT_DIR, dir.toString(),
                TrainerConfig.ARTIFACTS_KEEP, "1"));
        TrainerConfig config = new TrainerConfig(ConfigSource.of(settings));
        TopicAdmin.ensure(config);
        Releases releases = new Releases(config);
        for (int i = 1; i <= 5; i++) {
            releases.publishCandidate(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "t-" + i, i), null, "none");
        }
        releases.trial("t-2", ReleaseStatus.SHADOW, null);
        releases.trial("t-3", ReleaseStatus.CANARY, 0.2);
        releases.promote("t-1"); // prunes, keeping the newest other artifact (t-5): but those on trial serve
        Map<String, ModelRelease> all = new ReleaseLog(config).readAll(Duration.ofSeconds(30));
        assertThat(ReleaseLog.trials(all.values())).extracting(ModelRelease::getVersion).containsExactly("t-2", "t-3");
        assertThat(all.get("t-3").getCanaryShare()).isEqualTo(0.2);
        assertThat(all.values()).filteredOn(r -> r.getArtifactDeletedTime() != null).extracting(ModelRelease::getVersion)
                .as("only the old candidate is pruned").containsExactly("t-4");

        releases.trial("t-2", ReleaseStatus.CANARY, 0.3);
        all = new ReleaseLog(config).readAll(Duration.ofSeconds(30));
        assertThat(all.get("t-2").getStatus()).isEqualTo(ReleaseStatus.CANARY);
        assertThat(all.get("t-2").getCanaryShare()).isEqualTo(0.3);
        assertThat(all.get("t-3").getStatus()).as("one canary at a time").isEqualTo(ReleaseStatus.CANDIDATE);
        assertThat(all.get("t-3").getCanaryShare()).isNull();

        releases.retire("t-2");
        all = new ReleaseLog(config).readAll(Duration.ofSeconds(30));
        assertThat(all.get("t-2").getStatus()).isEqualTo(ReleaseStatus.RETIRED);
        assertThat(ReleaseLog.trials(all.values())).isEmpty();
        assertThatThrownBy(() -> releases.trial("t-1", ReleaseStatus.SHADOW, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ACTIVE");
        assertThatThrownBy(() -> releases.trial("t-3", ReleaseStatus.CANARY, 0.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> releases.retire("t-1")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not on trial");
    }

    /** {@code train --topic T --search N}: the kept trial is published and gated like a plain train's model. */
    @Test
    void aSearchFromATopicPublishesAndGatesItsTopRow(@TempDir Path dir) throws Exception {
        var stack = SharedTestStack.get();
        String id = UUID.randomUUID().toString().substring(0, 6);
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.registryUrl(), "topic.labeled.frames", "ts-" + id + "-labeled",
                "topic.model.releases", "ts-" + id + "-releases", "topic.model.artifacts", "ts-" + id + "-artifacts",
                "topic.partitions", "1", TrainerConfig.OUTPUT_DIR, dir.toString())));
        TopicAdmin.ensure(config);
        publishLabeled(config, 0, 40);
        var loaded = new TrainingJob(config).loadTopic(TopicRange.all(config.getString("topic.labeled.frames")));

        RecipeSearch.Outcome outcome = new RecipeSearch(config).run(loaded.getKey(), loaded.getValue(), 2, 3, 1, true, true);

        ModelBundle kept = ModelBundle.read(outcome.kept().bundleFile());
        ModelRelease release = outcome.kept().release();
        assertThat(release.getVersion()).isEqualTo(kept.metadata().version());
        assertThat(release.getSha256()).isEqualTo(java.util.HexFormat.of().formatHex(java.security.MessageDigest
                .getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(outcome.kept().bundleFile()))));
        assertThat(release.getInputWidth()).isEqualTo(kept.metadata().input().width());
        assertThat(release.getMetrics().getMacroF1()).isEqualTo(outcome.best().holdout().getMacroF1());
        assertThat(outcome.kept().verdict()).as("the promotion gate ran").isNotNull();
        assertThat(new ReleaseLog(config).readAll(Duration.ofSeconds(30))).containsKey(release.getVersion());
    }
}
