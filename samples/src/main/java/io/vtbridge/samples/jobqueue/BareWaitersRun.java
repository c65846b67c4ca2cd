package io.vtbridge.samples.jobqueue;

import io.vtbridge.Bridge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The same waiters without HTTP: {@code o.waiters()} bridged tasks, each in
 * {@link Job#awaitChange} on one job (its {@code BridgeLock} condition), what a long poll costs the
 * server before the HttpServer's per-connection objects are added. Then the job changes and every
 * task must return it.
 *
 * <p>Measured twice on one bridge: <em>cold</em>, the first waiters of the JVM, whose frames the JIT
 * has not compiled yet (a parked virtual thread's stack is copied to the heap as it stands, and an
 * interpreted frame takes several times the room of a compiled one); then <em>warm</em>, after
 * {@value #WARM_UP} waits have been parked and released, as in a server that has run a while.
 *
 * <p><b>Threading:</b> the driver's thread.
 */
final class BareWaitersRun {

    /** Bridged waits parked and released between the cold and the warm measurement. */
    static final int WARM_UP = 50_000;
    /** Bridged waiters parked at once in the warm-up. */
    private static final int WARM_UP_BATCH = 10_000;
    private static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(10);

    private BareWaitersRun() {
    }

    /** Parks {@code o.waiters()} bridged waiters cold, warms up, parks them again; returns both outcomes. */
    static List<DriverSteps.Outcome> run(Options o) throws Exception {
        int n = o.waiters();
        Bridge bridge = Bridge.builder().name("jobqueue-bare").shards(o.shards())
                .maxInFlight(Math.max(n, WARM_UP_BATCH) + 64).jmx(false).build();
        try {
            JobStore store = new JobStore(4);
            DriverSteps.Outcome cold = measure("bare-waiters-cold", bridge, store, o);
            for (int done = 0; done < WARM_UP; done += WARM_UP_BATCH) {
                Job warm = store.submit(1, 0);                   // never run: it changes only when told
                List<CompletableFuture<Job.Snapshot>> waits = park(bridge, warm, WARM_UP_BATCH);
                DriverSteps.awaitParked(store::waiting, WARM_UP_BATCH, Duration.ofSeconds(30));
                warm.publish(JobState.SUCCESS, 1);
                notified(waits, 1);
            }
            return List.of(cold, measure("bare-waiters", bridge, store, o));
        } finally {
            bridge.close();
        }
    }

    private static DriverSteps.Outcome measure(String scenario, Bridge bridge, JobStore store, Options o) throws Exception {
        int n = o.waiters();
        int idle = Footprint.serverThreads(Footprint.census(bridge.name(), null));
        ClassHistogram before = o.histogram() ? ClassHistogram.take() : null;
        long heapBefore = Footprint.heapAfterGc();
        Job job = store.submit(1, 0);
        List<CompletableFuture<Job.Snapshot>> waits = park(bridge, job, n);
        int parked = DriverSteps.awaitParked(store::waiting, n, Duration.ofSeconds(60));
        Map<Footprint.Owner, List<String>> threads = Footprint.census(bridge.name(), null);
        long heapWith = Footprint.heapAfterGc();
        List<String> notes = new ArrayList<>();
        if (before != null) {
            notes.add("classes that grew most with " + parked + " bare bridged waiters parked (bytes per waiter):");
            notes.addAll(ClassHistogram.take().growthPer(before, parked, 10));
        }

        long changedAt = System.nanoTime();
        job.publish(JobState.SUCCESS, 1);
        int notified = notified(waits, 1);
        double notifyMs = (System.nanoTime() - changedAt) / 1e6;
        double perWaiter = parked == 0 ? Double.NaN : (heapWith - heapBefore) / (double) parked;
        return new DriverSteps.Outcome(DriverSteps.row(scenario, "bridge", n, parked, null, idle,
                Footprint.serverThreads(threads), Footprint.allThreads(threads), perWaiter, notified, notifyMs, notifyMs),
                threads, notes);
    }

    /**
     * Starts {@code n} bridged tasks waiting for {@code job} to pass version 1, once the waiters
     * before them have left their in-flight slots: a task's slot is freed with the others of its
     * loop's turn, a moment after its future completes, so a batch submitted the moment the last one
     * returned could find the bound still reached.
     */
    private static List<CompletableFuture<Job.Snapshot>> park(Bridge bridge, Job job, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bridge.inFlight() > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(bridge.inFlight() + " tasks still in flight 10 s after every waiter returned");
            }
            Thread.sleep(1);
        }
        List<CompletableFuture<Job.Snapshot>> waits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            waits.add(bridge.submit(() -> job.awaitChange(1, WAIT_NANOS)));
        }
        return waits;
    }

    /** Waits for every waiter; returns how many returned the job past {@code since}. */
    private static int notified(List<CompletableFuture<Job.Snapshot>> waits, long since) throws Exception {
        int changed = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (CompletableFuture<Job.Snapshot> wait : waits) {
            Job.Snapshot s = wait.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s != null && s.version() > since) {
                changed++;
            }
        }
        return changed;
    }
}
