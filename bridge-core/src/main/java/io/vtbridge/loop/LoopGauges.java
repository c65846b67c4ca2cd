package io.vtbridge.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The gauges of one loop that monitoring threads read while it runs: the local run queue's length,
 * the pending loop timers, the longest iteration, and when the current iteration began (the stall
 * watchdog's input).
 *
 * <p><b>Threading:</b> written only by the loop's owner ({@code setOpaque}, single writer); read from
 * any thread ({@code getOpaque}): a reader never sees a torn value, and may see a slightly old one.
 */
final class LoopGauges {

    private static final VarHandle GAUGE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int LOCAL = 0;        // local run queue length after the last working iteration
    private static final int TIMERS = 1;       // loop timers pending after the last working iteration
    private static final int LONGEST = 2;      // the longest working iteration so far, in nanoseconds
    private static final int BUSY_SINCE = 3;   // nanoTime when the current iteration began; 0 while idle (parked)
    private static final int TURN_MOUNTS = 4;  // the MOUNTS counter when the current iteration began

    private final long[] gauges = new long[5]; // setOpaque by the loop owner, getOpaque by readers

    /** An iteration begins at {@code start} (a {@link System#nanoTime()}), after {@code mounts} mounts so far. Owner only. */
    void busy(long start, long mounts) {
        GAUGE.setOpaque(gauges, TURN_MOUNTS, mounts);
        GAUGE.setOpaque(gauges, BUSY_SINCE, start | 1L); // never 0 while busy (| 1: off by 1 ns at most)
    }

    /** The loop is about to park: not a stall, however long. Owner only. */
    void idle() {
        GAUGE.setOpaque(gauges, BUSY_SINCE, 0L);
    }

    /** After an iteration that found work. Owner only. */
    void publish(int localLength, int pendingTimers, long iterationNanos) {
        GAUGE.setOpaque(gauges, LOCAL, (long) localLength);
        GAUGE.setOpaque(gauges, TIMERS, (long) pendingTimers);
        if (iterationNanos > gauges[LONGEST]) {
            GAUGE.setOpaque(gauges, LONGEST, iterationNanos);
        }
    }

    long localDepth() {
        return (long) GAUGE.getOpaque(gauges, LOCAL);
    }

    long pendingTimers() {
        return (long) GAUGE.getOpaque(gauges, TIMERS);
    }

    long busySince() {
        return (long) GAUGE.getOpaque(gauges, BUSY_SINCE);
    }

    long turnMounts() {
        return (long) GAUGE.getOpaque(gauges, TURN_MOUNTS);
    }

    long longestIterationNanos() {
        return (long) GAUGE.getOpaque(gauges, LONGEST);
    }
}
