package io.maskstream.evaluation;

import io.maskstream.datasets.CocoDataset;
import io.maskstream.datasets.CocoImage;
import io.maskstream.datasets.CocoResult;
import io.maskstream.datasets.CocoResults;
import io.maskstream.datasets.CocoScenes;
import io.maskstream.events.AgeBand;
import io.maskstream.events.FaceBox;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import io.maskstream.model.Box;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.FaceTracker;
import io.maskstream.model.FaceTracks;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.Prediction;
import io.maskstream.model.ScenePipeline;
import io.maskstream.runtime.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code score} on a COCO folder of scenes: every image through the detector and the classifier as the processor
 * runs them, each sequence's faces tracked as a camera's are, written as a COCO detection results file.
 */
public final class SceneScoring {

    private static final Logger LOG = LoggerFactory.getLogger(SceneScoring.class);

    /** What was written. */
    public record Result(int images, int faces, int failed, double seconds) {
    }

    private SceneScoring() {
    }

    /**
     * Scores the folder's images in file order, in batches of {@code batchSize}; an image that cannot be read is
     * counted as failed and contributes no line.
     */
    public static Result write(Path folder, ScenePipeline pipeline, FaceTracker tracker, int batchSize, boolean flipTta,
                               Path out) throws IOException {
        CocoScenes scenes = CocoDataset.read(folder);
        long start = System.nanoTime();
        List<CocoResult> results = new ArrayList<>();
        Map<String, FaceTracks> tracks = new HashMap<>();
        Map<String, Integer> frameOfSequence = new HashMap<>();
        Progress progress = new Progress("score scenes", scenes.images().size());
        int failed = 0;
        List<CocoImage> batch = new ArrayList<>(batchSize);
        List<DecodedImage> decoded = new ArrayList<>(batchSize);
        List<CocoImage> images = scenes.images();
        for (int i = 0; i < images.size(); i++) {
            CocoImage image = images.get(i);
            try {
                decoded.add(pipeline.classifier().preprocessor().decode(Files.readAllBytes(scenes.file(image))));
                batch.add(image);
            } catch (IOException | ImageRejectedException e) {
                LOG.error("Scene {} cannot be scored: {}", image.relativePath(), e.getMessage());
                failed++;
            }
            if (!batch.isEmpty() && (batch.size() == batchSize || i == images.size() - 1)) {
                List<List<ScenePipeline.Face>> found = pipeline.run(decoded, flipTta);
                for (int k = 0; k < batch.size(); k++) {
                    CocoImage img = batch.get(k);
                    List<ScenePipeline.Face> faces = found.get(k);
                    List<Box> boxes = new ArrayList<>(faces.size());
                    faces.forEach(f -> boxes.add(f.detection().box()));
                    int frame = frameOfSequence.merge(img.sequenceId(), 1, Integer::sum) - 1;
                    long[] ids = tracker.assign(tracks.computeIfAbsent(img.sequenceId(), s -> new FaceTracks()), frame, boxes);
                    for (int f = 0; f < faces.size(); f++) {
                        results.add(result(img.id(), faces.get(f), ids[f]));
                    }
                }
                progress.step(batch.size());
                batch.clear();
                decoded.clear();
            }
        }
        progress.done();
        CocoResults.write(out, results);
        return new Result(images.size(), results.size(), failed, (System.nanoTime() - start) / 1e9);
    }

    private static CocoResult result(long imageId, ScenePipeline.Face face, long trackId) {
        Box b = face.detection().box();
        Prediction p = face.prediction();
        return new CocoResult(imageId, FaceBox.newBuilder().setX((float) b.x()).setY((float) b.y()).setWidth((float) b.w())
                .setHeight((float) b.h()).build(), face.detection().score(), MaskState.values()[p.maskLabel().ordinal()],
                Gender.values()[p.genderLabel().ordinal()], AgeBand.values()[p.ageLabel().ordinal()], trackId);
    }
}
