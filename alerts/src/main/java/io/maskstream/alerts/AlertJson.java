package io.maskstream.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskstream.events.Alert;

/**
 * The JSON body the webhook receives. Field names are spelled out here, not derived from the Avro class,
 * so they stay stable when the schema evolves; times are ISO-8601 UTC strings:
 * <pre>
 * {"alertId":"cam-1/NO_MASK/17","cameraId":"cam-1","kind":"NO_MASK","firstFrameSequence":17,
 *  "lastFrameSequence":23,"firstCaptureTime":"2024-05-01T10:00:00.567Z","lastCaptureTime":"...",
 *  "raisedTime":"...","matchingFrames":5,"windowFrames":10,"peakConfidence":0.97,"modelVersion":"v3"}
 * </pre>
 */
final class AlertJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertJson() {
    }

    static ObjectNode toNode(Alert a) {
        ObjectNode n = JSON.createObjectNode();
        n.put("alertId", a.getAlertId());
        n.put("cameraId", a.getCameraId());
        n.put("kind", a.getKind().name());
        n.put("firstFrameSequence", a.getFirstFrameSequence());
        n.put("lastFrameSequence", a.getLastFrameSequence());
        n.put("firstCaptureTime", a.getFirstCaptureTime().toString());
        n.put("lastCaptureTime", a.getLastCaptureTime().toString());
        n.put("raisedTime", a.getRaisedTime().toString());
        n.put("matchingFrames", a.getMatchingFrames());
        n.put("windowFrames", a.getWindowFrames());
        n.put("peakConfidence", a.getPeakConfidence());
        n.put("modelVersion", a.getModelVersion());
        if (a.getTrackId() != null) {
            n.put("trackId", a.getTrackId());
        }
        if (a.getBox() != null) {
            n.putArray("box").add(a.getBox().getX()).add(a.getBox().getY()).add(a.getBox().getWidth())
                    .add(a.getBox().getHeight());
        }
        return n;
    }

    static String write(Alert a) {
        try {
            return JSON.writeValueAsString(toNode(a));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write alert " + a.getAlertId() + " as JSON", e);
        }
    }
}
