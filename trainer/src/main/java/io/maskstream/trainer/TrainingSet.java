package io.maskstream.trainer;

import io.maskstream.events.Gender;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import io.maskstream.evaluation.LabeledReplay;
import io.maskstream.evaluation.ReplayEvaluation;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.PreparedImage;
import io.maskstream.datasets.CompetitionDataset;
import io.maskstream.datasets.DatasetScan;
import io.maskstream.datasets.TrainImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labeled photos decoded once into {@link Sample}s (so epochs never re-read Kafka or the disk): from a dataset
 * folder in the competition layout or from records replayed from the labeled-frames topic. A photo that cannot be
 * decoded is skipped with a log line naming it.
 */
public final class TrainingSet {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingSet.class);

    private TrainingSet() {
    }

    public static List<Sample> fromFolder(Path root, ImagePreprocessor preprocessor, boolean failFast) throws IOException {
        DatasetScan scan = CompetitionDataset.scan(root, failFast);
        List<Sample> samples = new ArrayList<>(scan.train().size());
        for (TrainImage image : scan.train()) {
            byte[] bytes = Files.readAllBytes(image.file());
            try {
                samples.add(sample(image.person().id(), image.relativePath(), image.person().gender(), image.person().age(),
                        image.maskState(), bytes, preprocessor));
            } catch (ImageRejectedException e) {
                LOG.warn("Skipping {}: {} ({})", image.relativePath(), e.getMessage(), e.reason());
            }
        }
        LOG.info("Loaded {} labeled photos of {} persons from {}", samples.size(),
                samples.stream().map(Sample::personId).distinct().count(), root);
        return samples;
    }

    public static List<Sample> fromRecords(List<LabeledReplay.Record> records, ImagePreprocessor preprocessor) {
        List<Sample> samples = new ArrayList<>(records.size());
        for (LabeledReplay.Record r : records) {
            LabeledFrame f = r.frame();
            if (f.getScene()) {
                continue; // a scene is labeled by its faces: SceneTraining learns from it
            }
            byte[] bytes = new byte[f.getFrame().getImage().remaining()];
            f.getFrame().getImage().duplicate().get(bytes);
            try {
                samples.add(sample(f.getPersonId(), f.getSourcePath() + "@" + r.partition() + ":" + r.offset(), f.getGender(),
                        f.getAge(), f.getMaskState(), bytes, preprocessor));
            } catch (ImageRejectedException e) {
                LOG.warn("Skipping labeled frame at partition {} offset {}: {}", r.partition(), r.offset(), e.getMessage());
            }
        }
        return samples;
    }

    static Sample sample(String person, String id, Gender gender, int age, MaskState mask, byte[] bytes,
                         ImagePreprocessor preprocessor) throws ImageRejectedException {
        PreparedImage image = preprocessor.prepare(bytes);
        int truth = ReplayEvaluation.truthOf(mask, gender, age);
        return new Sample(person, id, truth, age, image, bytes);
    }
}
