/**
 * The model: the one place that knows how the 18 classes are numbered, how an encoded image becomes
 * the network's input, which networks exist, how a trained model travels as a bundle, and how a bundle
 * becomes a running {@link io.maskstream.model.Classifier} on the best device DJL finds.
 *
 * <p>The stream processor and the trainer both use this package and nothing else for these things, so
 * training and serving cannot drift apart. Everything here is offline: libtorch comes from the native jar
 * on the classpath ({@link io.maskstream.model.Compute} sets {@code ai.djl.offline=true} before DJL is
 * first touched).
 */
package io.maskstream.model;
