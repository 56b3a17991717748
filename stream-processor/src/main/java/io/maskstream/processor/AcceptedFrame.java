package io.maskstream.processor;

import io.maskstream.events.Frame;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.PreparedImage;

/**
 * A frame that passed intake: its decoded record, the exact bytes it arrived as (kept for the buffer
 * store and for dead letters), where it was read from and its image: in whole-frame mode {@code image}, ready for the
 * classifier; in detect mode {@code decoded}, the full-resolution frame faces are found in and cut from.
 *
 * @param timestamp           the record timestamp the processor trusts (see {@link CaptureClock})
 * @param originalCaptureTime the capture time the frame carried when {@link CaptureClock} replaced it (the frame's
 *                            captureTime then holds the processor's clock), else null
 */
record AcceptedFrame(Frame frame, byte[] rawKey, byte[] rawValue, String topic, int partition, long offset, long timestamp,
                     PreparedImage image, DecodedImage decoded, Long originalCaptureTime) {
}
