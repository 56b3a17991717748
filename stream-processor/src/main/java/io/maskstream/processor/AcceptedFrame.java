package io.maskstream.processor;

import io.maskstream.events.Frame;
import io.maskstream.model.PreparedImage;

/**
 * A frame that passed intake: its decoded record, the exact bytes it arrived as (kept for the buffer
 * store and for dead letters), where it was read from and its image ready for the network.
 */
record AcceptedFrame(Frame frame, byte[] rawKey, byte[] rawValue, String topic, int partition, long offset, long timestamp,
                     PreparedImage image) {
}
