package io.maskstream.model;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
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
 * <p>Once libtorch is loaded, NNPACK is switched off ({@link #disableNnpack()}): on CPUs NNPACK does not support,
 * libtorch 2.7 logs "Could not initialize NNPACK! Reason: Unsupported hardware." to stderr on every convolution
 * oneDNN does not take (small batches of 1x1 convolutions), thousands of lines an hour; and oneDNN takes every
 * convolution NNPACK would (batches of 16 and more), so nothing is lost where NNPACK works.
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

    /**
     * Turns libtorch's NNPACK convolutions off ({@code at::globalContext().setUserEnabledNNPACK(false)}, what Python's
     * {@code torch.backends.nnpack.set_flags(False)} does); DJL has no API for it, so the two C++ symbols are called
     * through JNA. Call after libtorch is loaded; when it cannot be done only a debug line is logged.
     */
    static void disableNnpack() {
        if (!Platform.isLinux()) {
            return;
        }
        Optional<String> library = loadedLibrary("libtorch_cpu.so");
        if (library.isEmpty()) {
            LOG.debug("NNPACK left as is: libtorch_cpu.so is not loaded");
            return;
        }
        try {
            NativeLibrary torch = NativeLibrary.getInstance(library.get());
            Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            Function setNnpack = torch.getFunction("_ZN2at7Context20setUserEnabledNNPACKEb");
            setNnpack.invokeVoid(new Object[] {context, Boolean.FALSE});
            LOG.debug("NNPACK convolutions switched off (oneDNN and ATen kernels remain)");
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("NNPACK left as is: {}", e.toString());
        }
    }

    /** Whether libtorch would use NNPACK ({@code at::globalContext().userEnabledNNPACK()}), empty if unknown. */
    static Optional<Boolean> nnpackEnabled() {
        return loadedLibrary("libtorch_cpu.so").map(path -> {
            NativeLibrary torch = NativeLibrary.getInstance(path);
            Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            Object enabled = torch.getFunction("_ZNK2at7Context17userEnabledNNPACKEv")
                    .invoke(Boolean.class, new Object[] {context});
            return (Boolean) enabled;
        });
    }

    /** The path of a shared library this process has mapped, from /proc/self/maps. */
    private static Optional<String> loadedLibrary(String fileName) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.endsWith("/" + fileName))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
