package io.maskstream.processor;

import io.maskstream.events.DeadLetterReason;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Box;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.Detection;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.InputSpec;
import io.maskstream.model.McDropout;
import io.maskstream.model.Prediction;
import io.maskstream.model.PreparedImage;
import io.maskstream.model.ScenePipeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's verdict on frames, as the processor serves it: in whole-frame mode one classifier pass over the frames;
 * in detect mode one detector pass over the frames and one classifier pass over all their faces' crops
 * ({@link ScenePipeline}). Each pass holds a lease on the current model, so a hot swap never lands inside one.
 *
 * <p>Runs on any thread and touches no Kafka Streams state: the stream threads emit what it returns. A pass that
 * fails as a whole is retried frame by frame, so one bad frame cannot sink the frames it was batched with.
 */
final class FrameInference {

    private static final Logger LOG = LoggerFactory.getLogger(FrameInference.class);

    private final ModelHolder models;
    private final boolean flipTta;
    private final McDropout mc;
    private final boolean detect;
    private final ProcessorMetrics metrics;

    FrameInference(ModelHolder models, boolean flipTta, boolean detect, ProcessorMetrics metrics) {
        this(models, flipTta, McDropout.OFF, detect, metrics);
    }

    /** @param mc the MC-dropout passes every classification samples ({@link McDropout#OFF}: one plain pass) */
    FrameInference(ModelHolder models, boolean flipTta, McDropout mc, boolean detect, ProcessorMetrics metrics) {
        this.models = models;
        this.mc = mc;
        this.flipTta = flipTta;
        this.detect = detect;
        this.metrics = metrics;
    }

    /** One outcome per frame, in the frames' order. */
    List<Outcome> infer(List<AcceptedFrame> frames) {
        return infer(models, frames, true);
    }

    /**
     * A trial model's (a canary's or a shadow's) verdict on frames, as {@link #infer(List)} gives the active one's: its
     * passes are not counted in the active model's batch meters.
     *
     * @throws IllegalStateException when {@code holder} no longer holds a model (the trial was removed)
     */
    List<Outcome> inferTrial(ModelHolder holder, List<AcceptedFrame> frames) {
        return infer(holder, frames, false);
    }

    private List<Outcome> infer(ModelHolder holder, List<AcceptedFrame> frames, boolean recorded) {
        Outcome[] outcomes = new Outcome[frames.size()];
        try (ModelHolder.Lease lease = lease(holder)) {
            BatchClassifier model = lease.classifier();
            List<Integer> ready = new ArrayList<>(frames.size());
            List<PreparedImage> images = new ArrayList<>(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                try {
                    if (!detect) {
                        images.add(fitTo(model, frames.get(i)));
                    }
                    ready.add(i);
                } catch (ImageRejectedException e) {
                    outcomes[i] = Outcome.failed(frames.get(i), model.version(), EventLabels.reason(e.reason()),
                            e.getMessage());
                }
            }
            if (ready.isEmpty()) {
                return Arrays.asList(outcomes);
            }
            List<AcceptedFrame> batch = new ArrayList<>(ready.size());
            ready.forEach(i -> batch.add(frames.get(i)));
            long start = System.nanoTime();
            try {
                List<List<ScenePipeline.Face>> faces = detect ? detectAndClassify(lease, batch, recorded)
                        : wholeFrames(model, batch, images);
                if (recorded) {
                    metrics.batch(batch.size(), System.nanoTime() - start);
                }
                for (int k = 0; k < batch.size(); k++) {
                    outcomes[ready.get(k)] = new Outcome(batch.get(k), faces.get(k), model.version(),
                            detectorVersion(lease), batch.size(), null, null);
                }
            } catch (RuntimeException e) {
                if (recorded) {
                    metrics.batchFailed();
                }
                LOG.warn("Batch of {} failed in inference with model {} ({}); retrying frame by frame", batch.size(),
                        model.version(), e.toString());
                for (int k = 0; k < batch.size(); k++) {
                    outcomes[ready.get(k)] = inferOne(lease, batch.get(k), detect ? null : images.get(k), recorded);
                }
            }
        }
        return Arrays.asList(outcomes);
    }

    /** One frame on its own pass, with its own lease; a failure dead-letters only this frame. */
    Outcome inferOne(AcceptedFrame frame) {
        try (ModelHolder.Lease lease = lease(models)) {
            BatchClassifier model = lease.classifier();
            try {
                return inferOne(lease, frame, detect ? null : fitTo(model, frame), true);
            } catch (ImageRejectedException e) {
                return Outcome.failed(frame, model.version(), EventLabels.reason(e.reason()), e.getMessage());
            }
        }
    }

    /** The version events carry right now (for frames that never reached a model). */
    String currentVersion() {
        return models.currentVersion();
    }

    private Outcome inferOne(ModelHolder.Lease lease, AcceptedFrame frame, PreparedImage image, boolean recorded) {
        BatchClassifier model = lease.classifier();
        try {
            long one = System.nanoTime();
            List<ScenePipeline.Face> faces = detect ? detectAndClassify(lease, List.of(frame), recorded).get(0)
                    : wholeFrames(model, List.of(frame), List.of(image)).get(0);
            if (recorded) {
                metrics.batch(1, System.nanoTime() - one);
            }
            return new Outcome(frame, faces, model.version(), detectorVersion(lease), 1, null, null);
        } catch (RuntimeException single) {
            return Outcome.failed(frame, model.version(), DeadLetterReason.INFERENCE_FAILED,
                    "Inference failed for this frame with model " + model.version() + ": " + single);
        }
    }

    /** Whole-frame mode: one forward pass; each frame is one face, the region its preprocessing kept. */
    private List<List<ScenePipeline.Face>> wholeFrames(BatchClassifier model, List<AcceptedFrame> frames,
                                                       List<PreparedImage> images) {
        List<Prediction> predictions = model.classify(images, flipTta, mc);
        List<List<ScenePipeline.Face>> out = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            PreparedImage img = images.get(i);
            Box region = model.preprocessor().wholeFrameRegion(img.sourceWidth(), img.sourceHeight());
            out.add(List.of(new ScenePipeline.Face(new Detection(region, 1f), predictions.get(i))));
        }
        return out;
    }

    /** Detect mode: one detector pass over the frames, one classifier pass over all their crops. */
    private List<List<ScenePipeline.Face>> detectAndClassify(ModelHolder.Lease lease, List<AcceptedFrame> frames,
                                                             boolean recorded) {
        if (lease.detector() == null) {
            throw new IllegalStateException("model " + lease.classifier().version() + " has no face detector and "
                    + ProcessorConfig.DETECTOR_FILE + " is empty");
        }
        List<DecodedImage> decoded = new ArrayList<>(frames.size());
        for (AcceptedFrame f : frames) {
            decoded.add(f.decoded());
        }
        ScenePipeline.Timing[] timing = new ScenePipeline.Timing[1];
        List<List<ScenePipeline.Face>> faces = new ScenePipeline(lease.detector(), mc.on(lease.classifier()),
                lease.cropMargin())
                .run(decoded, flipTta, timing);
        if (recorded) {
            metrics.scene(frames.size(), timing[0].crops(), timing[0].detectNanos(), timing[0].classifyNanos());
        }
        return faces;
    }

    private static String detectorVersion(ModelHolder.Lease lease) {
        return lease.detector() == null ? null : lease.detector().version();
    }

    private static ModelHolder.Lease lease(ModelHolder holder) {
        ModelHolder.Lease lease = holder.acquire();
        if (lease == null) {
            // Cannot happen once the service started (it loads a model first). Failing the task keeps the frames in
            // the store; the next owner classifies them.
            throw new IllegalStateException("No model loaded");
        }
        return lease;
    }

    /** The frame's image at the model's input size; re-prepared if a swap changed the input size. */
    private static PreparedImage fitTo(BatchClassifier model, AcceptedFrame f) throws ImageRejectedException {
        PreparedImage img = f.image();
        InputSpec spec = model.metadata().input();
        if (img.width() == spec.width() && img.height() == spec.height()) {
            return img;
        }
        byte[] bytes = new byte[f.frame().getImage().remaining()];
        f.frame().getImage().duplicate().get(bytes);
        return model.preprocessor().prepare(bytes);
    }
}
