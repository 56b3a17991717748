package io.maskstream.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps libtorch's CPU kernels (oneDNN, ATen's vectorised kernels, MKL) at AVX2 before libtorch starts.
 *
 * <p>Why: on the AVX-512 machines this project is built on (virtualised AMD EPYC), oneDNN's AVX-512
 * convolution kernels returned NaN for finite inputs at random, from once in hundreds of calls to every
 * call depending on machine load; with {@code DNNL_MAX_CPU_ISA=AVX2} thousands of the same calls were all
 * correct. Wrong numbers are worse than a slower kernel, so AVX2 is the default everywhere. The variables
 * are only set when the user has not set them, and {@code -Dmaskstream.cpu.avx512=true} (or environment
 * {@code MASKSTREAM_CPU_AVX512=true}) leaves libtorch's own choice alone on hosts known to be sound.
 *
 * <p>The native libraries read these variables from the process environment when they first need them,
 * which Java cannot change; libc's {@code setenv} can (through JNA, which DJL already ships).
 */
final class CpuKernels {

    /** System property that lets libtorch use AVX-512 kernels. */
    static final String ALLOW_AVX512 = "maskstream.cpu.avx512";

    private static final Logger LOG = LoggerFactory.getLogger(CpuKernels.class);
    private static final String[][] CAPS = {
        {"DNNL_MAX_CPU_ISA", "AVX2"},
        {"ATEN_CPU_CAPABILITY", "avx2"},
        {"MKL_ENABLE_INSTRUCTIONS", "AVX2"},
    };

    private CpuKernels() {
    }

    /** libc's environment functions. */
    public interface LibC extends Library {
        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }

    static void capAtAvx2() {
        if (Boolean.getBoolean(ALLOW_AVX512) || "true".equalsIgnoreCase(System.getenv("MASKSTREAM_CPU_AVX512"))) {
            LOG.info("CPU kernels: libtorch may use AVX-512 ({} set)", ALLOW_AVX512);
            return;
        }
        if (!Platform.isLinux() && !Platform.isMac()) {
            LOG.info("CPU kernels: not capped on this OS; set DNNL_MAX_CPU_ISA=AVX2 if convolutions return NaN");
            return;
        }
        try {
            LibC libc = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
            StringBuilder effective = new StringBuilder();
            for (String[] cap : CAPS) {
                libc.setenv(cap[0], cap[1], 0); // 0: a value the user set wins
                effective.append(effective.length() == 0 ? "" : ", ").append(cap[0]).append('=').append(libc.getenv(cap[0]));
            }
            LOG.info("CPU kernels: {} (AVX-512 kernels gave random NaNs on virtualised hosts; -D{}=true allows them)",
                    effective, ALLOW_AVX512);
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("CPU kernels: could not cap libtorch at AVX2 ({}); set DNNL_MAX_CPU_ISA=AVX2 in the environment "
                    + "if convolutions return NaN", e.toString());
        }
    }
}
