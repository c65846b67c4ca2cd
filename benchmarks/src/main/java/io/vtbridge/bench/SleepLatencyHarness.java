package io.vtbridge.bench;

import io.vtbridge.Bridge;
import io.vtbridge.monitor.ShardStats;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Wake-up lateness of many concurrent sleepers, in three modes run round by round, interleaved, in one JVM (see
 * {@link SleepMode}): {@code Bridge.sleep} in bridged code, {@code Thread.sleep} in bridged code, and
 * {@code Thread.sleep} on default virtual threads. Not JMH: what matters here is the distribution of
 * lateness, not a mean.
 *
 * <p>A round: submit {@code sleepers} tasks; each one checks in and waits at a start gate (a
 * {@link CompletableFuture}), so that all of them exist at once; when all have checked in, the gate
 * opens; each sleeper then takes {@code deadline = nanoTime() + sleep}, sleeps, and records
 * {@code nanoTime() - deadline} into its slot of a preallocated {@code long[]} (and the moment it began
 * to sleep into another). Opening the gate resumes every sleeper at once, so with many sleepers and
 * a short sleep the first deadlines fall while the loops are still resuming the last sleepers: the
 * {@code release ms} column shows how long that took, and a longer {@code --sleep-ms} separates the
 * two. The round reports the wall time from the gate's opening to the last sleeper's end, throughput,
 * lateness percentiles, the live platform threads before the round and their peak during it
 * ({@link ThreadMXBean}), garbage collections during the round, and for the bridge modes the loops'
 * counters (unparks, remote resumes, timers fired). Each mode runs warm-up rounds (printed, not
 * recorded) and then the measured rounds; the CSV holds the measured rounds.
 *
 * <p>With {@code --rate R} a round is open loop instead: no gate, and sleeper {@code i} is submitted
 * at {@code i / R} seconds after the round's start, regardless of when the earlier ones end. That is how a
 * server's requests arrive: few sleepers at once, each loop parking between them, so the figure is
 * how late a loop's own wake-up for a timer is, not how fast a burst of expiries drains.
 *
 * <pre>
 * java --add-opens java.base/java.lang=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     io.vtbridge.bench.SleepLatencyHarness [--sleepers 100000] [--sleep-ms 20] [--rounds 3]
 *     [--warmup 2] [--shards 2] [--modes bridge-sleep,bridge-thread-sleep,virtual-thread-sleep]
 *     [--csv target/sleep-latency.csv] [--no-gate] [--rate R] [--timeout-s 60]
 * </pre>
 *
 * <p><b>Threading:</b> the main thread drives everything; sleepers write only their own slot of the
 * lateness array, and the main thread reads it after {@link Future#get} (which orders the write
 * before the read).
 */
public final class SleepLatencyHarness {

    private static final long MISSING = Long.MIN_VALUE; // a slot no sleeper wrote

    private final SleepOptions options;
    private final long[] lateness;        // one slot per sleeper, reused by every round: wake - deadline
    private final long[] asleepAt;        // one slot per sleeper, reused by every round: when it began to sleep
    private final Future<?>[] futures;    // one per sleeper, reused by every round
    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();

    private SleepLatencyHarness(SleepOptions options) {
        this.options = options;
        this.lateness = new long[options.sleepers()];
        this.asleepAt = new long[options.sleepers()];
        this.futures = new Future<?>[options.sleepers()];
    }

    public static void main(String[] args) throws Exception {
        SleepOptions options;
        try {
            options = SleepOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("SleepLatencyHarness: " + e.getMessage());
            System.err.println(SleepOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(SleepOptions.USAGE);
            return;
        }
        new SleepLatencyHarness(options).run();
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "vtbridge sleep-latency harness: %d sleepers x %d ms, %d warm-up + %d measured"
                        + " round(s) per mode, modes interleaved, %d shard(s), %s%n", options.sleepers(), options.sleepMillis(),
                options.warmupRounds(), options.rounds(), options.shards(),
                options.rate() > 0 ? "open loop at " + options.rate() + " sleepers/s" : "start gate " + (options.gate() ? "on" : "off"));
        System.out.printf(Locale.ROOT, "JVM %s (%s), %d available processors%n%n", System.getProperty("java.vm.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors());
        for (SleepMode mode : options.modes()) {
            System.out.printf("%-21s %s%n", mode.id, mode.description);
        }
        System.out.println();
        System.out.print(SleepRoundResult.tableHeader());

        // Modes are interleaved round by round (A B C, A B C, ...), warm-up rounds included, so that
        // JIT warm-up, GC and machine noise fall on every mode alike instead of on whichever runs first.
        Map<SleepMode, List<SleepRoundResult>> measured = new LinkedHashMap<>();
        Map<SleepMode, ModeExecutor> executors = new LinkedHashMap<>();
        try {
            for (SleepMode mode : options.modes()) {
                measured.put(mode, new ArrayList<>());
                executors.put(mode, ModeExecutor.open(mode, options));
            }
            for (int round = -options.warmupRounds(); round < options.rounds(); round++) {
                for (SleepMode mode : options.modes()) {
                    ModeExecutor executor = executors.get(mode);
                    if (executor.gaveUp) {
                        continue;
                    }
                    SleepRoundResult result = runRound(mode, round, executor.bridge, executor.submitter);
                    System.out.print(result.tableRow());
                    if (round >= 0) {
                        measured.get(mode).add(result);
                    }
                    if (result.unfinished() > 0) {
                        // Sleepers still out there would write into the next round's arrays; closing
                        // the executor interrupts them, and this mode runs no more rounds.
                        System.out.println("  " + mode.id + ": skipping the remaining rounds of this mode");
                        executor.close();
                    }
                }
            }
        } finally {
            for (ModeExecutor executor : executors.values()) {
                executor.close();
            }
        }

        System.out.println();
        System.out.printf("Summary: median over %d measured round(s) per mode (early, lost: sums)%n", options.rounds());
        System.out.print(SleepRoundResult.tableHeader());
        List<String> csv = new ArrayList<>();
        csv.add(SleepRoundResult.CSV_HEADER);
        for (List<SleepRoundResult> rounds : measured.values()) {
            System.out.print(SleepRoundResult.medianRow(rounds));
            rounds.forEach(r -> csv.add(r.csvLine()));
        }
        writeCsv(csv);
        warnAboutAnomalies(measured);
    }

    /** The executor one mode runs on, open for the whole run. */
    private static final class ModeExecutor {
        final Bridge bridge;                                 // for the bridged modes
        final ExecutorService virtualThreads;                // for the JDK baseline
        final Function<Callable<Void>, Future<?>> submitter;
        boolean gaveUp;

        private ModeExecutor(Bridge bridge, ExecutorService virtualThreads, Function<Callable<Void>, Future<?>> submitter) {
            this.bridge = bridge;
            this.virtualThreads = virtualThreads;
            this.submitter = submitter;
        }

        static ModeExecutor open(SleepMode mode, SleepOptions options) {
            if (mode.bridged) {
                Bridge bridge = Bridge.builder()
                        .name("sleep-" + mode.id)
                        .shards(options.shards())
                        .maxInFlight(Math.max(options.sleepers(), 10_000))
                        .closeTimeout(Duration.ofSeconds(5))
                        .build();
                return new ModeExecutor(bridge, null, bridge::submit);
            }
            ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
            return new ModeExecutor(null, virtualThreads, virtualThreads::submit);
        }

        void close() {
            gaveUp = true;
            if (bridge != null) {
                bridge.shutdownNow();
            }
            if (virtualThreads != null) {
                virtualThreads.shutdownNow();
            }
        }
    }

    private SleepRoundResult runRound(SleepMode mode, int round, Bridge bridge,
                                      Function<Callable<Void>, Future<?>> submitter) throws InterruptedException {
        int n = options.sleepers();
        Duration sleep = Duration.ofMillis(options.sleepMillis());
        long sleepNanos = sleep.toNanos();
        long[] lateness = this.lateness;
        long[] asleepAt = this.asleepAt;
        Arrays.fill(lateness, MISSING);
        Arrays.fill(asleepAt, MISSING);
        AtomicInteger checkedIn = new AtomicInteger();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        if (!options.gate()) {
            gate.complete(null);
        }

        System.gc(); // the previous round's garbage should not be collected during this one
        long[] countersBefore = bridgeCounters(bridge);
        long[] gcBefore = gcCounters();
        long cpuBefore = processCpuNanos();
        int threadsBefore = threadBean.getThreadCount();
        threadBean.resetPeakThreadCount();

        long submitStart = System.nanoTime();
        long period = options.rate() > 0 ? TimeUnit.SECONDS.toNanos(1) / options.rate() : 0;
        for (int i = 0; i < n; i++) {
            if (period > 0) {
                paceUntil(submitStart + i * period);
            }
            int slot = i;
            futures[i] = submitter.apply(() -> {
                checkedIn.incrementAndGet();
                gate.join();
                long start = System.nanoTime();
                long deadline = start + sleepNanos;
                asleepAt[slot] = start;
                mode.sleep(sleep);
                lateness[slot] = System.nanoTime() - deadline;
                return null;
            });
        }
        long submitEnd = System.nanoTime();
        if (options.gate()) {
            while (checkedIn.get() < n && !anyDone(n)) {
                Thread.sleep(1);
            }
            gate.complete(null);
        }
        long released = options.gate() ? System.nanoTime() : submitStart;

        int unfinished = 0;
        // Open loop, the last sleeper started only as the submissions ended: its deadline counts from there.
        long giveUp = (options.rate() > 0 ? submitEnd : released) + sleepNanos + TimeUnit.SECONDS.toNanos(options.timeoutSeconds());
        Throwable firstFailure = null;
        for (int i = 0; i < n; i++) {
            try {
                futures[i].get(Math.max(0, giveUp - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                unfinished++;
                firstFailure = firstFailure == null ? e.getCause() : firstFailure;
            } catch (TimeoutException e) {
                unfinished++;
            }
        }
        long end = System.nanoTime();
        int threadsPeak = threadBean.getPeakThreadCount();
        long[] countersAfter = bridgeCounters(bridge);
        long[] gcAfter = gcCounters();
        long cpuAfter = processCpuNanos();
        long cpuNanos = cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore;
        Arrays.fill(futures, null);
        if (firstFailure != null) {
            System.out.println("  " + mode.id + ": a sleeper failed: " + firstFailure);
        }
        if (unfinished > 0) {
            System.out.printf("  %s: %d of %d sleepers did not finish within %d s of their deadline%n",
                    mode.id, unfinished, n, options.timeoutSeconds());
        }

        long lastAsleep = released;
        for (long t : asleepAt) {
            if (t != MISSING && t - lastAsleep > 0) {
                lastAsleep = t;
            }
        }
        int first = SleepRoundResult.sortValid(lateness, MISSING);
        int early = 0;
        while (first + early < n && lateness[first + early] < 0) {
            early++;
        }
        boolean any = first < n;
        double wallMillis = (end - released) / 1e6;
        return new SleepRoundResult(mode, round, n, options.sleepMillis(), (submitEnd - submitStart) / 1e6,
                (lastAsleep - released) / 1e6, wallMillis, n / (wallMillis / 1e3),
                any ? micros(SleepRoundResult.percentile(lateness, first, n, 0.50)) : Double.NaN,
                any ? micros(SleepRoundResult.percentile(lateness, first, n, 0.90)) : Double.NaN,
                any ? micros(SleepRoundResult.percentile(lateness, first, n, 0.99)) : Double.NaN,
                any ? micros(lateness[n - 1]) : Double.NaN,
                any ? micros(lateness[first]) : Double.NaN,
                early, unfinished, threadsBefore, threadsPeak,
                delta(countersBefore, countersAfter, 0), delta(countersBefore, countersAfter, 1),
                delta(countersBefore, countersAfter, 2), delta(countersBefore, countersAfter, 3),
                gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1], cpuNanos < 0 ? Double.NaN : micros(cpuNanos) / n);
    }

    /**
     * Waits until clock {@code due} by parking, which ends a little late: each sleeper's deadline is
     * taken when it starts, so that lateness does not count, and the round's CPU time holds no spin
     * of the submitting thread.
     */
    private static void paceUntil(long due) {
        long left;
        while ((left = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    /** The process's CPU time so far, in nanoseconds; -1 where the JVM does not say. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** {collections, milliseconds} over all collectors so far. */
    private static long[] gcCounters() {
        long[] sums = new long[2];
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sums[0] += Math.max(0, gc.getCollectionCount());
            sums[1] += Math.max(0, gc.getCollectionTime());
        }
        return sums;
    }

    /** Whether some sleeper has already ended (failed, e.g. rejected), so that it never checks in. */
    private boolean anyDone(int n) {
        for (int i = 0; i < n; i++) {
            if (futures[i].isDone()) {
                return true;
            }
        }
        return false;
    }

    /** {unparks, remote resumes, timers fired, loop parks}, summed over shards; null without a bridge. */
    private static long[] bridgeCounters(Bridge bridge) {
        if (bridge == null) {
            return null;
        }
        long[] sums = new long[4];
        for (ShardStats s : bridge.stats()) {
            sums[0] += s.unparks();
            sums[1] += s.remoteResumes() + s.expiryResumes();
            sums[2] += s.timersFired();
            sums[3] += s.loopParks();
        }
        return sums;
    }

    private static long delta(long[] before, long[] after, int i) {
        return before == null ? -1 : after[i] - before[i];
    }

    private static double micros(long nanos) {
        return nanos / 1e3;
    }

    private void writeCsv(List<String> lines) throws IOException {
        Path csv = options.csv().toAbsolutePath();
        if (csv.getParent() != null) {
            Files.createDirectories(csv.getParent());
        }
        Files.write(csv, lines);
        System.out.println();
        System.out.println("CSV: " + csv);
    }

    /** Says so when a number points at a wake-up problem rather than at load. */
    private void warnAboutAnomalies(Map<SleepMode, List<SleepRoundResult>> measured) {
        for (List<SleepRoundResult> rounds : measured.values()) {
            for (SleepRoundResult r : rounds) {
                if (r.early() > 0) {
                    System.out.printf("WARNING %s round %d: %d sleeper(s) woke before their deadline%n",
                            r.mode().id, r.round() + 1, r.early());
                }
                if (r.unfinished() > 0) {
                    System.out.printf("WARNING %s round %d: %d sleeper(s) never finished (lost wake-up or failure)%n",
                            r.mode().id, r.round() + 1, r.unfinished());
                }
                if (r.mode() == SleepMode.BRIDGE_SLEEP && r.timersFired() < r.sleepers() - r.unfinished()) {
                    System.out.printf("WARNING %s round %d: only %d loop timers fired for %d sleepers: Bridge.sleep"
                            + " did not use the loop's timers%n", r.mode().id, r.round() + 1, r.timersFired(), r.sleepers());
                }
            }
        }
        List<SleepRoundResult> baseline = measured.get(SleepMode.VIRTUAL_THREAD_SLEEP);
        List<SleepRoundResult> bridged = measured.get(SleepMode.BRIDGE_THREAD_SLEEP);
        if (baseline != null && bridged != null && !baseline.isEmpty() && !bridged.isEmpty()) {
            double base = baseline.stream().mapToDouble(SleepRoundResult::p99Micros).sorted().toArray()[baseline.size() / 2];
            double ours = bridged.stream().mapToDouble(SleepRoundResult::p99Micros).sorted().toArray()[bridged.size() / 2];
            if (ours > 2 * base + 1000) {
                System.out.printf(Locale.ROOT, "WARNING: median p99 lateness of Thread.sleep in bridged code (%.0f us) is"
                        + " more than twice that of default virtual threads (%.0f us). Few loop unparks mean the loops"
                        + " were busy or blocked, not asleep: on JDK 25 the loops fire these timers themselves; on"
                        + " JDK 22-24 a bridged Thread.sleep arms its timer in the JDK's ScheduledThreadPoolExecutor,"
                        + " whose lock the loop thread itself takes (try -Djdk.virtualThreadScheduler.timerQueues=2)."
                        + " Bridge.sleep avoids the JDK's path. Many unparks would point at the loops' wake-up"
                        + " instead.%n", ours, base);
            }
        }
    }
}
