package io.maskstream.producers.dataset;

import io.maskstream.datasets.CompetitionDataset;
import io.maskstream.datasets.DatasetException;
import io.maskstream.datasets.DatasetProblem;
import io.maskstream.datasets.DatasetScan;
import io.maskstream.datasets.EvalImage;
import io.maskstream.datasets.TrainImage;

import io.maskstream.producers.CameraSource;
import io.maskstream.datasets.Capture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scanned dataset as a camera: the train part as labelled captures (published as {@code LabeledFrame}s keyed by
 * person id), or the eval part as plain captures whose source is the ImageID. Images are read one at a time as
 * the publisher asks for them; an image that cannot be read is reported (naming the file) and skipped, or ends
 * the source with a {@link DatasetException} when {@code failFast}.
 */
public final class DatasetSource implements CameraSource {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetSource.class);

    private final String cameraId;
    private final double fps;
    private final boolean failFast;
    private final boolean labeled;
    private final List<TrainImage> train;
    private final List<EvalImage> eval;
    private final List<DatasetProblem> problems = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger read = new AtomicInteger();
    private int next;

    private DatasetSource(String cameraId, double fps, boolean failFast, boolean labeled, List<TrainImage> train,
                          List<EvalImage> eval) {
        if (fps < 0) {
            throw new IllegalArgumentException("fps must be >= 0, was " + fps);
        }
        this.cameraId = cameraId;
        this.fps = fps;
        this.failFast = failFast;
        this.labeled = labeled;
        this.train = train;
        this.eval = eval;
    }

    /** The train part: one labelled capture per image, persons in folder order, photos in stem order. */
    public static DatasetSource labeled(DatasetScan scan, String cameraId, double fps, boolean failFast) {
        return new DatasetSource(cameraId, fps, failFast, true, scan.train(), List.of());
    }

    /** The eval part: one plain capture per image listed in info.csv, in its order. */
    public static DatasetSource eval(DatasetScan scan, String cameraId, double fps, boolean failFast) {
        return new DatasetSource(cameraId, fps, failFast, false, List.of(), scan.eval());
    }

    @Override
    public String cameraId() {
        return cameraId;
    }

    @Override
    public double fps() {
        return fps;
    }

    /** True for the train part (labelled frames). */
    @Override
    public boolean labeled() {
        return labeled;
    }

    /** Images this source will offer in total. */
    public int size() {
        return labeled ? train.size() : eval.size();
    }

    @Override
    public Capture next() {
        int total = size();
        while (next < total) {
            int i = next++;
            try {
                Capture c = labeled ? CompetitionDataset.read(train.get(i)) : CompetitionDataset.read(eval.get(i));
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
