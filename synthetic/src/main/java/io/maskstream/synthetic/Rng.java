package io.maskstream.synthetic;

import java.awt.Color;
import java.util.SplittableRandom;

/**
 * A seeded random stream with the draws the generator needs. Every person and every photo gets its own stream,
 * derived from the generator seed and stable indices, so results never depend on thread scheduling or on how
 * many other images were drawn before.
 */
public final class Rng {

    private final SplittableRandom random;

    public Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A well-mixed seed from a base seed and any number of stream indices. */
    public static long mix(long seed, long... indices) {
        long h = mix64(seed ^ 0x9E3779B97F4A7C15L);
        for (long i : indices) {
            h = mix64(h ^ mix64(i + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public double uniform() {
        return random.nextDouble();
    }

    double uniform(double from, double to) {
        return from + (to - from) * random.nextDouble();
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** An int in [from, to] inclusive. */
    int between(int from, int to) {
        return from + random.nextInt(to - from + 1);
    }

    long nextLong() {
        return random.nextLong();
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    /** Approximately normal (sum of three uniforms), cheap and deterministic. */
    double gaussian(double mean, double sd) {
        double s = random.nextDouble() + random.nextDouble() + random.nextDouble() - 1.5;
        return mean + sd * s * 2.0;
    }

    <T> T pick(T[] options) {
        return options[random.nextInt(options.length)];
    }

    /** An index drawn with the given (not necessarily normalised) weights. */
    int weighted(double... weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    /** {@code base} with each channel moved by up to ±{@code amount}. */
    Color jitter(Color base, int amount) {
        return new Color(clamp(base.getRed() + between(-amount, amount)), clamp(base.getGreen() + between(-amount, amount)),
                clamp(base.getBlue() + between(-amount, amount)));
    }

    static int clamp(int v) {
        return v < 0 ? 0 : Math.min(255, v);
    }

    static double clamp01(double v) {
        return v < 0 ? 0 : Math.min(1, v);
    }
}
