/**
 * Video files, network streams (RTSP, HTTP, RTMP, ...) and V4L2 webcams through FFmpeg (JavaCV):
 * {@link io.maskstream.producers.video.VideoSource} samples a stream down to the configured fps, JPEG-encodes
 * the frames it keeps, reconnects a dropped live stream with exponential backoff and ends cleanly at the end of
 * a file. {@link io.maskstream.producers.video.StreamAddress} tells files, streams and devices apart and keeps
 * credentials out of every log line and frame.
 */
package io.maskstream.producers.video;
