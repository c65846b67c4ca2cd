package io.vtbridge.testing;

import java.util.concurrent.TimeUnit;

/**
 * CPU work on the calling thread for the tests: a busy wait on the clock, with no yield and no park,
 * so that a bridged thread running it holds its carrier (a mount that long) and a platform thread
 * keeps a core busy.
 *
 * <p><b>Threading:</b> stateless.
 */
public final class Cpu {

    private Cpu() {
    }

    /** Spins for {@code nanos}. */
    public static void spinNanos(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** Spins for {@code micros} µs. */
    public static void spinMicros(long micros) {
        spinNanos(TimeUnit.MICROSECONDS.toNanos(micros));
    }

    /** Spins for {@code millis} ms. */
    public static void spinMillis(long millis) {
        spinNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
