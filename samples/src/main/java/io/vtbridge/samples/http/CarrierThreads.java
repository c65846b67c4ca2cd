package io.vtbridge.samples.http;

import java.util.Map;

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

    /**
     * CPU time so far of each live carrier thread, by thread id (empty where the JVM does not
     * measure thread CPU time): the start of a window for {@link #cpuNanosSince}.
     */
    static Map<Long, Long> snapshot(String bridgeName) {
        String bridgePrefix = bridgeName + "-";
        return LoadThreads.cpuById(info -> {
            String name = info.getThreadName();
            return name.startsWith(bridgePrefix) || name.startsWith("ForkJoinPool-") || name.equals("VirtualThread-unparker");
        });
    }

    /**
     * The carrier threads' CPU time since {@code before}, nanoseconds: each live thread's growth
     * (from 0 for a thread that started meanwhile). A thread that ended meanwhile is not counted
     * (its CPU since {@code before} is lost), rather than taking its whole earlier CPU off the sum.
     */
    static long cpuNanosSince(Map<Long, Long> before, String bridgeName) {
        long total = 0;
        for (Map.Entry<Long, Long> now : snapshot(bridgeName).entrySet()) {
            total += Math.max(0, now.getValue() - before.getOrDefault(now.getKey(), 0L));
        }
        return total;
    }
}
