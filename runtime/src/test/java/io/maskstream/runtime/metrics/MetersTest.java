package io.maskstream.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetersTest {

    @Test
    void bindsJvmMetersAndTheResidentAndNativeMemoryGauges() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Meters ignored = Meters.standard(registry)) {
            assertThat(registry.find("jvm.memory.used").gauges()).isNotEmpty();
            assertThat(registry.find("jvm.threads.live").gauge()).isNotNull();
            assertThat(registry.find("jvm.classes.loaded").gauge()).isNotNull();
            assertThat(registry.find("system.cpu.processors").gauge()).isNotNull();
            assertThat(registry.find("process.cpu").functionCounter()).isNotNull();
            assertThat(registry.find("jvm.gc.memory.allocated").counter()).isNotNull();
            double rss = registry.get(Meters.RESIDENT_MEMORY).gauge().value();
            double nativeBytes = registry.get(Meters.NATIVE_MEMORY).gauge().value();
            if (ProcessMemory.STATUS.toFile().exists()) {
                assertThat(rss).isGreaterThan(10 * 1024 * 1024);
                assertThat(nativeBytes).isBetween(0.0, rss);
            }
        }
    }

    @Test
    void parsesKilobyteFieldsOfProcStatus() {
        List<String> status = List.of("Name:\tjava", "VmRSS:\t  204800 kB", "RssAnon:\t  102400 kB", "Threads:\t42");
        assertThat(ProcessMemory.parse(status, "VmRSS:")).isEqualTo(204800.0 * 1024);
        assertThat(ProcessMemory.parse(status, "RssAnon:")).isEqualTo(102400.0 * 1024);
        assertThat(ProcessMemory.parse(status, "Threads:")).isEqualTo(42.0);
        assertThat(ProcessMemory.parse(status, "VmSwap:")).isNaN();
    }

    @Test
    void missingProcFileGivesNaNNotAnException() {
        ProcessMemory none = new ProcessMemory(Path.of("/nonexistent/status"));
        assertThat(none.residentBytes()).isNaN();
        assertThat(Meters.nativeEstimate(none.residentBytes(), 1000)).isNaN();
    }

    @Test
    void nativeEstimateIsResidentMinusJvmCommittedFlooredAtZero() {
        assertThat(Meters.nativeEstimate(1000, 300)).isEqualTo(700);
        assertThat(Meters.nativeEstimate(1000, 3000)).isZero();
    }
}
