package io.maskstream.processor;

import io.maskstream.events.DeadLetterReason;
import io.maskstream.model.ScenePipeline;
import java.util.List;

/**
 * What inference made of one frame: its faces (in whole-frame mode the one face the frame is), or, when {@code faces}
 * is null, the reason it has none (it becomes a dead letter).
 *
 * @param batchSize frames in the forward pass that classified it
 */
record Outcome(AcceptedFrame frame, List<ScenePipeline.Face> faces, String version, String detectorVersion,
               int batchSize, DeadLetterReason reason, String message) {

    static Outcome failed(AcceptedFrame frame, String version, DeadLetterReason reason, String message) {
        return new Outcome(frame, null, version, null, 0, reason, message);
    }

    boolean classified() {
        return faces != null;
    }
}
