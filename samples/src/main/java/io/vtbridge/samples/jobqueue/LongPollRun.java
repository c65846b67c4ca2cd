package io.vtbridge.samples.jobqueue;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Thousands of idle long-poll clients on a bridged server, behind one HTTP front end (the JDK's
 * HttpServer or {@link LeanHttpServer}): a child JVM opens them
 * ({@link WaiterChild}), all on one held job. With them parked, the run counts the server's platform
 * threads, estimates the heap each waiter costs (after-GC heap with them minus before, divided by
 * them), runs the {@code GET /jobs} load, then changes the job and checks that every waiter got it.
 *
 * <p><b>Threading:</b> the driver's thread.
 */
final class LongPollRun {

    /** Tasks the bridge admits beyond the waiters: lists, submissions, jobs. */
    static final int HEADROOM = 1_024;
    /** Long polls parked at once in the warm-up (both ends in this process: two descriptors each). */
    static final int WARM_UP_BATCH = 500;

    private LongPollRun() {
    }

    /** Runs {@code o.waiters()} waiters against a bridged server behind {@code frontEnd}; returns what it measured. */
    static DriverSteps.Outcome run(ServerUnderTest.FrontEnd frontEnd, HttpClient client, Options o) throws Exception {
        int n = o.waiters();
        try (ServerUnderTest server = ServerUnderTest.bridged(frontEnd, o.shards(), n + HEADROOM, o)) {
            warmUp(client, server, o);
            int idle = Footprint.serverThreads(Footprint.census(server.bridgeName(), null));
            ClassHistogram before = o.histogram() ? ClassHistogram.take() : null;
            long heapBefore = Footprint.heapAfterGc();

            Job.Snapshot held = DriverSteps.holdJob(client, server);
            long setupSeconds = (long) Math.ceil(n / o.setupRate());
            long waitSeconds = setupSeconds + o.listDuration().toSeconds() + 120;   // outlasts the run: no 304 in it
            try (WaiterChild child = WaiterChild.start(server.port(), held.id(), held.version(), n, o.setupRate(),
                    waitSeconds)) {
                child.awaitSent(Duration.ofSeconds(setupSeconds + 60));
                int parked = DriverSteps.awaitParked(server.store()::waiting, n, Duration.ofSeconds(60));
                Map<Footprint.Owner, List<String>> threads = Footprint.census(server.bridgeName(), null);
                long heapWith = Footprint.heapAfterGc();
                List<String> notes = new ArrayList<>();
                if (before != null) {
                    notes.add("classes that grew most with " + parked + " long polls parked on " + server.name()
                            + " (bytes per waiter):");
                    notes.addAll(ClassHistogram.take().growthPer(before, parked, 20));
                }

                DriverSteps.Loads loads = DriverSteps.loads(client, server.port(), o);

                long changedAt = System.nanoTime();
                double answeredMs = DriverSteps.changeAndAwaitAnswers(server, held.id(), parked, Duration.ofSeconds(120));
                WaitClients.Tally tally = child.awaitDone(Duration.ofSeconds(120));
                double notifyMs = (System.nanoTime() - changedAt) / 1e6;
                if (tally.failed() > 0) {
                    notes.add(tally.failed() + " of " + n + " long polls failed; first: " + tally.firstFailure());
                }
                double perWaiter = parked == 0 ? Double.NaN : (heapWith - heapBefore) / (double) parked;
                return new DriverSteps.Outcome(DriverSteps.row("long-poll", server.name(), n, parked, loads, idle,
                        Footprint.serverThreads(threads), Footprint.allThreads(threads), perWaiter, tally.changed(),
                        answeredMs, notifyMs), threads, notes);
            }
        }
    }

    /**
     * Runs the paths before the baseline, so that class loading and compilation are not counted as
     * the waiters' heap: a parked virtual thread's stack is copied to the heap as it stands, and an
     * interpreted frame takes several times the room of a compiled one (a server that has run a while
     * has its waiting path compiled). {@code o.warmUp()} long polls, {@value #WARM_UP_BATCH} at a
     * time, each batch parked on a held job and released by its change; a few lists alongside. All
     * through {@code server}'s own front end, so its paths are the ones compiled.
     */
    private static void warmUp(HttpClient client, ServerUnderTest server, Options o) throws Exception {
        for (int done = 0; done < o.warmUp(); done += WARM_UP_BATCH) {
            int batch = Math.min(WARM_UP_BATCH, o.warmUp() - done);
            Job.Snapshot held = DriverSteps.holdJob(client, server);
            WaitClients warm = new WaitClients(client, server.port(), held.id(), held.version(), 60);
            warm.open(batch, o.setupRate());
            DriverSteps.awaitParked(server.store()::waiting, batch, Duration.ofSeconds(30));
            for (int i = 0; i < 10; i++) {
                DriverSteps.call(client, server.port(), "GET", "/jobs");
            }
            server.store().get(held.id()).cancel();
            WaitClients.Tally tally = warm.awaitAll(Duration.ofSeconds(60));
            if (tally.changed() != batch) {
                throw new IllegalStateException("warm-up: " + tally.changed() + " of " + batch + " long polls saw their"
                        + " change; " + tally.failed() + " failed, first: " + tally.firstFailure());
            }
        }
    }
}
