package io.maskstream.trainer;

import io.maskstream.model.AgeBands;
import io.maskstream.model.Architectures;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.InputSpec;
import io.maskstream.releases.ReleaseSignatures;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigDefinitions;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/** Configuration of training ({@code maskstream train}) and of the trainer service in the stack. */
public final class TrainerConfig extends ServiceConfig {

    public static final String ARCHITECTURE = "trainer.architecture";
    public static final String HEADS = "trainer.heads";
    public static final String EPOCHS = "trainer.epochs";
    public static final String BATCH_SIZE = "trainer.batch.size";
    public static final String LEARNING_RATE = "trainer.learning.rate";
    public static final String OPTIMIZER = "trainer.optimizer";
    public static final String WEIGHT_DECAY = "trainer.weight.decay";
    public static final String SCHEDULE = "trainer.lr.schedule";
    public static final String LOSS = "trainer.loss";
    public static final String FOCAL_GAMMA = "trainer.focal.gamma";
    public static final String LABEL_SMOOTHING = "trainer.label.smoothing";
    public static final String BALANCED_SAMPLING = "trainer.balanced.sampling";
    public static final String AUGMENT = "trainer.augment";
    public static final String AUGMENT_STRENGTH = "trainer.augment.strength";
    public static final String INPUT_SIZE = "trainer.input.size";
    public static final String AGE_BANDS = "trainer.age.bands";
    public static final String HOLDOUT_FRACTION = "trainer.holdout.fraction";
    public static final String PATIENCE = "trainer.patience";
    public static final String TTA = "trainer.flip.tta";
    public static final String DROPOUT = "trainer.dropout";
    public static final String SEED = "trainer.seed";
    public static final String THREADS = "trainer.intra.op.threads";
    public static final String DEVICE = "trainer.device";
    public static final String OUTPUT_DIR = "trainer.output.dir";
    public static final String PROMOTE = "trainer.promote";
    public static final String RETRAIN_EVERY = "trainer.retrain.every.frames";
    public static final String MAX_FRAMES = "trainer.max.frames";
    public static final String GROUP_ID = "trainer.group.id";
    public static final String GATE_FRACTION = "trainer.gate.fraction";
    public static final String GATE_MARGIN = "trainer.gate.margin";
    public static final String GATE_CONFIDENCE = "trainer.gate.confidence";
    public static final String GATE_MIN_PERSONS = "trainer.gate.min.persons";
    public static final String ARTIFACTS_KEEP = "trainer.artifacts.keep";
    public static final String CROP_MARGIN = "trainer.crop.margin";
    public static final String DETECTOR_EPOCHS = "trainer.detector.epochs";
    public static final String SIGNING_KEY = "trainer.release.signing.key";
    public static final String BACKBONE = "trainer.backbone";
    public static final String BACKBONE_INPUT = "trainer.backbone.input";
    public static final String BACKBONE_LR_FACTOR = "trainer.backbone.lr.factor";
    public static final String ENSEMBLE_MEMBERS = "trainer.ensemble.members";
    public static final String ENSEMBLE_BY = "trainer.ensemble.by";
    public static final String ENSEMBLE_VOTE = "trainer.ensemble.vote";
    public static final String ENSEMBLE_ARCHITECTURES = "trainer.ensemble.architectures";
    public static final String PSEUDO_ENABLED = "trainer.pseudo.enabled";
    public static final String PSEUDO_FRAMES_TOPIC = "trainer.pseudo.frames.topic";
    public static final String PSEUDO_CLASSIFICATIONS_TOPIC = "trainer.pseudo.classifications.topic";
    public static final String PSEUDO_FROM = "trainer.pseudo.from";
    public static final String PSEUDO_TO = "trainer.pseudo.to";
    public static final String PSEUDO_FROM_TIME = "trainer.pseudo.from.time";
    public static final String PSEUDO_TO_TIME = "trainer.pseudo.to.time";
    public static final String PSEUDO_THRESHOLD = "trainer.pseudo.threshold";
    public static final String PSEUDO_SHARE = "trainer.pseudo.share";
    public static final String PSEUDO_MODEL_VERSION = "trainer.pseudo.model.version";

    public static final ConfigDef DEFINITION = CommonConfig.define(new ConfigDef())
            .define(ARCHITECTURE, Type.STRING, Architectures.FASTNET, ValidString.in(Architectures.FASTNET,
                    Architectures.RESNET18), Importance.HIGH, "Network to train: fastnet (fast on CPU) or resnet18. "
                    + "Ignored when trainer.backbone names an imported backbone.")
            .define(BACKBONE, Type.STRING, "", backboneFile(), Importance.HIGH,
                    "A TorchScript file (torch.jit.script or torch.jit.trace, then torch.jit.save) of a feature "
                            + "extractor to fine-tune with the heads on its features, e.g. torchvision's resnet18 with "
                            + "ImageNet weights and fc = Identity(). Its output for trainer.backbone.input must be one "
                            + "[N,C] or [N,C,H,W] float tensor ([N,C,H,W] is global-average-pooled); anything else stops "
                            + "training with the shape it gave. The bundle (architecture torchscript) carries the "
                            + "fine-tuned module, so serving needs nothing else. Empty: train trainer.architecture.")
            .define(BACKBONE_INPUT, Type.STRING, "192x256", inputSize(), Importance.MEDIUM,
                    "Input of an imported backbone, WIDTHxHEIGHT px (photos are scaled and centre-cropped to it, at "
                            + "their 3:4 aspect by default), normalised with ImageNet's mean and std as torchvision's "
                            + "and most of timm's weights expect.")
            .define(BACKBONE_LR_FACTOR, Type.DOUBLE, 0.1, Range.between(0, 1), Importance.MEDIUM,
                    "An imported backbone's learning rate as a share of trainer.learning.rate (the heads get the "
                            + "full rate): pretrained features need smaller steps than new heads. 0 freezes the "
                            + "backbone (only the heads train; batch norm inside it still tracks the data).")
            .define(HEADS, Type.STRING, "MULTI_HEAD", ValidString.in("MULTI_HEAD", "SINGLE_18", "MASK_CONDITIONAL_AGE"),
                    Importance.MEDIUM, "MULTI_HEAD: three heads (mask, gender, age) and a summed loss; SINGLE_18: one "
                            + "18-way head; MASK_CONDITIONAL_AGE: mask and gender heads and two age heads, one trained only "
                            + "on faces with a mask worn properly, the other only on the rest (incorrectly worn or none); "
                            + "served as the joint P(mask)P(gender)P(age | masked or not).")
            .define(EPOCHS, Type.INT, 15, Range.between(1, 1000), Importance.HIGH, "Most epochs to train.")
            .define(BATCH_SIZE, Type.INT, 32, Range.between(1, 1024), Importance.MEDIUM, "Training batch size.")
            .define(LEARNING_RATE, Type.DOUBLE, 0.003, Range.between(1e-7, 10), Importance.MEDIUM, "Peak learning rate.")
            .define(OPTIMIZER, Type.STRING, "adamw", ValidString.in("adamw", "adam", "sgd"), Importance.MEDIUM,
                    "Optimizer (sgd uses momentum 0.9).")
            .define(WEIGHT_DECAY, Type.DOUBLE, 1e-4, Range.between(0, 1), Importance.LOW, "Weight decay.")
            .define(SCHEDULE, Type.STRING, "cosine", ValidString.in("cosine", "step", "constant"), Importance.LOW,
                    "Learning-rate schedule over the planned epochs (step: x0.1 at 2/3).")
            .define(LOSS, Type.STRING, "focal", ValidString.in("ce", "weighted-ce", "focal"), Importance.HIGH,
                    "Loss per head: cross-entropy, class-weighted cross-entropy, or focal loss (class-weighted unless "
                            + "balanced sampling already evens the classes out).")
            .define(FOCAL_GAMMA, Type.DOUBLE, 2.0, Range.between(0, 10), Importance.LOW, "Focal loss gamma.")
            .define(LABEL_SMOOTHING, Type.DOUBLE, 0.05, Range.between(0, 0.5), Importance.LOW, "Label smoothing epsilon.")
            .define(BALANCED_SAMPLING, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Draw each epoch's samples with weights inverse to their 18-class frequency.")
            .define(AUGMENT, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Augment training images: horizontal flip, shift/scale/rotate, brightness/contrast/hue jitter, crop.")
            .define(AUGMENT_STRENGTH, Type.DOUBLE, 1.0, Range.between(0, 3), Importance.LOW,
                    "Scales the augmentation's ranges (shift 8 % of a side, scale +-8 %, rotation +-10 degrees, "
                            + "contrast +-25 %, brightness +-25, per-channel gain +-6 %, each times this); 1 is the "
                            + "default recipe, 0 leaves only the horizontal flip. No effect without trainer.augment.")
            .define(INPUT_SIZE, Type.STRING, "", inputSize(), Importance.LOW,
                    "Network input WIDTHxHEIGHT in pixels (e.g. 120x160); empty: the architecture's default (fastnet "
                            + "96x128, resnet18 192x256). Recorded in the bundle, so serving prepares images at the size "
                            + "the model was trained at.")
            .define(AGE_BANDS, Type.STRING, "30,58", ageBands(), Importance.MEDIUM,
                    "Age-band boundaries for TRAINING labels (middle from, old from); the competition's are 30,60. "
                            + "Moving the upper one down (the seeds used 57-59 as >=60) gives the rare band more examples. "
                            + "Evaluation always uses 30,60.")
            .define(HOLDOUT_FRACTION, Type.DOUBLE, 0.2, Range.between(0.05, 0.5), Importance.MEDIUM,
                    "Share of PERSONS held out (stratified by gender and age band); a person's photos never straddle.")
            .define(PATIENCE, Type.INT, 4, Range.between(1, 100), Importance.LOW,
                    "Early stopping: epochs without a better holdout macro-F1 before training stops.")
            .define(TTA, Type.BOOLEAN, true, Importance.LOW, "Horizontal-flip test-time augmentation when evaluating.")
            .define(DROPOUT, Type.DOUBLE, 0.0, Range.between(0.0, 0.9), Importance.LOW,
                    "Dropout on the pooled features, before the heads, in training (0: none). It adds no parameter, so "
                            + "the bundle loads like any other; recorded in the training summary as 'dropout'. Serve such a "
                            + "model's MC-dropout (processor.uncertainty.mc.passes) at the same rate.")
            .define(SEED, Type.LONG, 42L, Importance.MEDIUM, "Seed of the split, sampling, augmentation and initialisation.")
            .define(THREADS, Type.INT, 1, Range.between(0, 256), Importance.LOW,
                    "PyTorch intra-op threads (0: engine default; 1 is fastest on a busy 2-core machine).")
            .define(DEVICE, Type.STRING, "auto", Importance.LOW, "Training device: auto, cpu, gpu or gpu:N.")
            .define(CROP_MARGIN, Type.DOUBLE, 0.2, Range.between(0.0, 2.0), Importance.LOW,
                    "Scenes: how far each labeled face box grows on each side before it is cut for the classifier; "
                            + "recorded in the bundle, so the processor cuts its crops the same way.")
            .define(DETECTOR_EPOCHS, Type.INT, 20, Range.between(1, 1000), Importance.MEDIUM,
                    "Scenes: epochs of face-detector training (the classifier on the crops follows trainer.epochs).")
            .define(OUTPUT_DIR, Type.STRING, "models", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Where trained bundles are also written as files.")
            .define(PROMOTE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Promote a new model to ACTIVE when its holdout macro-F1 beats the active model's on the same holdout.")
            .define(RETRAIN_EVERY, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
                    "The trainer service retrains after this many new labeled frames (0: only on demand).")
            .define(MAX_FRAMES, Type.INT, 20_000, Range.atLeast(10), Importance.LOW,
                    "The trainer service trains on at most this many of the most recent labeled frames.")
            .define(GROUP_ID, Type.STRING, "maskstream-trainer", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Consumer group with which the trainer service follows labeled-frames.")
            .define(GATE_FRACTION, Type.DOUBLE, 0.15, Range.between(0, 0.5), Importance.MEDIUM,
                    "Share of persons set aside, by a hash of the person id, as the promotion gate's set: the same persons "
                            + "in every training run and dataset, never trained or early-stopped on (0: none, and no "
                            + "candidate is promoted over an active model).")
            .define(GATE_MARGIN, Type.DOUBLE, 0.0, Range.between(0, 1), Importance.MEDIUM,
                    "A candidate replaces the active model only if its macro-F1 on the gate set is higher by more than "
                            + "this.")
            .define(GATE_CONFIDENCE, Type.DOUBLE, 0.95, Range.between(0, 0.999), Importance.MEDIUM,
                    "Confidence of the paired bootstrap interval (persons resampled) of the candidate's macro-F1 minus "
                            + "the active model's on the gate set: a candidate is promoted only if the interval lies above "
                            + "0 (0: no bootstrap, the margin alone decides).")
            .define(GATE_MIN_PERSONS, Type.INT, 10, Range.between(1, 100_000), Importance.LOW,
                    "Fewest gate persons a promotion over an active model is decided on; fewer: not promoted.")
            .define(ARTIFACTS_KEEP, Type.INT, 5, Range.between(1, 10_000), Importance.LOW,
                    "Artifacts of releases kept on the artifacts topic besides those processors run (ACTIVE, SHADOW, "
                            + "CANARY): older releases' chunks "
                            + "are tombstoned (the release records stay, marked, and cannot be promoted again).")
            .define(SIGNING_KEY, Type.STRING, "", signingKeyValidator(), Importance.HIGH,
                    "Ed25519 private key file (PKCS#8, PEM or DER; maskstream release keygen writes one) with which "
                            + "every release the trainer publishes is signed, over its version, architecture, input size, "
                            + "sha256 and size (not its status: promotion and rollback need no key). Processors that list "
                            + "the matching public key in processor.release.trusted.keys accept it. Read at start-up; a "
                            + "file that is not such a key stops it. Empty: releases are published unsigned.")
            .define(ENSEMBLE_MEMBERS, Type.INT, 1, Range.between(1, 16), Importance.MEDIUM,
                    "Models trained into one release: 1 trains one network; N >= 2 trains N members that differ as "
                            + ENSEMBLE_BY + " says and publishes them as one ensemble release (its bundle embeds every "
                            + "member's), gated and served like any version; each member costs a full training.")
            .define(ENSEMBLE_BY, Type.STRING, "seed", ValidString.in("seed", "fold", "architecture"), Importance.MEDIUM,
                    "How ensemble members differ: seed (member k trains with trainer.seed + k on the same split), fold "
                            + "(out-of-fold: a person-disjoint holdout is carved off, the other persons fall into one "
                            + "person-disjoint fold per member, member k trains on the other folds and early-stops on fold "
                            + "k) or architecture (member k is entry k mod n of " + ENSEMBLE_ARCHITECTURES + ", seed "
                            + "trainer.seed + k, same split).")
            .define(ENSEMBLE_VOTE, Type.STRING, "soft", ValidString.in("soft", "hard"), Importance.MEDIUM,
                    "How an ensemble combines its members: soft (mean of the probabilities per head; classes their "
                            + "product when every member is multi-head) or hard (majority of the members' 18-class "
                            + "answers, ties broken by the soft mean).")
            .define(ENSEMBLE_ARCHITECTURES, Type.LIST, "fastnet,resnet18", architectureList(), Importance.LOW,
                    "With " + ENSEMBLE_BY + "=architecture: the networks the members cycle through, in member order.")
            .define(PSEUDO_ENABLED, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Pseudo-labels from the stream: add confident classifications of unlabeled frames (a range of "
                            + "trainer.pseudo.frames.topic joined with their events on trainer.pseudo.classifications.topic "
                            + "by camera id and frame sequence) to the TRAINING side only, after the gate set and the "
                            + "holdout were made from the labeled data. Frames that are labeled photos (same bytes) or "
                            + "whose source names a labeled person are never used. Whole-frame events only (exactly one "
                            + "face, no detector).")
            .define(PSEUDO_FRAMES_TOPIC, Type.STRING, "", Importance.LOW,
                    "Pseudo-labels: the topic of unlabeled frames (empty: topic.frames).")
            .define(PSEUDO_CLASSIFICATIONS_TOPIC, Type.STRING, "", Importance.LOW,
                    "Pseudo-labels: the topic of the frames' classifications (empty: topic.classifications); read from "
                            + "the earliest frame's timestamp to its end.")
            .define(PSEUDO_FROM, Type.STRING, "", offsets(), Importance.LOW,
                    "Pseudo-labels: first offset of the frames range, N or p:N,p:N as train --from (empty: the "
                            + "beginning, or trainer.pseudo.from.time).")
            .define(PSEUDO_TO, Type.STRING, "", offsets(), Importance.LOW,
                    "Pseudo-labels: end offset of the frames range, exclusive, as train --to (empty: the topic's end "
                            + "when training starts, or trainer.pseudo.to.time).")
            .define(PSEUDO_FROM_TIME, Type.STRING, "", instant(), Importance.LOW,
                    "Pseudo-labels: first frame at or after this time (ISO-8601), as train --from-time (empty: open).")
            .define(PSEUDO_TO_TIME, Type.STRING, "", instant(), Importance.LOW,
                    "Pseudo-labels: frames before this time (ISO-8601), as train --to-time (empty: open).")
            .define(PSEUDO_THRESHOLD, Type.DOUBLE, 0.5, Range.between(0, 1), Importance.MEDIUM,
                    "Pseudo-labels: least classProbability (the 18-class answer's probability, the product of the "
                            + "three heads') of an event whose frame is used. A product of three heads trained with label "
                            + "smoothing stays well below 1: on synthetic data the served fastnet's highest was 0.71, and "
                            + "0.5 kept the 2 % most confident frames.")
            .define(PSEUDO_SHARE, Type.DOUBLE, 0.5, Range.between(0, 10), Importance.MEDIUM,
                    "Pseudo-labels: most pseudo-labeled photos, as a fraction of the labeled training photos (after "
                            + "gate and holdout); above it the most probable are kept.")
            .define(PSEUDO_MODEL_VERSION, Type.STRING, "", Importance.LOW,
                    "Pseudo-labels: only events of this model version (empty: any version).");

    public TrainerConfig(ConfigSource source) {
        super(DEFINITION, source);
    }

    private static ConfigDef.Validator ageBands() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            try {
                AgeBands.parse(String.valueOf(value));
            } catch (IllegalArgumentException e) {
                throw new org.apache.kafka.common.config.ConfigException(name, value, e.getMessage());
            }
        }, () -> "middle,old years, e.g. 30,60");
    }

    private static ConfigDef.Validator offsets() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            try {
                String spec = String.valueOf(value).trim();
                if (!spec.isEmpty()) {
                    io.maskstream.evaluation.TopicRange.parse("t", spec, null, null, null);
                }
            } catch (IllegalArgumentException e) {
                throw new org.apache.kafka.common.config.ConfigException(name, value,
                        "not an offset N or partition:offset list p:N,p:N (" + e.getMessage() + ")");
            }
        }, () -> "empty, N, or p:N,p:N");
    }

    private static ConfigDef.Validator instant() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String text = String.valueOf(value).trim();
            if (!text.isEmpty()) {
                try {
                    java.time.Instant.parse(text);
                } catch (java.time.format.DateTimeParseException e) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value,
                            "not an ISO-8601 instant such as 2026-12-01T18:00:00Z");
                }
            }
        }, () -> "empty or an ISO-8601 instant");
    }

    /** A pseudo-label range time key's instant, or null when empty. */
    java.time.Instant pseudoTime(String key) {
        String text = getString(key).trim();
        return text.isEmpty() ? null : java.time.Instant.parse(text);
    }

    private static ConfigDef.Validator backboneFile() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String file = String.valueOf(value).trim();
            if (!file.isEmpty() && !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(file))) {
                throw new org.apache.kafka.common.config.ConfigException(name, value, "no such file (a TorchScript "
                        + "module torch.jit.save wrote)");
            }
        }, () -> "a TorchScript file, or empty");
    }

    private static ConfigDef.Validator inputSize() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String text = String.valueOf(value).trim();
            if (!text.isEmpty()) {
                try {
                    parseInputSize(text);
                } catch (IllegalArgumentException e) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value, e.getMessage());
                }
            }
        }, () -> "WIDTHxHEIGHT, each side " + InputSpec.MIN_SIDE + ".." + InputSpec.MAX_SIDE + " px, or empty");
    }

    /** {@code WIDTHxHEIGHT} as an ImageNet-normalised input. */
    static InputSpec parseInputSize(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("input size must be WIDTHxHEIGHT, e.g. 96x128, got \"" + text + "\"");
        }
        try {
            return InputSpec.imagenet(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("input size must be WIDTHxHEIGHT in whole pixels, got \"" + text + "\"");
        }
    }

    /** The imported backbone's file, if one is configured ({@value #BACKBONE}). */
    public java.util.Optional<java.nio.file.Path> backbone() {
        String file = getString(BACKBONE).trim();
        return file.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(java.nio.file.Path.of(file));
    }

    /** The architecture trained: {@link Architectures#TORCHSCRIPT} with a backbone, else {@value #ARCHITECTURE}. */
    public String architecture() {
        return backbone().isPresent() ? Architectures.TORCHSCRIPT : getString(ARCHITECTURE);
    }

    /**
     * The network's input: {@value #BACKBONE_INPUT} with an imported backbone, else {@value #INPUT_SIZE}, else the
     * architecture's default.
     */
    public InputSpec input() {
        if (backbone().isPresent()) {
            return parseInputSize(getString(BACKBONE_INPUT));
        }
        String size = getString(INPUT_SIZE).trim();
        return size.isEmpty() ? Architectures.defaultInput(architecture()) : parseInputSize(size);
    }

    private static ConfigDef.Validator architectureList() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            java.util.List<?> list = (java.util.List<?>) value;
            if (list == null || list.isEmpty()) {
                throw new org.apache.kafka.common.config.ConfigException(name, value, "name at least one architecture");
            }
            for (Object a : list) {
                if (!Architectures.FASTNET.equals(a) && !Architectures.RESNET18.equals(a)) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value, "\"" + a + "\" is not a network "
                            + "the trainer trains (" + Architectures.FASTNET + ", " + Architectures.RESNET18 + ")");
                }
            }
        }, () -> "a non-empty list of fastnet, resnet18");
    }

    private static ConfigDef.Validator signingKeyValidator() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String file = String.valueOf(value).trim();
            if (!file.isEmpty()) {
                try {
                    ReleaseSignatures.SigningKey.read(java.nio.file.Path.of(file));
                } catch (IllegalArgumentException e) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value, e.getMessage());
                }
            }
        }, () -> "an Ed25519 private key file (PKCS#8 PEM or DER), or empty");
    }

    /** The key releases are signed with, if one is configured. */
    public java.util.Optional<ReleaseSignatures.SigningKey> signingKey() {
        String file = getString(SIGNING_KEY).trim();
        return file.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(ReleaseSignatures.SigningKey.read(java.nio.file.Path.of(file)));
    }

    public HeadLayout heads() {
        return HeadLayout.valueOf(getString(HEADS));
    }

    public AgeBands trainingAgeBands() {
        return AgeBands.parse(getString(AGE_BANDS));
    }

    public ComputeSettings computeSettings() {
        return new ComputeSettings(getString(DEVICE), getInt(THREADS), 1);
    }

    /** One line describing the recipe, stored in the bundle and printed. */
    public String recipe() {
        return String.format(java.util.Locale.ROOT, "%s %s, %s%s%s, %s lr %s %s, batch %d, sampling %s, augment %s, "
                        + "age bands %s, tta %s, seed %d", backbone().map(f -> Architectures.TORCHSCRIPT + " "
                        + f.getFileName() + " " + input().width() + "x" + input().height() + " backbone lr x"
                        + getDouble(BACKBONE_LR_FACTOR)).orElse(getString(ARCHITECTURE)), getString(HEADS), getString(LOSS),
                getString(LOSS).equals("focal") ? " gamma " + getDouble(FOCAL_GAMMA) : "",
                getDouble(LABEL_SMOOTHING) > 0 ? " smoothing " + getDouble(LABEL_SMOOTHING) : "", getString(OPTIMIZER),
                getDouble(LEARNING_RATE), getString(SCHEDULE), getInt(BATCH_SIZE),
                getBoolean(BALANCED_SAMPLING) ? "balanced" : "uniform", getBoolean(AUGMENT), getString(AGE_BANDS),
                getBoolean(TTA), getLong(SEED)) + (getDouble(DROPOUT) > 0 ? ", dropout " + getDouble(DROPOUT) : "")
                + recipeExtras();
    }

    /** The recipe line's tail for the keys whose default leaves it unchanged: augmentation strength, input size. */
    private String recipeExtras() {
        StringBuilder extras = new StringBuilder();
        if (getBoolean(AUGMENT) && getDouble(AUGMENT_STRENGTH) != 1.0) {
            extras.append(", augment strength ").append(getDouble(AUGMENT_STRENGTH));
        }
        if (!getString(INPUT_SIZE).isBlank()) {
            InputSpec in = input();
            extras.append(", input ").append(in.width()).append('x').append(in.height());
        }
        return extras.toString();
    }

    /** Publishes the trainer's keys to the shared configuration catalogue. */
    public static final class Definitions implements ConfigDefinitions {
        @Override
        public String service() {
            return "trainer";
        }

        @Override
        public ConfigDef definition() {
            return DEFINITION;
        }
    }
}
