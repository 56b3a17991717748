package io.maskstream.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PyTorch engine and the device a model runs on.
 *
 * <p>Invariants: DJL runs offline (this class sets {@code ai.djl.offline=true} before DJL's engine is
 * first touched; libtorch comes from the native jar on the classpath and nothing is ever downloaded),
 * PyTorch is DJL's default engine although ONNX Runtime is on the classpath too (unless the user names
 * another with {@code ai.djl.default_engine} or {@code DJL_DEFAULT_ENGINE}), and nothing assumes a GPU
 * exists or not: {@code auto} asks DJL how many GPUs it sees.
 *
 * <p>Before libtorch starts, its CPU kernels are capped at AVX2 unless allowed otherwise (see
 * {@link CpuKernels}: AVX-512 convolutions returned random NaNs on the virtualised hosts this is built on).
 *
 * <p>Thread settings are process-wide in libtorch. The first caller's inter-op count is applied before
 * the engine starts (libtorch refuses to change it later); intra-op counts can change at any time and the
 * latest non-zero request wins.
 */
public final class Compute {

    private static final Logger LOG = LoggerFactory.getLogger(Compute.class);
    private static final String ENGINE = "PyTorch";
    /** DJL reads it once, when its Engine class starts; the DJL_DEFAULT_ENGINE environment variable beats it. */
    static final String DEFAULT_ENGINE_PROPERTY = "ai.djl.default_engine";

    static {
        // Must happen before DJL's Engine is initialised anywhere in this JVM; every class of this
        // package that touches DJL calls prepare() first so this initializer has run.
        System.setProperty("ai.djl.offline", "true");
        // Two engines are on the classpath (ONNX Runtime runs pretrained detectors); Model.newInstance(name) and
        // NDManager.newBaseManager() without an engine name must keep meaning PyTorch, whatever DJL's ranking does.
        if (System.getProperty(DEFAULT_ENGINE_PROPERTY) == null) {
            System.setProperty(DEFAULT_ENGINE_PROPERTY, ENGINE);
        }
        CpuKernels.capAtAvx2();
    }

    private static Engine engine;

    private Compute() {
    }

    /**
     * Makes sure the offline switch and the CPU kernel cap are set; a no-op after the first call. Call it
     * (or any other method here) before code outside this package touches DJL.
     */
    public static void prepare() {
        // class initialisation does the work
    }

    /** The PyTorch engine with libtorch's default thread counts (or whatever a previous caller set). */
    public static Engine engine() {
        return engine(ComputeSettings.defaults());
    }

    /** The PyTorch engine, started with the given thread counts if this is the first use. */
    public static synchronized Engine engine(ComputeSettings settings) {
        if (engine == null) {
            if (settings.interOpThreads() > 0) {
                System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(settings.interOpThreads()));
            }
            if (settings.intraOpThreads() > 0) {
                System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(settings.intraOpThreads()));
            }
            try {
                engine = Engine.getEngine(ENGINE);
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot start DJL's PyTorch engine offline; is pytorch-native-cpu (or a "
                        + "CUDA native jar) on the classpath? " + e.getMessage(), e);
            }
            CpuKernels.disableNnpack();
            LOG.info("DJL {} engine {} started offline: {} GPU(s), intra-op threads {}, inter-op threads {}", ENGINE,
                    engine.getVersion(), engine.getGpuCount(), JniUtils.getNumThreads(), JniUtils.getNumInteropThreads());
        } else {
            applyThreads(settings);
        }
        return engine;
    }

    private static void applyThreads(ComputeSettings settings) {
        if (settings.intraOpThreads() > 0 && JniUtils.getNumThreads() != settings.intraOpThreads()) {
            JniUtils.setNumThreads(settings.intraOpThreads());
            LOG.info("Intra-op threads set to {}", settings.intraOpThreads());
        }
        if (settings.interOpThreads() > 0 && JniUtils.getNumInteropThreads() != settings.interOpThreads()) {
            try {
                JniUtils.setNumInteropThreads(settings.interOpThreads());
                LOG.info("Inter-op threads set to {}", settings.interOpThreads());
            } catch (RuntimeException e) {
                LOG.warn("Inter-op threads stay {}: libtorch cannot change them once it has started (asked for {})",
                        JniUtils.getNumInteropThreads(), settings.interOpThreads());
            }
        }
    }

    /** Number of GPUs DJL's PyTorch engine sees (0 here; never assumed). */
    public static int gpuCount() {
        return engine().getGpuCount();
    }

    /**
     * The device named by the settings: {@code auto} is the first GPU when DJL finds one and the CPU
     * otherwise. Logs the choice.
     *
     * @throws IllegalArgumentException if a GPU is asked for that does not exist
     */
    public static Device device(ComputeSettings settings) {
        Engine e = engine(settings);
        int gpus = e.getGpuCount();
        String wanted = settings.device();
        Device device;
        if ("auto".equals(wanted)) {
            device = gpus > 0 ? Device.gpu(0) : Device.cpu();
        } else if ("cpu".equals(wanted)) {
            device = Device.cpu();
        } else {
            int index = "gpu".equals(wanted) ? 0 : Integer.parseInt(wanted.substring("gpu:".length()));
            if (index >= gpus) {
                throw new IllegalArgumentException("device \"" + wanted + "\" was asked for but DJL's PyTorch engine finds "
                        + gpus + " GPU(s) (CUDA needs the pytorch-native-cu* jar or PYTORCH_LIBRARY_PATH); "
                        + "use device \"auto\" or \"cpu\"");
            }
            device = Device.gpu(index);
        }
        LOG.info("Compute device {} (asked for \"{}\", {} GPU(s) visible)", device, wanted, gpus);
        return device;
    }
}
