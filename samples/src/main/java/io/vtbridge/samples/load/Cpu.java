package io.vtbridge.samples.load;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The CPU time this JVM has used, for "CPU per request" and "CPU busy" figures.
 *
 * <p>The JVM reads the process's CPU time in clock ticks on Linux: it moves in steps of
 * {@link #PROCESS_TICK_NANOS} (10 ms at the usual 100 ticks a second), so a difference of two
 * readings can be that much off at each end. A figure per request over a window of N requests is
 * good to within {@code 2 × 10 ms / N}: 4 µs over 5,000 requests, 200 µs over 100. A thread's CPU
 * time ({@code ThreadMXBean}) is exact to the nanosecond.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class Cpu {

    /** The step of the process's CPU time as the JVM reads it on Linux: one clock tick at 100 a second. */
    public static final long PROCESS_TICK_NANOS = 10_000_000L;

    private Cpu() {
    }

    /** CPU time of the whole process so far, nanoseconds; -1 where the JVM cannot tell. */
    public static long processNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot) {
            return hotspot.getProcessCpuTime();
        }
        return -1;
    }

    /** The share of all processors used between two readings of {@link #processNanos()}, 0–1. */
    public static double share(long cpuNanosBefore, long cpuNanosAfter, long wallNanos) {
        if (cpuNanosBefore < 0 || cpuNanosAfter < 0 || wallNanos <= 0) {
            return Double.NaN;
        }
        return (cpuNanosAfter - cpuNanosBefore) / (double) wallNanos / Runtime.getRuntime().availableProcessors();
    }
}
