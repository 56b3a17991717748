package io.maskstream.trainer;

import io.maskstream.datasets.CocoDataset;
import io.maskstream.datasets.CocoImage;
import io.maskstream.datasets.CocoScenes;
import io.maskstream.datasets.ImageCodec;
import io.maskstream.datasets.SceneFace;
import io.maskstream.evaluation.LabeledReplay;
import io.maskstream.evaluation.ReplayEvaluation;
import io.maskstream.evaluation.SceneEvaluation;
import io.maskstream.evaluation.metrics.DetectionMetrics;
import io.maskstream.events.LabeledFace;
import io.maskstream.events.LabeledFrame;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Classifiers;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.PreparedImage;
import io.maskstream.model.ScenePipeline;
import io.maskstream.model.FaceDetector;
import io.maskstream.model.FaceDetectors;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training on scenes: a face detector on the frames, and the classifier on the faces cut from them with the crop the
 * processor uses ({@link ImagePreprocessor#crop}, margin {@code trainer.crop.margin}, recorded in the bundle), packed
 * as one bundle: the classifier's, holding the detector ({@link ModelBundle#withDetector}). Splits are by sequence:
 * the promotion gate's sequences (hash-chosen, as persons are for portraits) never reach training, the holdout's are
 * held out of both networks. The holdout is then scored as the processor would serve it ({@link SceneEvaluation}):
 * detection precision and recall per mask state, and per-face macro-F1 in which a missed face counts as wrong.
 */
public final class SceneTraining {

    private static final Logger LOG = LoggerFactory.getLogger(SceneTraining.class);

    private SceneTraining() {
    }

    /** The labeled scenes of a COCO folder. */
    static List<SceneSample> fromFolder(Path dir) throws IOException {
        CocoScenes scenes = CocoDataset.read(dir);
        List<SceneSample> out = new ArrayList<>(scenes.images().size());
        for (CocoImage image : scenes.images()) {
            List<SceneSample.Face> faces = new ArrayList<>(image.faces().size());
            for (SceneFace f : image.faces()) {
                faces.add(new SceneSample.Face(SceneEvaluation.box(f.box()), f.maskState(), f.gender(), f.age()));
            }
            out.add(new SceneSample(image.sequenceId(), image.relativePath(), Files.readAllBytes(scenes.file(image)), faces));
        }
        LOG.info("Loaded {} from {}", scenes.describe(), dir);
        return out;
    }

    /** The scenes among replayed labeled frames (portraits are left out). */
    static List<SceneSample> fromRecords(List<LabeledReplay.Record> records) {
        List<SceneSample> out = new ArrayList<>();
        for (LabeledReplay.Record r : records) {
            LabeledFrame f = r.frame();
            if (!f.getScene()) {
                continue;
            }
            byte[] bytes = new byte[f.getFrame().getImage().remaining()];
            f.getFrame().getImage().duplicate().get(bytes);
            List<SceneSample.Face> faces = new ArrayList<>(f.getFaces().size());
            for (LabeledFace face : f.getFaces()) {
                faces.add(new SceneSample.Face(SceneEvaluation.box(face.getBox()), face.getMaskState(), face.getGender(),
                        face.getAge()));
            }
            out.add(new SceneSample(f.getPersonId(), f.getSourcePath() + "@" + r.partition() + ":" + r.offset(), bytes, faces));
        }
        return out;
    }

    /**
     * What a scene training produced. {@code profile} is the classifier's drift reference: its answers on the held-out
     * sequences' labelled face crops (null without a holdout).
     */
    public record Result(ModelTrainer.Result classifier, DetectorTrainer.Result detector, ModelBundle bundle,
                  SceneEvaluation.Result holdout, PromotionGate.Sets gate, int trainScenes, int holdoutScenes,
                  io.maskstream.events.TrainingProfile profile) {
    }

    /**
     * Decodes the scenes once, cuts the labeled faces, splits by sequence, trains both networks and scores the holdout
     * through the full detect-crop-classify path.
     */
    static Result train(TrainerConfig config, List<SceneSample> scenes, String version, String data)
            throws InvalidModelException {
        double margin = config.getDouble(TrainerConfig.CROP_MARGIN);
        ImagePreprocessor classifierInput = new ModelTrainer(config).preprocessor();
        // Crops: every labeled face, cut as serving cuts it; person = the scene's sequence, so splits keep sequences whole.
        List<Sample> crops = new ArrayList<>();
        Map<SceneSample, DecodedImage> decoded = new LinkedHashMap<>();
        for (SceneSample s : scenes) {
            DecodedImage frame;
            try {
                frame = classifierInput.decode(s.encoded());
            } catch (ImageRejectedException e) {
                LOG.warn("Skipping scene {}: {} ({})", s.id(), e.getMessage(), e.reason());
                continue;
            }
            decoded.put(s, frame);
            for (int i = 0; i < s.faces().size(); i++) {
                SceneSample.Face f = s.faces().get(i);
                PreparedImage crop = classifierInput.crop(frame, f.box(), margin);
                int truth = ReplayEvaluation.truthOf(f.mask(), f.gender(), f.age());
                crops.add(new Sample(s.sequenceId(), s.id() + "#" + i, truth, f.age(), crop, png(crop)));
            }
        }
        if (crops.isEmpty()) {
            throw new IllegalArgumentException("the scenes hold no labeled face to train the classifier on");
        }
        PromotionGate.Sets gate = PromotionGate.split(crops, config.getDouble(TrainerConfig.GATE_FRACTION));
        PersonSplit split = PersonSplit.of(gate.rest(), config.getDouble(TrainerConfig.HOLDOUT_FRACTION),
                config.getLong(TrainerConfig.SEED));
        double gateFraction = config.getDouble(TrainerConfig.GATE_FRACTION);
        List<LabeledScene> train = new ArrayList<>();
        List<LabeledScene> validation = new ArrayList<>();
        List<SceneEvaluation.Scene> holdout = new ArrayList<>();
        Set<String> holdoutSequences = split.holdoutPersons();
        decoded.forEach((s, frame) -> {
            if (PromotionGate.inGateSet(s.sequenceId(), gateFraction)) {
                return;
            }
            LabeledScene labeled = new LabeledScene(frame, truths(s));
            if (holdoutSequences.contains(s.sequenceId())) {
                validation.add(labeled);
                holdout.add(new SceneEvaluation.Scene(s.id(), s.encoded(), sceneTruths(s)));
            } else {
                train.add(labeled);
            }
        });
        LOG.info("Scenes: {} for training, {} held out ({} sequences), {} crops of faces for the classifier (margin {})",
                train.size(), holdout.size(), holdoutSequences.size(), crops.size(), margin);

        ModelTrainer.Result classifier = new ModelTrainer(config).train(split, version, data);
        DetectorTrainer.Options options = DetectorTrainer.Options.defaults(config.getLong(TrainerConfig.SEED))
                .withEpochs(config.getInt(TrainerConfig.DETECTOR_EPOCHS));
        DetectorTrainer.Result detector = new DetectorTrainer(options).train(train, validation, version + "-detector");

        Map<String, String> summary = new LinkedHashMap<>(classifier.bundle().metadata().trainingSummary());
        summary.put(ScenePipeline.CROP_MARGIN_KEY, String.valueOf(margin));
        summary.put("detector", detector.bundle().metadata().version() + " (" + options.recipe() + ")");
        ModelBundle bundle = classifier.bundle().withTrainingSummary(summary).withDetector(detector.bundle());

        SceneEvaluation.Result scored = null;
        if (!holdout.isEmpty()) {
            try (BatchClassifier c = Classifiers.load(bundle, config.computeSettings());
                 FaceDetector d = FaceDetectors.fromBundle(bundle, config.computeSettings(), options.validation(), true)) {
                scored = SceneEvaluation.evaluate(new ScenePipeline(d, c, margin), holdout,
                        config.getInt(TrainerConfig.BATCH_SIZE), config.getBoolean(TrainerConfig.TTA));
            }
            LOG.info("Holdout scenes: {}; the classifier alone on the true boxes: macro-F1 {}", scored.summary(),
                    String.format(Locale.ROOT, "%.4f", classifier.holdout().getMacroF1()));
        }
        return new Result(classifier, detector, bundle, scored, gate, train.size(), holdout.size(),
                new ModelTrainer(config).holdoutProfile(classifier.bundle(), split));
    }

    private static List<DetectionMetrics.Truth> truths(SceneSample s) {
        List<DetectionMetrics.Truth> out = new ArrayList<>(s.faces().size());
        for (SceneSample.Face f : s.faces()) {
            out.add(new DetectionMetrics.Truth(f.box(), f.mask().name()));
        }
        return out;
    }

    private static List<SceneEvaluation.TruthFace> sceneTruths(SceneSample s) {
        List<SceneEvaluation.TruthFace> out = new ArrayList<>(s.faces().size());
        for (SceneSample.Face f : s.faces()) {
            out.add(SceneEvaluation.TruthFace.of(f.box(), f.mask(), f.gender(), f.age()));
        }
        return out;
    }

    /** The crop as PNG, so another model (the active one, in the gate) can prepare it for its own input. */
    private static byte[] png(PreparedImage crop) {
        BufferedImage img = new BufferedImage(crop.width(), crop.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        byte[] rgb = crop.rgb();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return ImageCodec.png(img);
    }
}
