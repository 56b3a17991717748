/**
 * Synthetic face photos for demos and tests, drawn procedurally with Java2D from a seed:
 * {@link io.maskstream.producers.synthetic.SyntheticFaces} (one photo of one person on demand),
 * {@link io.maskstream.producers.synthetic.SyntheticDataset} (a whole dataset in the competition layout) and
 * {@link io.maskstream.producers.synthetic.SyntheticCamera} (a live camera following a
 * {@link io.maskstream.producers.synthetic.Scenario}). Same seed, same bytes.
 */
package io.maskstream.producers.synthetic;
