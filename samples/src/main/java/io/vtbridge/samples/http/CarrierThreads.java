package io.vtbridge.samples.http;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * The threads that carry and wake the handlers' virtual threads, whose CPU time is where the two
 * modes of {@link HttpLatency} differ (the handlers' own work is the same code in both): the
 * bridge's own threads (named after it: its shard loops, watchdog, lane thread), and the JDK's
 * virtual-thread scheduler ({@code ForkJoinPool-N-…}: its workers and, on JDK 25, its delay
 * scheduler; {@code VirtualThread-unparker} on earlier JDKs). In both modes that also takes in the
 * JDK's socket poller threads' carriers, which the bridge leaves to the JDK as well. Not counted: the
 * HttpServer's dispatcher (the same in both modes), the load generator's threads
 * ({@link LoadThreads}, including the common pool), and the JVM's GC, JIT and VM threads.
 *
 * <p><b>Threading:</b> any thread.
 */
final class CarrierThreads {

    private CarrierThreads() {
    }

    /** CPU time so far of the live carrier threads, nanoseconds; 0 where the JVM does not measure thread CPU time. */
    static long cpuNanos(String bridgeName) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported() || !mx.isThreadCpuTimeEnabled()) {
            return 0;
        }
        String bridgePrefix = bridgeName + "-";
        long total = 0;
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;                                  // ended since the ids were read
            }
            String name = info.getThreadName();
            if (name.startsWith(bridgePrefix) || name.startsWith("ForkJoinPool-") || name.equals("VirtualThread-unparker")) {
                total += Math.max(0, mx.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }
}
