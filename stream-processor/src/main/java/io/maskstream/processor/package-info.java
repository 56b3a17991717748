/**
 * The stream processor: {@link io.maskstream.processor.FrameTopology} reads {@code frames}, dead-letters
 * what cannot be read, micro-batches the rest into one forward pass of the active model and emits exactly
 * one {@code Classification} per accepted frame. {@link io.maskstream.processor.StreamProcessorService}
 * runs it and keeps the active model current ({@link io.maskstream.processor.ModelHolder}).
 */
package io.maskstream.processor;
