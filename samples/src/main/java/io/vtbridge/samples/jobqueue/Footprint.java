package io.vtbridge.samples.jobqueue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the server holds: heap in use after garbage collection, and the JVM's live platform threads
 * sorted by who owns them. Heap per waiter is an estimate: the difference of two after-GC readings,
 * divided by the waiters; whatever else the JVM allocated and kept in between counts too.
 *
 * <p><b>Threading:</b> any thread; {@link #census} names the calling thread the driver.
 */
final class Footprint {

    /** Who owns a platform thread. */
    enum Owner {
        /** The bridge: its shards, their JDK timer threads, its pools, its watchdog. */
        BRIDGE,
        /**
         * The HTTP front end: the JDK HttpServer's dispatcher and idle-connection timer, or the lean
         * server's acceptor.
         */
        HTTP_SERVER,
        /** The fixed pool of the server that is measured against the bridge, and its job workers. */
        FIXED_POOL,
        /** The JVM's own: reference handling, signals, cleaners, the I/O pollers of virtual threads and their carriers. */
        JDK,
        /**
         * The sample's own clients: the HttpClient's threads (and the common pool, where it completes
         * its futures), the submitter, the child JVM's output reader and the JDK's process reaper.
         */
        LOAD_GENERATOR,
        /** The thread running the sample. */
        DRIVER,
        /** None of the above (a test runner's threads, for instance). */
        OTHER
    }

    /**
     * The JDK's own threads, by name prefix. Virtual threads' socket I/O in JDK 25 is polled by a
     * "MasterPoller" and sub-pollers that are virtual threads of the JDK's default scheduler, whose
     * carriers are {@code ForkJoinPool-N-worker-M} (at most one per processor).
     */
    private static final List<String> JDK_NAMES = List.of("Reference Handler", "Finalizer", "Signal Dispatcher",
            "Common-Cleaner", "Notification Thread", "Attach Listener", "Read-Poller", "Write-Poller", "MasterPoller",
            "VirtualThread-unparker", "VirtualThread-unblocker", "Cleaner-", "JFR ", "Monitor Ctrl-Break");

    private Footprint() {
    }

    /**
     * Heap in use after {@code System.gc()}: the smallest of four readings, each after a collection
     * and a short pause (an estimate; the JVM decides what a collection frees).
     */
    static long heapAfterGc() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);                                     // lets cleaners and reference processing settle
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    /**
     * Live platform threads by owner, each with its threads' names, sorted: the threads the
     * {@link ThreadMXBean} reports (platform threads only; virtual threads are not threads of the OS).
     */
    static Map<Owner, List<String>> census(String bridgeName, String fixedPoolPrefix) {
        Map<Owner, List<String>> byOwner = new TreeMap<>();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t == null) {
                continue;                                          // ended between the two calls
            }
            Owner owner = t.getThreadId() == self ? Owner.DRIVER : owner(t.getThreadName(), bridgeName, fixedPoolPrefix);
            byOwner.computeIfAbsent(owner, o -> new ArrayList<>()).add(t.getThreadName());
        }
        byOwner.values().forEach(names -> names.sort(null));
        return byOwner;
    }

    /** How many threads of {@code census} the server owns: everything but the load generator and the driver. */
    static int serverThreads(Map<Owner, List<String>> census) {
        int n = 0;
        for (Map.Entry<Owner, List<String>> e : census.entrySet()) {
            if (e.getKey() != Owner.LOAD_GENERATOR && e.getKey() != Owner.DRIVER) {
                n += e.getValue().size();
            }
        }
        return n;
    }

    /** Every thread of {@code census}. */
    static int allThreads(Map<Owner, List<String>> census) {
        return census.values().stream().mapToInt(List::size).sum();
    }

    static Owner owner(String name, String bridgeName, String fixedPoolPrefix) {
        if (bridgeName != null && name.startsWith(bridgeName + "-")
                || name.matches("ForkJoinPool-\\d+-delayScheduler")) {       // a shard's timer pool (JDK 25)
            return Owner.BRIDGE;
        }
        if (name.equals("HTTP-Dispatcher") || name.equals("idle-timeout-task") || name.equals("server-timer")
                || name.startsWith(LeanHttpServer.ACCEPTOR_NAME)) {
            return Owner.HTTP_SERVER;
        }
        if (fixedPoolPrefix != null && name.startsWith(fixedPoolPrefix)) {
            return Owner.FIXED_POOL;
        }
        if (name.startsWith("loadgen-") || name.startsWith("HttpClient-") || name.startsWith("process reaper")
                || name.startsWith("ForkJoinPool.commonPool-worker-")) {    // the HttpClient completes its futures there
            return Owner.LOAD_GENERATOR;
        }
        if (name.matches("ForkJoinPool-\\d+-worker-\\d+")) {      // the JDK's default scheduler: the bridge renames its own
            return Owner.JDK;
        }
        for (String jdk : JDK_NAMES) {
            if (name.startsWith(jdk)) {
                return Owner.JDK;
            }
        }
        return Owner.OTHER;
    }
}
