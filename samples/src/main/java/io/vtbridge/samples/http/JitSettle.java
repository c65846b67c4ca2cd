package io.vtbridge.samples.http;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Waits for the JIT to finish what a warm-up queued: the compilations a burst of requests triggers
 * run on the JVM's compiler threads for a while after it, and would otherwise be counted in the
 * first measured run's CPU time.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class JitSettle {

    private static final long STEP_MILLIS = 250;

    private JitSettle() {
    }

    /**
     * How long {@link #await} should wait at most after a warm-up of {@code warmup}: ten times it,
     * between 1 and 20 seconds.
     */
    public static Duration maxWaitAfter(Duration warmup) {
        return Duration.ofMillis(Math.clamp(warmup.toMillis() * 10, 1_000, 20_000));
    }

    /**
     * Returns once the JVM's total compilation time has not grown for two steps of 250 ms in a row,
     * or after {@code max}; at once where the JVM does not report compilation time.
     *
     * @return whether the JIT went quiet within {@code max}
     */
    public static boolean await(Duration max) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return true;
        }
        long deadline = System.nanoTime() + max.toNanos();
        long last = jit.getTotalCompilationTime();
        int quietSteps = 0;
        while (quietSteps < 2) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(STEP_MILLIS);                     // polling a counter: nothing to wait on
            long now = jit.getTotalCompilationTime();
            quietSteps = now == last ? quietSteps + 1 : 0;
            last = now;
        }
        return true;
    }
}
