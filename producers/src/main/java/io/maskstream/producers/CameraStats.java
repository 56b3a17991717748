package io.maskstream.producers;

/**
 * What one camera has done so far.
 *
 * @param cameraId     the camera
 * @param published    frames numbered so far (the next sequence number): handed to Kafka, or refused for their size
 *                     and dead-lettered under their number
 * @param acknowledged frames Kafka acknowledged
 * @param rejected     frames refused for their size (before sending or by the broker)
 * @param failed       frames that failed otherwise (serialization, send errors)
 * @param finished     true once the camera has ended (source exhausted, failed or stopped)
 * @param failure      why the camera ended early, or null
 */
public record CameraStats(String cameraId, long published, long acknowledged, long rejected, long failed,
                          boolean finished, String failure) {
}
