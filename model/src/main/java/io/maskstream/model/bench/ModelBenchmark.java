package io.maskstream.model.bench;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.maskstream.model.Architectures;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Classifier;
import io.maskstream.model.Compute;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ImageLimits;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.InputSpec;
import io.maskstream.model.McDropout;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.PreparedImage;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Prints, measured in one run on this machine: milliseconds per 384×512 JPEG frame for (a) DJL's default
 * image path, (b) an ImageIO full decode plus one bulk resize, (c) our {@link ImagePreprocessor#prepare}
 * (reduced-scale decode), their ratios; then {@link Classifier} throughput in images/s for fastnet at batch
 * 1, 8, 16, 32 and resnet18 at batch 1 and 16 (untrained weights: speed does not depend on them), with
 * libtorch's default intra-op thread count and with one thread (on a shared machine one thread is often
 * faster: a second OpenMP thread that loses its core stalls every operator at the barrier).
 *
 * <p>Then the lean forward pass ({@code Classifier.load} folds batch norm into the convolutions and keeps their
 * weights channels-last): inference alone (prepared images in, probabilities out, no decode) in ms per frame for
 * fastnet at 96×128 and resnet18 at 192×256, batch 1 and 16, one intra-op thread, the unfolded network
 * ({@code -Dmaskstream.model.fold-batchnorm=false}) against the network as served, measured in alternating rounds so
 * that the drift of a shared machine hits both alike.
 *
 * <p>Then MC-dropout ({@link McDropout}): inference alone as served, one plain pass against 8 MC passes (backbone once,
 * heads 8 times on masked features), alternating rounds, one intra-op thread.
 *
 * <p>Arguments (optional): seconds per measurement (default 4), split into rounds whose median is printed; then
 * {@code fold} to run only the folding comparison, or {@code mc} to run only the MC-dropout one.
 */
public final class ModelBenchmark {

    private static final int SAMPLES = 16;
    /** Each figure is the median of this many rounds: the machines here are shared, so single runs jitter. */
    private static final int ROUNDS = 5;

    /** Rounds of an interleaved comparison: more than {@link #ROUNDS}, as each round is shorter. */
    private static final int AB_ROUNDS = 10;
    /** Classifier.load's switch (BatchNormFolding.PROPERTY in the model package). */
    /** MC-dropout passes measured against one plain pass. */
    private static final int MC_PASSES = 8;
    private static final String FOLD_PROPERTY = "maskstream.model.fold-batchnorm";

    private ModelBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 4.0;
        boolean foldOnly = args.length > 1 && "fold".equals(args[1]);
        boolean mcOnly = args.length > 1 && "mc".equals(args[1]);
        Compute.prepare();
        Compute.engine();
        List<byte[]> jpegs = sampleJpegs();
        if (mcOnly) {
            System.out.printf(Locale.ROOT, "%nmaskstream model benchmark: %d CPU(s) visible to the JVM, load average %s%n",
                    Runtime.getRuntime().availableProcessors(), loadAverage());
            mcDropout(seconds, jpegs);
            return;
        }
        if (foldOnly) {
            System.out.printf(Locale.ROOT, "%nmaskstream model benchmark: %d CPU(s) visible to the JVM, load average %s%n",
                    Runtime.getRuntime().availableProcessors(), loadAverage());
            folding(seconds, jpegs);
            return;
        }
        long totalBytes = 0;
        for (byte[] j : jpegs) {
            totalBytes += j.length;
        }
        InputSpec input = Architectures.defaultInput(Architectures.FASTNET);
        System.out.printf(Locale.ROOT, "%nmaskstream model benchmark: %d CPU(s) visible to the JVM, libtorch intra-op threads %d,"
                        + " %d GPU(s), load average %s%n", Runtime.getRuntime().availableProcessors(), JniUtils.getNumThreads(),
                Compute.gpuCount(), loadAverage());
        System.out.printf(Locale.ROOT, "%d sample JPEGs, 384x512, quality 0.9, mean %.1f KB; target input %dx%d (fastnet)%n%n",
                jpegs.size(), totalBytes / 1024.0 / jpegs.size(), input.width(), input.height());

        double djl = measure("a) DJL default: ImageFactory.fromInputStream + toNDArray + NDImageUtils.resize", seconds,
                jpegs, jpeg -> djlDefault(jpeg, input));
        double full = measure("b) ImageIO full decode + one bilinear drawImage + raster copy", seconds,
                jpegs, jpeg -> fullDecode(jpeg, input));
        ImagePreprocessor preprocessor = new ImagePreprocessor(input, ImageLimits.defaults());
        double ours = measure("c) ImagePreprocessor.prepare (reduced-scale decode)", seconds, jpegs, preprocessor::prepare);
        System.out.printf(Locale.ROOT, "   ratio a/c = %.1fx, b/c = %.1fx%n%n", djl / ours, full / ours);

        int engineDefault = JniUtils.getNumThreads();
        for (int threads : engineDefault == 1 ? new int[] {1} : new int[] {engineDefault, 1}) {
            Compute.engine(new ComputeSettings("auto", threads, 0));
            System.out.printf(Locale.ROOT, "libtorch intra-op threads: %d%s%n", threads,
                    threads == engineDefault ? " (engine default)" : "");
            inference(Architectures.FASTNET, new int[] {1, 8, 16, 32}, seconds, jpegs);
            inference(Architectures.RESNET18, new int[] {1, 16}, seconds, jpegs);
            System.out.println();
        }
        folding(seconds, jpegs);
        mcDropout(seconds, jpegs);
    }

    /** One plain pass against {@link #MC_PASSES} MC-dropout passes, inference alone; see the class comment. */
    private static void mcDropout(double seconds, List<byte[]> jpegs) throws Exception {
        ComputeSettings oneThread = new ComputeSettings("auto", 1, 0);
        Compute.engine(oneThread);
        McDropout mc = new McDropout(MC_PASSES, 0.2, 1);
        System.out.printf(Locale.ROOT, "%nMC-dropout, %d passes of the heads on one backbone pass, against one plain pass: "
                + "inference alone, as served (folded), libtorch intra-op threads %d, ms per frame, median of %d "
                + "alternating rounds of %.2f s each%n", MC_PASSES, JniUtils.getNumThreads(), AB_ROUNDS, seconds / AB_ROUNDS);
        System.out.printf(Locale.ROOT, "%-9s %-8s %5s %10s %10s %10s%n", "arch", "input", "batch", "plain", "mc " + MC_PASSES,
                "mc/plain");
        for (String architecture : new String[] {Architectures.FASTNET, Architectures.RESNET18}) {
            ModelBundle bundle = ModelBundle.untrained(architecture, HeadLayout.MULTI_HEAD, architecture + "-bench", 1);
            try (Classifier classifier = Classifier.load(bundle, oneThread)) {
                InputSpec in = classifier.metadata().input();
                for (int batch : new int[] {1, 16}) {
                    List<PreparedImage> images = batchOf(classifier, jpegs, batch);
                    BatchClassifier sampled = mc.on(classifier);
                    double[] ms = alternating(seconds, images, classifier, sampled);
                    System.out.printf(Locale.ROOT, "%-9s %-8s %5d %10.3f %10.3f %10.3f%n", architecture,
                            in.width() + "x" + in.height(), batch, ms[0] / batch, ms[1] / batch, ms[1] / ms[0]);
                }
            }
        }
    }

    /** Unfolded against folded batch norm, one intra-op thread, inference alone; see the class comment. */
    private static void folding(double seconds, List<byte[]> jpegs) throws Exception {
        ComputeSettings oneThread = new ComputeSettings("auto", 1, 0);
        Compute.engine(oneThread);
        System.out.printf(Locale.ROOT, "%nBatch norm folded into the convolutions (channels-last weights), as served, "
                + "against unfolded: inference alone%n(prepared images to probabilities, no decode), libtorch intra-op "
                + "threads %d, ms per frame, median of %d alternating rounds of %.2f s each%n", JniUtils.getNumThreads(),
                AB_ROUNDS, seconds / AB_ROUNDS);
        System.out.printf(Locale.ROOT, "%-9s %-8s %5s %10s %10s %15s%n", "arch", "input", "batch", "unfolded", "folded",
                "folded/unfolded");
        for (String architecture : new String[] {Architectures.FASTNET, Architectures.RESNET18}) {
            ModelBundle bundle = ModelBundle.untrained(architecture, HeadLayout.MULTI_HEAD, architecture + "-bench", 1);
            Classifier unfolded;
            System.setProperty(FOLD_PROPERTY, "false");
            try {
                unfolded = Classifier.load(bundle, oneThread);
            } finally {
                System.clearProperty(FOLD_PROPERTY);
            }
            try (unfolded; Classifier folded = Classifier.load(bundle, oneThread)) {
                InputSpec in = folded.metadata().input();
                for (int batch : new int[] {1, 16}) {
                    List<PreparedImage> images = batchOf(folded, jpegs, batch);
                    double[] ms = alternating(seconds, images, unfolded, folded);
                    System.out.printf(Locale.ROOT, "%-9s %-8s %5d %10.3f %10.3f %15.3f%n", architecture,
                            in.width() + "x" + in.height(), batch, ms[0] / batch, ms[1] / batch, ms[1] / ms[0]);
                }
            }
        }
    }

    private static List<PreparedImage> batchOf(Classifier classifier, List<byte[]> jpegs, int batch) throws Exception {
        List<PreparedImage> images = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            images.add(classifier.preprocessor().prepare(jpegs.get(i % jpegs.size())));
        }
        return images;
    }

    /**
     * Median ms per batch of each classifier, measured in {@link #AB_ROUNDS} rounds in which each runs for its share of
     * {@code seconds}, the order swapping every round.
     */
    private static double[] alternating(double seconds, List<PreparedImage> images, BatchClassifier... classifiers) {
        for (BatchClassifier c : classifiers) {
            for (int i = 0; i < 3; i++) {
                c.classify(images, false);
            }
        }
        double[][] rounds = new double[classifiers.length][AB_ROUNDS];
        long share = (long) (seconds / AB_ROUNDS * 1e9);
        for (int r = 0; r < AB_ROUNDS; r++) {
            for (int k = 0; k < classifiers.length; k++) {
                int which = r % 2 == 0 ? k : classifiers.length - 1 - k;
                long started = System.nanoTime();
                int batches = 0;
                while (System.nanoTime() - started < share || batches < 2) {
                    classifiers[which].classify(images, false);
                    batches++;
                }
                rounds[which][r] = (System.nanoTime() - started) / 1e6 / batches;
            }
        }
        double[] medians = new double[classifiers.length];
        for (int k = 0; k < classifiers.length; k++) {
            medians[k] = median(rounds[k]);
        }
        return medians;
    }

    private static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private interface Step {
        Object run(byte[] jpeg) throws Exception;
    }

    private static double measure(String name, double seconds, List<byte[]> jpegs, Step step) throws Exception {
        for (int i = 0; i < 2 * jpegs.size(); i++) {
            step.run(jpegs.get(i % jpegs.size()));
        }
        double[] rounds = new double[ROUNDS];
        int total = 0;
        for (int r = 0; r < ROUNDS; r++) {
            long deadline = System.nanoTime() + (long) (seconds / ROUNDS * 1e9);
            long started = System.nanoTime();
            int n = 0;
            while (System.nanoTime() < deadline || n < 4) {
                step.run(jpegs.get((total + n) % jpegs.size()));
                n++;
            }
            rounds[r] = (System.nanoTime() - started) / 1e6 / n;
            total += n;
        }
        double ms = median(rounds);
        System.out.printf(Locale.ROOT, "%-84s %7.3f ms/image (median of %d rounds, %d images)%n", name, ms, ROUNDS, total);
        return ms;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static Object djlDefault(byte[] jpeg, InputSpec input) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Image image = ImageFactory.getInstance().fromInputStream(new ByteArrayInputStream(jpeg));
            NDArray hwc = image.toNDArray(manager);
            return NDImageUtils.resize(hwc, input.width(), input.height()).getShape();
        }
    }

    private static Object fullDecode(byte[] jpeg, InputSpec input) throws IOException {
        BufferedImage decoded = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg)));
        BufferedImage target = new BufferedImage(input.width(), input.height(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = target.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(decoded, 0, 0, input.width(), input.height(), null);
        g.dispose();
        byte[] bgr = ((DataBufferByte) target.getRaster().getDataBuffer()).getData();
        byte[] rgb = new byte[bgr.length];
        for (int i = 0; i < bgr.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
        }
        return rgb;
    }

    private static void inference(String architecture, int[] batchSizes, double seconds, List<byte[]> jpegs) throws Exception {
        ModelBundle bundle = ModelBundle.untrained(architecture, HeadLayout.MULTI_HEAD, architecture + "-bench", 1);
        try (Classifier classifier = Classifier.load(bundle, ComputeSettings.defaults())) {
            InputSpec in = classifier.metadata().input();
            List<PreparedImage> prepared = new ArrayList<>();
            for (byte[] jpeg : jpegs) {
                prepared.add(classifier.preprocessor().prepare(jpeg));
            }
            for (int batch : batchSizes) {
                List<PreparedImage> images = new ArrayList<>(Collections.nCopies(batch, prepared.get(0)));
                for (int i = 0; i < batch; i++) {
                    images.set(i, prepared.get(i % prepared.size()));
                }
                for (int i = 0; i < 3; i++) {
                    classifier.classify(images);
                }
                double[] msPerBatch = new double[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    long deadline = System.nanoTime() + (long) (seconds / ROUNDS * 1e9);
                    long started = System.nanoTime();
                    int batches = 0;
                    while (System.nanoTime() < deadline || batches < 2) {
                        classifier.classify(images);
                        batches++;
                    }
                    msPerBatch[r] = (System.nanoTime() - started) / 1e6 / batches;
                }
                double ms = median(msPerBatch);
                System.out.printf(Locale.ROOT, "Classifier %-8s %dx%d on %s, batch %2d: %8.1f images/s (%.2f ms/batch)%n",
                        architecture, in.width(), in.height(), classifier.device(), batch, batch * 1000 / ms, ms);
            }
        }
    }

    /** Face-like drawings with gradient, shapes and sensor noise, encoded like a camera would (about 50 KB). */
    static List<byte[]> sampleJpegs() throws IOException {
        List<byte[]> out = new ArrayList<>();
        Random random = new Random(7);
        for (int s = 0; s < SAMPLES; s++) {
            BufferedImage image = new BufferedImage(384, 512, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = image.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setPaint(new GradientPaint(0, 0, new Color(random.nextInt(256), 90, 140), 384, 512,
                    new Color(200, random.nextInt(256), 170)));
            g.fillRect(0, 0, 384, 512);
            g.setColor(new Color(180 + random.nextInt(60), 140 + random.nextInt(50), 110 + random.nextInt(50)));
            g.fillOval(96 + random.nextInt(20), 80 + random.nextInt(20), 192, 300);
            g.setColor(new Color(40, 40, 60));
            g.fillOval(150, 200, 24, 18);
            g.fillOval(215, 200, 24, 18);
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            g.fillRoundRect(128, 270, 128, 100, 30, 30);
            g.setStroke(new BasicStroke(3));
            g.setColor(Color.WHITE);
            g.drawLine(128, 300, 0, 250);
            g.drawLine(256, 300, 384, 250);
            g.dispose();
            byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) Math.max(0, Math.min(255, (px[i] & 0xFF) + random.nextInt(13) - 6));
            }
            out.add(jpeg(image, 0.9f));
        }
        return out;
    }

    private static byte[] jpeg(BufferedImage image, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
