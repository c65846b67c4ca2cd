package io.vtbridge.samples;

import io.vtbridge.Bridge;
import io.vtbridge.monitor.DelayCause;
import io.vtbridge.monitor.DelayHistogram;
import io.vtbridge.monitor.ShardStats;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The quick-start demo: 10,000 asynchronous callers drive a blocking "legacy" library
 * ({@link LegacyInventory}) through a bridge of 2 shards, then the demo prints what happened.
 *
 * <p>Run it with {@code ./vtb demo} (or {@code ./vtb demo -Ddemo.args="CALLERS SHARDS"}).
 */
public final class Demo {

    /**
     * The causes the demo's legacy calls produce: starts, Bridge.sleep, and JDK parks (Thread.sleep, a
     * contended ReentrantLock).
     */
    private static final DelayCause[] SHOWN = {DelayCause.START, DelayCause.SLEEP, DelayCause.PARK};

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        int callers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int shards = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int items = 64;
        LegacyInventory inventory = new LegacyInventory(items);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int platformBefore = threads.getThreadCount();
        threads.resetPeakThreadCount();

        System.out.printf(Locale.ROOT, "vtbridge demo: %,d async callers -> a blocking legacy library, %d shard(s), JDK %s%n",
                callers, shards, Runtime.version());
        System.out.println("  each call: Thread.sleep(2 ms) [remote call], ReentrantLock on 1 of " + items
                + " items, Bridge.sleep(1 ms) under the lock [log flush]");

        Bridge bridge = Bridge.builder().shards(shards).maxInFlight(Math.max(callers, 1)).name("demo")
                .schedulingDelays(true) // for the table below; off by default
                .build();
        try {
            long t0 = System.nanoTime();
            List<CompletableFuture<Integer>> calls = new ArrayList<>(callers);
            for (int i = 0; i < callers; i++) {
                int item = i % items;
                // The async caller's view: a future, no thread of its own blocked.
                calls.add(bridge.submit(item, () -> inventory.reserve(item, 1)));
            }
            int ok = 0;
            int failed = 0;
            for (CompletableFuture<Integer> call : calls) {
                try {
                    call.get(60, TimeUnit.SECONDS);
                    ok++;
                } catch (Exception e) {
                    failed++;
                }
            }
            long wallNanos = System.nanoTime() - t0;
            int peak = threads.getPeakThreadCount();
            // A future completes inside its task, just before the task's thread ends: close() waits
            // for the threads, so the counters below include every task.
            bridge.close();

            long reserved = 0;
            for (int i = 0; i < items; i++) {
                reserved += LegacyInventory.INITIAL_STOCK - inventory.stock(i);
            }
            System.out.printf(Locale.ROOT, "%n  calls ok: %,d   failed: %,d   units reserved: %,d%n", ok, failed, reserved);
            System.out.printf(Locale.ROOT, "  wall time: %,d ms  (%,.0f calls/s)%n",
                    TimeUnit.NANOSECONDS.toMillis(wallNanos), ok / (wallNanos / 1e9));
            System.out.printf(Locale.ROOT, "  platform threads: %d before the bridge, peak %d during the run"
                    + " (%,d calls were in flight at once on %d loop threads)%n", platformBefore, peak, callers, shards);
            System.out.println();
            System.out.println("  shard     tasks   suspends    resumes  same-shard  cross-thread   timers    parks  unparks");
            for (ShardStats s : bridge.stats()) {
                System.out.printf(Locale.ROOT, "  %5d %9d %10d %10d %11d %13d %8d %8d %8d%n",
                        s.shard(), s.tasksFinished(), s.suspends(), s.resumes(), s.localResumes(),
                        s.remoteResumes() + s.expiryResumes(), s.timersFired(), s.loopParks(), s.unparks());
            }
            System.out.println();
            System.out.println("  scheduling delay, runnable -> mounted, p50 / p99 / max in microseconds, by cause:");
            System.out.printf(Locale.ROOT, "  %5s", "shard");
            for (DelayCause cause : SHOWN) {
                System.out.printf(Locale.ROOT, " %24s", cause);
            }
            System.out.println();
            for (ShardStats s : bridge.stats()) {
                System.out.printf(Locale.ROOT, "  %5d", s.shard());
                for (DelayCause cause : SHOWN) {
                    DelayHistogram h = s.delays(cause);
                    System.out.printf(Locale.ROOT, " %24s", h.count() == 0 ? "-" : String.format(Locale.ROOT, "%,d / %,d / %,d",
                            h.percentile(50) / 1_000, h.percentile(99) / 1_000, h.max() / 1_000));
                }
                System.out.println();
            }
            System.out.println();
            System.out.println("  same-shard: resumes issued on the loop itself (lock hand-offs, loop timers: Bridge.sleep and, on");
            System.out.println("    JDK 25, Thread.sleep; Bridge.sleep's pinning probe, a yield), no atomics;");
            System.out.println("  cross-thread: starts from the submitting thread (on other JDKs also Thread.sleep wake-ups from the");
            System.out.println("    JDK's timer thread).");
            if (failed > 0 || reserved != ok) {
                System.exit(1);
            }
        } finally {
            bridge.close();
        }
    }
}
