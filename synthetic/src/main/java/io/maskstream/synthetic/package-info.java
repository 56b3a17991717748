/**
 * Synthetic face photos for demos and tests, drawn procedurally with Java2D from a seed:
 * {@link io.maskstream.synthetic.SyntheticFaces} (one photo of one person on demand) and
 * {@link io.maskstream.synthetic.SyntheticDataset} (a whole dataset in the competition layout). Same seed, same
 * bytes. The synthetic cameras that stream them live with the other camera sources in {@code producers}.
 */
package io.maskstream.synthetic;
