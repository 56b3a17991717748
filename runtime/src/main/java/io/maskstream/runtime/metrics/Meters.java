package io.maskstream.runtime.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;

/**
 * The meters every maskstream process shares, bound once per registry: JVM memory pools and buffers, GC
 * pauses and allocation, threads, class loading, CPU, uptime, open files, and two process-level gauges the
 * JVM cannot give:
 * <ul>
 *   <li>{@value #RESIDENT_MEMORY} — the kernel's resident set size ({@code VmRSS} of
 *       {@code /proc/self/status}): what the machine actually pays for this process.</li>
 *   <li>{@value #NATIVE_MEMORY} — an <em>estimate</em> of memory outside the JVM's heap and non-heap
 *       pools: resident size minus the JVM's committed heap and non-heap memory, floored at 0. It holds
 *       libtorch's (DJL/PyTorch) CPU tensors and weights, direct buffers, malloc arenas, thread stacks and
 *       mapped native libraries. DJL exposes no counter of PyTorch's CPU allocator, so this estimate is the
 *       way to watch it: a native leak shows as this gauge growing while the heap does not. It is an
 *       under-estimate while committed heap pages are not yet resident. (GPU memory, where a GPU exists,
 *       is the processor's to report.)</li>
 * </ul>
 * Both are NaN where {@code /proc} does not exist. CPU meters are Micrometer's {@code ProcessorMetrics} under
 * names that pass {@code promtool check metrics}: {@code process.cpu} in seconds (Prometheus's usual
 * {@code process_cpu_seconds_total}, not {@code _ns}) and {@code system.cpu.processors} (not {@code _count},
 * which Prometheus reserves for histograms and summaries). Close the returned handle to unhook the GC listener.
 */
public final class Meters implements AutoCloseable {

    public static final String RESIDENT_MEMORY = "maskstream.process.resident.memory.bytes";
    public static final String NATIVE_MEMORY = "maskstream.process.native.memory.bytes";

    private final JvmGcMetrics gc;

    private Meters(JvmGcMetrics gc) {
        this.gc = gc;
    }

    /** Binds the standard meters to {@code registry}; call once per registry (twice would count GC twice). */
    public static Meters standard(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        processors(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        processMemory(registry, new ProcessMemory(ProcessMemory.STATUS));
        return new Meters(gc);
    }

    /** System and process CPU usage, load average, processors and process CPU time. */
    static void processors(MeterRegistry registry) {
        Runtime runtime = Runtime.getRuntime();
        Gauge.builder("system.cpu.processors", runtime, Runtime::availableProcessors)
                .description("Processors available to the JVM").register(registry);
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os.getSystemLoadAverage() >= 0) {
            Gauge.builder("system.load.average.1m", os, OperatingSystemMXBean::getSystemLoadAverage)
                    .description("Run queue length plus running processes, averaged over a minute").register(registry);
        }
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            Gauge.builder("system.cpu.usage", sun, com.sun.management.OperatingSystemMXBean::getCpuLoad)
                    .description("Recent CPU usage of the whole machine (0..1)").register(registry);
            Gauge.builder("process.cpu.usage", sun, com.sun.management.OperatingSystemMXBean::getProcessCpuLoad)
                    .description("Recent CPU usage of this process (0..1 of the whole machine)").register(registry);
            FunctionCounter.builder("process.cpu", sun, b -> b.getProcessCpuTime() < 0 ? Double.NaN
                            : b.getProcessCpuTime() / 1e9)
                    .description("CPU time used by this process").baseUnit("seconds").register(registry);
        }
    }

    static void processMemory(MeterRegistry registry, ProcessMemory memory) {
        MemoryMXBean jvm = ManagementFactory.getMemoryMXBean();
        Gauge.builder(RESIDENT_MEMORY, memory, ProcessMemory::residentBytes)
                .description("Resident set size of the process (VmRSS), native memory included")
                .baseUnit("bytes").strongReference(true).register(registry);
        Gauge.builder(NATIVE_MEMORY, memory, m -> nativeEstimate(m.residentBytes(),
                        jvm.getHeapMemoryUsage().getCommitted() + jvm.getNonHeapMemoryUsage().getCommitted()))
                .description("Estimated memory outside the JVM heap and non-heap pools (DJL/PyTorch tensors, direct "
                        + "buffers, malloc, thread stacks): resident size minus JVM committed memory")
                .baseUnit("bytes").strongReference(true).register(registry);
    }

    /** Resident minus JVM-committed bytes, floored at 0; NaN when the resident size is unknown. */
    static double nativeEstimate(double residentBytes, long jvmCommittedBytes) {
        if (Double.isNaN(residentBytes)) {
            return Double.NaN;
        }
        return Math.max(0, residentBytes - jvmCommittedBytes);
    }

    /** Unhooks the GC notification listener; the other meters stay registered (their registry owns them). */
    @Override
    public void close() {
        gc.close();
    }
}
