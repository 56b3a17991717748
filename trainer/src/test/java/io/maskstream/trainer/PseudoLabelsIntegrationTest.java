package io.maskstream.trainer;

import static io.maskstream.trainer.StreamEvents.classification;
import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.datasets.DatasetLayout;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import io.maskstream.events.MaskState;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.TopicAdmin;
import io.maskstream.schemas.Topics;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.synthetic.SyntheticPerson;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pseudo-labels read from a real broker and registry: frames on a frames topic, their events on a classifications
 * topic, a dead letter, frames outside the range; some frames are in fact photos of holdout and gate persons.
 */
class PseudoLabelsIntegrationTest {

    private static final int PERSONS = 40;
    private static final long SEED = 17;

    @Test
    void pseudoLabelsJoinOnlyTheTrainingSideAndNeverAPhotoOfAHoldoutOrGatePerson(@TempDir Path dir) throws Exception {
        var stack = SharedTestStack.get();
        String id = UUID.randomUUID().toString().substring(0, 6);
        long base = System.currentTimeMillis() - 60_000;
        Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.registryUrl(), "topic.frames", "ps-" + id + "-frames",
                "topic.classifications", "ps-" + id + "-classifications", "topic.partitions", "2",
                TrainerConfig.EPOCHS, "1", TrainerConfig.OUTPUT_DIR, dir.toString(),
                TrainerConfig.PSEUDO_ENABLED, "true", TrainerConfig.PSEUDO_THRESHOLD, "0.6"));
        settings.put(TrainerConfig.PSEUDO_TO_TIME, Instant.ofEpochMilli(base + 20_000).toString());
        TrainerConfig config = new TrainerConfig(ConfigSource.of(settings));
        TopicAdmin.ensure(config);

        ImagePreprocessor pre = new ModelTrainer(config).preprocessor();
        List<Sample> labeled = SyntheticSamples.of(PERSONS, SEED, pre);
        // what the job will split, made here the same way: the sets pseudo-labels must not change
        PromotionGate.Sets gate = PromotionGate.split(labeled, config.getDouble(TrainerConfig.GATE_FRACTION));
        PersonSplit split = PersonSplit.of(gate.rest(), config.getDouble(TrainerConfig.HOLDOUT_FRACTION),
                config.getLong(TrainerConfig.SEED));
        assertThat(gate.gate()).isNotEmpty();

        SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(SEED));
        Topics topics = new Topics(config);
        Map<String, Integer> truthOfUnlabeled = new HashMap<>();
        try (var frames = new KafkaProducer<>(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER),
                topics.frames().keySerde().serializer(), topics.frames().valueSerde().serializer());
             var events = new KafkaProducer<>(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER),
                     topics.classifications().keySerde().serializer(), topics.classifications().valueSerde().serializer());
             var dead = new KafkaProducer<>(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER),
                     topics.deadLetters(topics.frames().name()).keySerde().serializer(),
                     topics.deadLetters(topics.frames().name()).valueSerde().serializer())) {
            Sender send = new Sender(frames, events, topics, base);
            // 20 photos of persons nobody labeled, confidently classified with their true class: used
            for (int i = 0; i < 20; i++) {
                SyntheticPerson p = faces.person(500 + i);
                MaskState state = MaskState.values()[i % 3];
                Sample truth = TrainingSet.sample(p.id(), "x", p.gender(), p.age(), state, faces.jpeg(p, state, i), pre);
                send.frame("cam-u", i, truth.encoded(), null, truth.truth(), 0.9f);
                truthOfUnlabeled.put("pseudo:cam-u:" + i, truth.truth());
            }
            // the very photos of 5 holdout and 5 gate persons, classified with certainty: never used
            for (int i = 0; i < 5; i++) {
                send.frame("cam-h", i, split.holdout().get(i * 7).encoded(), null, 0, 0.99f);
                send.frame("cam-g", i, gate.gate().get(i % gate.gate().size()).encoded(), "g" + i, 0, 0.99f);
            }
            // a new photo of a gate person whose source names the person's folder: never used
            Sample g = gate.gate().get(0);
            SyntheticPerson gp = faces.person(Integer.parseInt(g.personId()) - 1);
            String folder = DatasetLayout.folderName(gp.id(), gp.gender(), "Asian", gp.age());
            send.frame("cam-s", 0, faces.jpeg(gp, MaskState.WORN, 77), "train/images/" + folder + "/mask1.jpg", 0, 0.99f);
            // unsure, not classified yet, dead-lettered, no face
            for (int i = 20; i < 23; i++) {
                send.frame("cam-u", i, faces.jpeg(faces.person(600 + i), MaskState.WORN, i), null, 0, 0.3f);
            }
            send.frame("cam-u", 23, faces.jpeg(faces.person(623), MaskState.WORN, 0), null, -1, 0f);
            RecordMetadata letter = send.frame("cam-u", 24, faces.jpeg(faces.person(624), MaskState.WORN, 0), null, -1, 0f);
            dead.send(new ProducerRecord<>(topics.deadLetters(topics.frames().name()).name(), null, base + 24, null,
                    StreamEvents.deadLetter(topics.frames().name(), letter.partition(), letter.offset(), null, null)));
            send.frame("cam-u", 25, faces.jpeg(faces.person(625), MaskState.WORN, 0), null, -2, 0.99f);
            // after the range's end: never read
            send.at = base + 30_000;
            for (int i = 26; i < 30; i++) {
                send.frame("cam-u", i, faces.jpeg(faces.person(700 + i), MaskState.WORN, i), null, 1, 0.99f);
            }
            frames.flush();
            events.flush();
            dead.flush();
        }

        TrainingJob.Outcome outcome = new TrainingJob(config).run(labeled, "synthetic", false, false);
        PseudoLabels.Selection pseudo = outcome.pseudo();
        assertThat(pseudo.frames()).as("frames in the range").isEqualTo(20 + 10 + 1 + 3 + 3);
        assertThat(pseudo.fates()).isEqualTo("USED 20, UNCLASSIFIED 1, DEAD_LETTER 1, LABELED_PHOTO 10, LABELED_PERSON 1, "
                + "NO_FACE 1, BELOW_THRESHOLD 3");

        // holdout and gate are exactly what they are without pseudo-labels
        assertThat(ids(outcome.split().holdout())).isEqualTo(ids(split.holdout()));
        assertThat(outcome.split().holdoutPersons()).isEqualTo(split.holdoutPersons());
        assertThat(ids(outcome.gate().gate())).isEqualTo(ids(gate.gate()));
        // the training side is the labeled one plus exactly the 20 frames of unlabeled persons, with their events' classes
        List<Sample> added = outcome.split().train().subList(split.train().size(), outcome.split().train().size());
        assertThat(ids(outcome.split().train().subList(0, split.train().size()))).isEqualTo(ids(split.train()));
        assertThat(added.stream().collect(Collectors.toMap(Sample::personId, Sample::truth)))
                .containsExactlyInAnyOrderEntriesOf(truthOfUnlabeled);
        Set<String> heldOut = new HashSet<>();
        outcome.split().holdout().forEach(s -> heldOut.add(PseudoLabelJoin.sha256(s.encoded())));
        outcome.gate().gate().forEach(s -> heldOut.add(PseudoLabelJoin.sha256(s.encoded())));
        assertThat(outcome.split().train()).as("no holdout or gate photo trained on")
                .noneMatch(s -> heldOut.contains(PseudoLabelJoin.sha256(s.encoded())));
        assertThat(outcome.result().bundle().metadata().trainingSummary()).containsEntry("trainPhotos",
                String.valueOf(split.train().size() + 20));
    }

    private static List<String> ids(List<Sample> samples) {
        return samples.stream().map(Sample::id).toList();
    }

    /** Writes a frame and (unless classCode is -1) its event, both stamped with the frame's record timestamp. */
    private static final class Sender {
        private final KafkaProducer<String, Frame> frames;
        private final KafkaProducer<String, Classification> events;
        private final Topics topics;
        long at;

        Sender(KafkaProducer<String, Frame> frames, KafkaProducer<String, Classification> events, Topics topics, long at) {
            this.frames = frames;
            this.events = events;
            this.topics = topics;
            this.at = at;
        }

        /** classCode -1: no event; -2: an event with no face. */
        RecordMetadata frame(String camera, long seq, byte[] jpeg, String source, int classCode, float probability)
                throws Exception {
            long ts = at++;
            RecordMetadata m = frames.send(new ProducerRecord<>(topics.frames().name(), null, ts, camera,
                    StreamEvents.frame(camera, seq, jpeg, source))).get();
            if (classCode != -1) {
                Classification c = classCode == -2 ? classification(camera, seq, "v1", 0, probability, 0, null)
                        : classification(camera, seq, "v1", classCode, probability);
                events.send(new ProducerRecord<>(topics.classifications().name(), null, ts, camera, c)).get();
            }
            return m;
        }
    }
}
