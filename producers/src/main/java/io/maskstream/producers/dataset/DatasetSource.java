package io.maskstream.producers.dataset;

import io.maskstream.datasets.CocoDataset;
import io.maskstream.datasets.CocoImage;
import io.maskstream.datasets.CocoScenes;
import io.maskstream.datasets.CompetitionDataset;
import io.maskstream.datasets.DatasetException;
import io.maskstream.datasets.DatasetProblem;
import io.maskstream.datasets.DatasetScan;

import io.maskstream.producers.CameraSource;
import io.maskstream.datasets.Capture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scanned dataset as a camera: the train part as labelled captures (published as {@code LabeledFrame}s keyed by
 * person id), or the eval part as plain captures whose source is the ImageID; or a COCO folder of scenes, in
 * {@code file_name} order, as labelled scenes (keyed by sequence id) or as plain frames. Images are read one at a
 * time as the publisher asks for them; an image that cannot be read is reported (naming the file) and skipped, or
 * ends the source with a {@link DatasetException} when {@code failFast}.
 */
public final class DatasetSource implements CameraSource {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetSource.class);

    private final String cameraId;
    private final double fps;
    private final boolean failFast;
    private final boolean labeled;
    /** One reader per image, in publishing order; each throws a {@link DatasetException} for an unreadable image. */
    private final List<Supplier<Capture>> images;
    private final List<DatasetProblem> problems = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger read = new AtomicInteger();
    private int next;

    private DatasetSource(String cameraId, double fps, boolean failFast, boolean labeled, List<Supplier<Capture>> images) {
        if (fps < 0) {
            throw new IllegalArgumentException("fps must be >= 0, was " + fps);
        }
        this.cameraId = cameraId;
        this.fps = fps;
        this.failFast = failFast;
        this.labeled = labeled;
        this.images = List.copyOf(images);
    }

    /** The train part: one labelled capture per image, persons in folder order, photos in stem order. */
    public static DatasetSource labeled(DatasetScan scan, String cameraId, double fps, boolean failFast) {
        List<Supplier<Capture>> images = scan.train().stream().map(i -> (Supplier<Capture>) () -> CompetitionDataset.read(i)).toList();
        return new DatasetSource(cameraId, fps, failFast, true, images);
    }

    /** The eval part: one plain capture per image listed in info.csv, in its order. */
    public static DatasetSource eval(DatasetScan scan, String cameraId, double fps, boolean failFast) {
        List<Supplier<Capture>> images = scan.eval().stream().map(i -> (Supplier<Capture>) () -> CompetitionDataset.read(i)).toList();
        return new DatasetSource(cameraId, fps, failFast, false, images);
    }

    /**
     * A COCO folder of scenes, in {@code file_name} order: with {@code labeled}, captures carrying their faces
     * (published as scene {@code LabeledFrame}s keyed by sequence id); without, plain frames whose source is
     * {@code images/<file>}.
     */
    public static DatasetSource scenes(CocoScenes scenes, String cameraId, double fps, boolean failFast, boolean labeled) {
        List<Supplier<Capture>> images = new ArrayList<>(scenes.images().size());
        for (CocoImage image : scenes.images()) {
            images.add(labeled ? () -> CocoDataset.capture(scenes, image) : () -> unlabeled(CocoDataset.capture(scenes, image)));
        }
        return new DatasetSource(cameraId, fps, failFast, labeled, images);
    }

    private static Capture unlabeled(Capture c) {
        return Capture.of(c.image(), c.contentType(), c.width(), c.height(), c.captureTime(), c.source());
    }

    @Override
    public String cameraId() {
        return cameraId;
    }

    @Override
    public double fps() {
        return fps;
    }

    /** True for the train part and labelled scenes (labelled frames). */
    @Override
    public boolean labeled() {
        return labeled;
    }

    /** Images this source will offer in total. */
    public int size() {
        return images.size();
    }

    @Override
    public Capture next() {
        int total = size();
        while (next < total) {
            int i = next++;
            try {
                Capture c = images.get(i).get();
                int n = read.incrementAndGet();
                if (n % 1000 == 0) {
                    LOG.info("{}: read {} of {} images", cameraId, n, total);
                }
                return c;
            } catch (DatasetException e) {
                if (failFast) {
                    throw e;
                }
                LOG.error("Dataset problem, skipping the image: {}", e.problem());
                problems.add(e.problem());
            }
        }
        return null;
    }

    /** Images read successfully so far. */
    public int imagesRead() {
        return read.get();
    }

    /** Problems met while reading (the scan's own problems are in its summary). */
    public List<DatasetProblem> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    @Override
    public void close() {
        // nothing held open between images
    }
}
