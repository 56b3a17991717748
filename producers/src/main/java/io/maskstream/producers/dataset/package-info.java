/** A folder in the competition layout as a camera source ({@link io.maskstream.producers.dataset.DatasetSource}). */
package io.maskstream.producers.dataset;
