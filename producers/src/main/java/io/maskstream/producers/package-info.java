/**
 * Cameras to Kafka. A {@link io.maskstream.producers.CameraSource} yields images ({@link io.maskstream.datasets.Capture}s)
 * from the competition dataset layout ({@code dataset}), a synthetic face generator ({@code synthetic}) or FFmpeg
 * video files and live streams ({@code video}); {@link io.maskstream.producers.CameraPublisher} runs many of them in
 * one process, paces each at its own fps, stamps capture time and a per-camera sequence number, and publishes
 * {@code Frame}s (keyed by camera id) or {@code LabeledFrame}s (keyed by person id) with one idempotent producer.
 */
package io.maskstream.producers;
