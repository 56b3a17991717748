/**
 * Synthetic cameras: {@link io.maskstream.producers.synthetic.SyntheticCamera} streams synthetic people following a
 * {@link io.maskstream.producers.synthetic.Scenario}; {@link io.maskstream.producers.synthetic.LabeledSyntheticCamera}
 * streams them with their ground truth.
 */
package io.maskstream.producers.synthetic;
