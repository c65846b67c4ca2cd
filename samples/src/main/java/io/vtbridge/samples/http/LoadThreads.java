package io.vtbridge.samples.http;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.function.Predicate;

/**
 * The load generator's platform threads, named so that their CPU time can be told apart from the
 * server's: the samples run client and server in one JVM, and "CPU per request" of the server is the
 * process's CPU time minus {@link #cpuNanos()}.
 *
 * <p>Counted as load: threads named {@code load-…} (made by {@link #pool}), the JDK
 * {@code HttpClient}'s own threads (named {@code HttpClient-…}), the common {@code ForkJoinPool}'s
 * workers (the client completes the futures of {@code sendAsync} there; the servers under test do
 * not use it), and the thread that calls {@link #cpuNanos()} (the open-loop sender). Not counted,
 * because the JVM does not show them as Java threads: its own GC, JIT and VM threads, which work
 * for both sides.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class LoadThreads {

    /** The prefix of the names of the threads {@link #pool} makes. */
    public static final String PREFIX = "load-";

    private static final String CLIENT_PREFIX = "HttpClient-";

    private static final String COMMON_POOL_PREFIX = "ForkJoinPool.commonPool-";

    private LoadThreads() {
    }

    /** A fixed pool of {@code threads} daemon platform threads named {@code load-NAME-N}. */
    public static ExecutorService pool(String name, int threads) {
        ThreadFactory factory = Thread.ofPlatform().name(PREFIX + name + "-", 1).daemon(true).factory();
        return Executors.newFixedThreadPool(threads, factory);
    }

    /**
     * CPU time so far of the load generator's live threads and of the calling thread, nanoseconds; 0
     * where the JVM does not measure thread CPU time.
     */
    public static long cpuNanos() {
        long self = Thread.currentThread().threadId();
        long total = 0;
        for (long nanos : cpuById(info -> info.getThreadId() == self || info.getThreadName().startsWith(PREFIX)
                || info.getThreadName().startsWith(CLIENT_PREFIX)
                || info.getThreadName().startsWith(COMMON_POOL_PREFIX)).values()) {
            total += nanos;
        }
        return total;
    }

    /**
     * CPU time so far of each live thread that {@code which} accepts, nanoseconds, by thread id;
     * empty where the JVM does not measure thread CPU time. Threads that end during the walk are left
     * out.
     */
    static Map<Long, Long> cpuById(Predicate<ThreadInfo> which) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        if (!mx.isThreadCpuTimeSupported() || !mx.isThreadCpuTimeEnabled()) {
            return cpu;
        }
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null || !which.test(info)) {
                continue;                                  // ended since the ids were read, or not asked for
            }
            long nanos = mx.getThreadCpuTime(info.getThreadId());
            if (nanos >= 0) {
                cpu.put(info.getThreadId(), nanos);
            }
        }
        return cpu;
    }
}
