/**
 * Retraining: {@link io.maskstream.trainer.TrainingSet} loads labeled frames (a topic range or a dataset folder)
 * once, {@link io.maskstream.trainer.PersonSplit} holds out whole persons, {@link io.maskstream.trainer.ModelTrainer}
 * trains with the competition's techniques (multi-head or 18-way, weighted/focal/smoothed losses, balanced
 * sampling, augmentation, age-band shift, flip TTA at evaluation, early stopping on macro-F1), and
 * {@link io.maskstream.trainer.Releases} publishes the result and promotes it only when it beats the active model.
 */
package io.maskstream.trainer;
