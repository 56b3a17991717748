package io.maskstream.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where and with how many threads a model runs. {@code device} is {@code "auto"} (the first GPU DJL
 * finds, else the CPU), {@code "cpu"}, {@code "gpu"} (the first GPU; an error if there is none) or
 * {@code "gpu:N"}. Thread counts of 0 keep libtorch's defaults; intra-op threads parallelise one
 * operator, inter-op threads run independent operators (see {@link Compute}).
 */
public record ComputeSettings(String device, int intraOpThreads, int interOpThreads) {

    private static final Pattern DEVICE = Pattern.compile("auto|cpu|gpu|gpu:\\d{1,3}");

    /** Validates and normalises the device name to lower case. */
    public ComputeSettings {
        device = device == null ? "" : device.trim().toLowerCase(Locale.ROOT);
        if (!DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("device must be auto, cpu, gpu or gpu:N, got \"" + device + "\"");
        }
        if (intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException("thread counts must be >= 0 (0 = engine default), got intra-op "
                    + intraOpThreads + ", inter-op " + interOpThreads);
        }
    }

    /** Best device, libtorch's default thread counts. */
    public static ComputeSettings defaults() {
        return new ComputeSettings("auto", 0, 0);
    }
}
