package io.maskstream.datasets;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link CocoDataset#read} found in a COCO folder.
 *
 * @param root            the folder
 * @param images          every image, in {@code file_name} order
 * @param faces           face annotations kept
 * @param clipped         face boxes that reached outside their image and were clipped to it
 * @param outside         face boxes wholly outside their image, dropped
 * @param otherCategories annotations of other categories than {@code face} (or crowd regions), ignored
 */
public record CocoScenes(Path root, List<CocoImage> images, int faces, int clipped, int outside, int otherCategories) {

    public CocoScenes {
        images = List.copyOf(images);
    }

    /** Where an image's file is. */
    public Path file(CocoImage image) {
        return root.resolve(image.relativePath());
    }

    /** How many sequences the images belong to. */
    public long sequences() {
        return images.stream().map(CocoImage::sequenceId).distinct().count();
    }

    /** One line for a log or a terminal. */
    public String describe() {
        return images.size() + " images in " + sequences() + " sequences, " + faces + " faces; " + clipped
                + " boxes clipped to their image, " + outside + " outside it dropped, " + otherCategories
                + " annotations of other categories ignored";
    }
}
