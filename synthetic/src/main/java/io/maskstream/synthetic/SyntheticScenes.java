package io.maskstream.synthetic;

import io.maskstream.datasets.Capture;
import io.maskstream.datasets.CocoDataset;
import io.maskstream.datasets.CocoImage;
import io.maskstream.datasets.ImageCodec;
import io.maskstream.datasets.SceneFace;
import io.maskstream.datasets.SceneLabel;
import io.maskstream.events.FaceBox;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deterministic generator of camera scenes: a room and the people walking through it, frame by frame. Frame
 * {@code (sequence, frame)} has the same bytes and the same ground truth in every run, whatever else was generated
 * before or in parallel. Thread-safe (it holds no mutable state).
 *
 * <p>A sequence is one fixed camera: one room (the backdrops of {@link SyntheticFaces}' portraits, over the whole
 * frame) and 0 to {@link SceneOptions#maxPeople()} distinct people of the {@link SyntheticFaces} population, each
 * with a mask state drawn for the sequence (worn, incorrect and none equally likely) and one of three walks:
 * crossing the frame (walking in at one side and out at the other, so frames at the ends may be empty),
 * wandering in place, or approaching the camera (growing). Paths are straight lines bent by a gentle arc, so a
 * face moves smoothly from frame to frame. Nearer (larger) people are drawn last, in front.
 *
 * <p>The ground-truth box of a face is always the same region: the face outline from the forehead line to the
 * chin, cheek to cheek (no ears, no hair; see {@link FaceRenderer#faceBox}), mapped to frame pixels and clipped
 * to the frame. A face less than {@value #MIN_VISIBLE_SHARE} visible (out of frame or behind a nearer person) or
 * whose clipped box is under {@value #MIN_BOX_PIXELS} pixels on a side is not labelled: nobody could find it.
 */
public final class SyntheticScenes {

    private static final Logger LOG = LoggerFactory.getLogger(SyntheticScenes.class);

    /** Share of a face that must be visible (inside the frame, not hidden by someone nearer) for it to be labelled. */
    public static final double MIN_VISIBLE_SHARE = 0.3;
    /** Smallest side, in pixels, of a labelled (clipped) face box. */
    public static final double MIN_BOX_PIXELS = 4;

    private static final MaskState[] STATES = MaskState.values();
    private static final int GRID = 12;

    private final SyntheticFaces faces;
    private final SceneOptions options;

    public SyntheticScenes(SyntheticFaces faces, SceneOptions options) {
        this.faces = Objects.requireNonNull(faces, "faces");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The default scenes of the default population of {@code seed}. */
    public static SyntheticScenes defaults(long seed) {
        return new SyntheticScenes(new SyntheticFaces(SyntheticOptions.defaults(seed)), SceneOptions.defaults());
    }

    public SceneOptions options() {
        return options;
    }

    public SyntheticFaces faces() {
        return faces;
    }

    /** The id of sequence {@code index}: {@code seq0003}. */
    public static String sequenceId(int index) {
        return String.format("seq%04d", index);
    }

    /** Frame {@code frame} (0..framesPerSequence-1) of sequence {@code sequence}, as JPEG with its ground truth. */
    public Scene scene(int sequence, int frame) {
        Rendered r = render(sequence, frame);
        return new Scene(sequenceId(sequence), frame, ImageCodec.jpeg(r.image, options.jpegQuality()), options.width(),
                options.height(), r.faces);
    }

    /**
     * The frame as a labelled scene capture, as a COCO folder of these scenes would yield it (source
     * {@code images/<file>}, keyed by the sequence id): e.g. for a synthetic scene camera.
     */
    public Capture capture(int sequence, int frame, Instant captureTime) {
        Scene s = scene(sequence, frame);
        String path = CocoDataset.IMAGES + "/" + s.fileName();
        return Capture.ofScene(s.jpeg(), ImageCodec.JPEG, s.width(), s.height(), captureTime, path,
                new SceneLabel(s.sequenceId(), s.faces(), path));
    }

    /** The frame's pixels (3-byte BGR) and its ground truth. */
    public Rendered render(int sequence, int frame) {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
        if (frame < 0 || frame >= options.framesPerSequence()) {
            throw new IllegalArgumentException("frame must be 0.." + (options.framesPerSequence() - 1) + ", was " + frame);
        }
        Plan plan = plan(sequence);
        int w = options.width();
        int h = options.height();
        double t = options.framesPerSequence() == 1 ? 0.5 : frame / (double) (options.framesPerSequence() - 1);
        List<Placed> present = new ArrayList<>();
        for (int i = 0; i < plan.walkers.size(); i++) {
            Walker k = plan.walkers.get(i);
            Placed p = k.at(t, w, h, i);
            if (p != null) {
                present.add(p);
            }
        }
        present.sort(Comparator.comparingDouble((Placed p) -> p.unit).thenComparingInt(p -> p.order));

        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = FaceRenderer.graphics(img);
        try {
            FaceRenderer.background(img, g, plan.room, plan.shot, w, h);
            for (Placed p : present) {
                FaceRenderer.drawStandingPerson(g, p.walker.look, p.walker.photo, p.placement);
            }
        } finally {
            g.dispose();
        }
        FaceRenderer.sensor(img, plan.shot, Rng.mix(faces.options().seed(), 22, sequence, frame));

        List<SceneFace> truth = new ArrayList<>();
        Area nearer = new Area();
        Rectangle2D frameRect = new Rectangle2D.Double(0, 0, w, h);
        for (int i = present.size() - 1; i >= 0; i--) { // front to back: everyone drawn later hides this face
            Placed p = present.get(i);
            SceneFace face = label(p, nearer, frameRect);
            if (face != null) {
                truth.add(0, face);
            }
            nearer.add(FaceRenderer.silhouette(p.walker.look, p.placement));
        }
        return new Rendered(img, truth);
    }

    /**
     * A frame's pixels and its faces (drawing order: nearest last).
     *
     * @param image the frame, 3-byte BGR
     * @param faces its labelled faces
     */
    public record Rendered(BufferedImage image, List<SceneFace> faces) {
        public Rendered {
            faces = List.copyOf(faces);
        }
    }

    /** The face of a placed person, or null when it is not visible enough to be labelled. */
    private static SceneFace label(Placed p, Area nearer, Rectangle2D frameRect) {
        Rectangle2D full = FaceRenderer.faceBox(p.walker.look, p.placement);
        Rectangle2D clipped = full.createIntersection(frameRect);
        if (clipped.isEmpty() || clipped.getWidth() < MIN_BOX_PIXELS || clipped.getHeight() < MIN_BOX_PIXELS) {
            return null;
        }
        Area region = FaceRenderer.faceRegion(p.walker.look).createTransformedArea(p.placement);
        int inFace = 0;
        int seen = 0;
        Point2D.Double pt = new Point2D.Double();
        for (int gy = 0; gy < GRID; gy++) {
            for (int gx = 0; gx < GRID; gx++) {
                pt.x = full.getX() + (gx + 0.5) * full.getWidth() / GRID;
                pt.y = full.getY() + (gy + 0.5) * full.getHeight() / GRID;
                if (!region.contains(pt)) {
                    continue;
                }
                inFace++;
                if (frameRect.contains(pt) && !nearer.contains(pt)) {
                    seen++;
                }
            }
        }
        if (inFace == 0 || seen < MIN_VISIBLE_SHARE * inFace) {
            return null;
        }
        SyntheticPerson person = p.walker.person;
        return new SceneFace(box(clipped, frameRect), p.walker.photo.maskState, person.gender(), person.age(),
                person.id());
    }

    /** The clipped box rounded to 1/100 pixel, never reaching past the frame once rounded. */
    private static FaceBox box(Rectangle2D r, Rectangle2D frameRect) {
        float x = round(r.getX());
        float y = round(r.getY());
        float bw = fit(x, round(r.getMaxX() - x), frameRect.getWidth());
        float bh = fit(y, round(r.getMaxY() - y), frameRect.getHeight());
        return new FaceBox(x, y, bw, bh);
    }

    private static float round(double v) {
        return (float) (Math.round(v * 100) / 100.0);
    }

    private static float fit(float from, float size, double limit) {
        float s = size;
        while ((double) from + s > limit) {
            s = Math.nextDown(s);
        }
        return s;
    }

    // ---------------------------------------------------------------- planning a sequence

    /** Everything about a sequence that does not change from frame to frame. */
    private record Plan(Appearance room, Photo shot, List<Walker> walkers) {
    }

    private Plan plan(int sequence) {
        long seed = faces.options().seed();
        // the room is the one a portrait of a made-up person would have been taken in
        Appearance room = new Appearance(Gender.FEMALE, 30, new Rng(Rng.mix(seed, 20, sequence)));
        Photo shot = new Photo(MaskState.NONE, new Rng(Rng.mix(seed, 21, sequence)), faces.options());
        Rng r = new Rng(Rng.mix(seed, 23, sequence));
        int people = options.maxPeople() == 0 || r.chance(options.emptySequenceShare()) ? 0 : r.between(1, options.maxPeople());
        Set<Integer> chosen = new HashSet<>();
        List<Walker> walkers = new ArrayList<>(people);
        for (int i = 0; i < people; i++) {
            int index;
            do {
                index = r.nextInt(options.population());
            } while (!chosen.add(index));
            SyntheticPerson person = faces.person(index);
            MaskState state = STATES[r.nextInt(STATES.length)];
            Photo photo = faces.photo(person, state, 1_000_000L + sequence);
            walkers.add(Walker.draw(person, faces.appearance(person), photo, r, options));
        }
        return new Plan(room, shot, walkers);
    }

    /** Where a person is at a frame: its drawing transform and size. */
    private record Placed(Walker walker, AffineTransform placement, double unit, int order) {
    }

    /**
     * One person's walk through a sequence, in sequence time {@code t} (0 at the first frame, 1 at the last): from
     * {@code (x0, y0)} at {@code t0} to {@code (x1, y1)} at {@code t1}, bent sideways by {@code bend} (a fraction of
     * the path's length) at its middle, the face growing from {@code size0} to {@code size1} (shares of the frame
     * width). Outside {@code [t0, t1]} the person is not in the room.
     */
    private record Walker(SyntheticPerson person, Appearance look, Photo photo, double t0, double t1, double x0,
                          double y0, double x1, double y1, double bend, double size0, double size1) {

        static Walker draw(SyntheticPerson person, Appearance look, Photo photo, Rng r, SceneOptions o) {
            double min = o.minFaceShare();
            double max = o.maxFaceShare();
            int kind = r.weighted(0.45, 0.35, 0.2); // crossing, wandering, approaching
            double bend = r.gaussian(0, 0.08);
            double y0 = r.uniform(0.18, 0.82);
            if (kind == 0) {
                double size = min * Math.pow(max / min, r.uniform());
                double size1 = size * r.uniform(0.9, 1.12);
                double margin = 1.7 * Math.max(size, size1); // the whole body off-frame, in frame widths
                boolean leftToRight = r.chance(0.5);
                double duration = r.uniform(1.0, 2.5);
                double t0 = r.uniform(-(duration - 0.4), 0.5);
                double from = leftToRight ? -margin : 1 + margin;
                double to = leftToRight ? 1 + margin : -margin;
                return new Walker(person, look, photo, t0, t0 + duration, from, y0, to, y0 + r.gaussian(0, 0.08),
                        bend, size, Math.min(max, size1));
            }
            if (kind == 1) {
                double size = min * Math.pow(max / min, r.uniform());
                double x0 = r.uniform(0.03, 0.97);
                return new Walker(person, look, photo, 0, 1, x0, y0, x0 + r.gaussian(0, 0.15), y0 + r.gaussian(0, 0.06),
                        bend, size, Math.min(max, size * r.uniform(0.92, 1.08)));
            }
            double grow = r.uniform(1.3, 1.8);
            double size = min * Math.pow(max / grow / min, r.uniform());
            double x0 = r.uniform(0.1, 0.9);
            return new Walker(person, look, photo, 0, 1, x0, y0, x0 + r.gaussian(0, 0.1), y0 + r.uniform(0.05, 0.2),
                    bend * 0.5, size, Math.min(max, size * grow));
        }

        /** Where the person is at sequence time {@code t}, or null when not in the room. */
        Placed at(double t, int width, int height, int order) {
            if (t < t0 || t > t1) {
                return null;
            }
            double u = (t - t0) / (t1 - t0);
            // positions in frame widths (x) and heights (y), then pixels
            double dx = (x1 - x0) * width;
            double dy = (y1 - y0) * height;
            double len = Math.hypot(dx, dy);
            double arc = Math.sin(Math.PI * u) * bend * len;
            double nx = len == 0 ? 0 : -dy / len;
            double ny = len == 0 ? 0 : dx / len;
            double cx = x0 * width + dx * u + nx * arc;
            double cy = y0 * height + dy * u + ny * arc;
            double faceWidth = (size0 + (size1 - size0) * u) * width;
            double unit = faceWidth / (2 * look.faceHalfWidth * 1.03);
            // cy is where the face box's middle is: face space's origin sits a little above it
            double originY = cy - unit * ((look.chinY + FaceRenderer.FOREHEAD_Y) / 2);
            return new Placed(this, FaceRenderer.placement(photo, cx, originY, unit), unit, order);
        }
    }

    // ---------------------------------------------------------------- a whole COCO folder

    /**
     * What {@link #writeCoco} wrote.
     *
     * @param root        the folder
     * @param sequences   sequences written
     * @param frames      frames (images) written
     * @param faces       face annotations
     * @param emptyFrames frames with no labelled face
     * @param byMask      faces per mask state
     * @param bytes       total bytes of the image files
     * @param took        wall-clock time
     */
    public record Summary(Path root, int sequences, int frames, int faces, int emptyFrames,
                          Map<MaskState, Integer> byMask, long bytes, Duration took) {

        public String describe() {
            return sequences + " sequences, " + frames + " frames (" + emptyFrames + " without a face), " + faces
                    + " faces " + byMask + ", " + bytes / 1024 + " KiB, in " + took.toMillis() + " ms";
        }
    }

    /**
     * Writes sequences {@code 0..sequences-1}, every frame of each, as a COCO folder: {@code images/seq0000_0000.jpg}
     * ... and {@code annotations.json} (image ids {@code sequence × framesPerSequence + frame + 1}). The output
     * depends only on the generator and the count, not on {@code threads}.
     *
     * @throws IOException when {@code root} already holds an {@code annotations.json} or writing fails
     */
    public Summary writeCoco(Path root, int sequences, int threads) throws IOException, InterruptedException {
        if (sequences < 0) {
            throw new IllegalArgumentException("sequences must be >= 0, was " + sequences);
        }
        if (Files.exists(root.resolve(CocoDataset.ANNOTATIONS))) {
            throw new IOException(root + " already holds a COCO dataset (" + CocoDataset.ANNOTATIONS
                    + "); choose an empty directory");
        }
        long start = System.nanoTime();
        Path images = root.resolve(CocoDataset.IMAGES);
        Files.createDirectories(images);
        int perSequence = options.framesPerSequence();
        int total = sequences * perSequence;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "synthetic-scenes");
            t.setDaemon(true);
            return t;
        });
        List<Future<Scene>> futures = new ArrayList<>(total);
        try {
            for (int s = 0; s < sequences; s++) {
                for (int f = 0; f < perSequence; f++) {
                    final int seq = s;
                    final int frame = f;
                    futures.add(pool.submit(() -> {
                        Scene scene = scene(seq, frame);
                        try {
                            Files.write(images.resolve(scene.fileName()), scene.jpeg());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        return scene;
                    }));
                }
            }
            List<CocoImage> entries = new ArrayList<>(total);
            Map<MaskState, Integer> byMask = new EnumMap<>(MaskState.class);
            int faceCount = 0;
            int empty = 0;
            long bytes = 0;
            for (int i = 0; i < futures.size(); i++) {
                Scene scene;
                try {
                    scene = futures.get(i).get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof UncheckedIOException u) {
                        throw u.getCause();
                    }
                    throw new IOException("Writing the synthetic scenes failed: " + cause, cause);
                }
                entries.add(new CocoImage(i + 1L, scene.fileName(), scene.width(), scene.height(), scene.sequenceId(),
                        scene.faces()));
                faceCount += scene.faces().size();
                empty += scene.faces().isEmpty() ? 1 : 0;
                bytes += scene.jpeg().length;
                scene.faces().forEach(face -> byMask.merge(face.maskState(), 1, Integer::sum));
            }
            CocoDataset.write(root, entries);
            Summary summary = new Summary(root, sequences, total, faceCount, empty, byMask, bytes,
                    Duration.ofNanos(System.nanoTime() - start));
            LOG.info("Synthetic scenes {}: {}", root, summary.describe());
            return summary;
        } finally {
            pool.shutdownNow();
        }
    }
}
