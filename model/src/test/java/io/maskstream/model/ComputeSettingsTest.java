package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;

class ComputeSettingsTest {

    @Test
    void defaultsAreAutoDeviceAndEngineThreads() {
        assertThat(ComputeSettings.defaults()).isEqualTo(new ComputeSettings("auto", 0, 0));
        assertThat(new ComputeSettings(" GPU:1 ", 2, 1).device()).isEqualTo("gpu:1");
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> new ComputeSettings("tpu", 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tpu");
        assertThatThrownBy(() -> new ComputeSettings("cpu", -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void autoPicksAGpuOnlyWhenDjlFindsOne() {
        Device device = Compute.device(ComputeSettings.defaults());
        if (Compute.gpuCount() > 0) {
            assertThat(device.isGpu()).isTrue();
        } else {
            assertThat(device).isEqualTo(Device.cpu());
        }
        assertThat(Compute.device(new ComputeSettings("cpu", 0, 0))).isEqualTo(Device.cpu());
    }

    @Test
    void askingForAGpuThatDoesNotExistIsAClearError() {
        String missing = "gpu:" + Compute.gpuCount();
        assertThatThrownBy(() -> Compute.device(new ComputeSettings(missing, 0, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finds " + Compute.gpuCount() + " GPU");
    }

    @Test
    void libtorchCpuKernelsAreCappedAtAvx2UnlessTheUserChoseOtherwise() {
        Compute.prepare();
        assumeTrue(System.getenv("MASKSTREAM_CPU_AVX512") == null && !Boolean.getBoolean(CpuKernels.ALLOW_AVX512));
        CpuKernels.LibC libc = Native.load(Platform.C_LIBRARY_NAME, CpuKernels.LibC.class);
        String chosen = System.getenv("DNNL_MAX_CPU_ISA");

        assertThat(libc.getenv("DNNL_MAX_CPU_ISA")).isEqualTo(chosen != null ? chosen : "AVX2");
    }

    @Test
    void nnpackIsSwitchedOffOnceLibtorchRuns() {
        Compute.engine();
        assumeTrue(Platform.isLinux());

        assertThat(CpuKernels.nnpackEnabled()).contains(false);
    }

    @Test
    void runsOffline() {
        Compute.engine();
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    }
}
