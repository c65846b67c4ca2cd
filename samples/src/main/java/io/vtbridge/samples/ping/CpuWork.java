package io.vtbridge.samples.ping;

import java.time.Duration;

/**
 * A fixed amount of pure computation: a xorshift sequence of a given length, whose last value is
 * returned so the JIT cannot drop it. The length is chosen once per JVM, by timing the kernel
 * ({@link #iterationsFor}), and the same length then runs in every mode: the same work, whatever
 * the threads it runs on and however the operating system shares the cores among them.
 *
 * <p><b>Threading:</b> any thread; the calibration is idempotent (two threads may both run it).
 */
final class CpuWork {

    private static volatile double iterationsPerMicro; // 0 until calibrated; written once per JVM (a racing second write is as good)

    private CpuWork() {
    }

    /** Runs {@code iterations} steps of the kernel from {@code seed}; returns the last value. */
    static long run(long iterations, long seed) {
        long x = seed | 1;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** The number of iterations that took {@code work} on this JVM when it was calibrated (at least 1). */
    static long iterationsFor(Duration work) {
        double perMicro = iterationsPerMicro;
        if (perMicro == 0) {
            perMicro = calibrate();
            iterationsPerMicro = perMicro;
        }
        return Math.max(1, Math.round(perMicro * work.toNanos() / 1000.0));
    }

    /** The best of a few timed runs after a warm-up: the kernel's speed on a core of its own. */
    private static double calibrate() {
        long sink = 0;
        long iterations = 1_000_000;
        for (int i = 0; i < 20; i++) {
            sink += run(iterations, i);                    // warm-up: compiled before timing
        }
        double best = 0;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            sink += run(10 * iterations, sink);
            long nanos = Math.max(1, System.nanoTime() - start);
            best = Math.max(best, 10.0 * iterations / (nanos / 1000.0));
        }
        return sink == 42 ? best + 1e-9 : best;            // uses sink: the timed runs cannot be dropped
    }
}
