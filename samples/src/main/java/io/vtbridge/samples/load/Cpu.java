package io.vtbridge.samples.load;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The CPU time this JVM has used, for "CPU per request" and "CPU busy" figures.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class Cpu {

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
