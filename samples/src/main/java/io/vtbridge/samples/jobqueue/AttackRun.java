package io.vtbridge.samples.jobqueue;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The attack on Ganeti masterd 2.2: a few idle clients, each waiting for a job to change, against
 * the server's threads. With the waiters parked, {@code GET /jobs} and {@code POST /jobs} run open
 * loop with a timeout each; then the job changes and the waiters must all get it.
 *
 * <p>On {@code Executors.newFixedThreadPool(16)} the 16 waiters hold the 16 threads, so every list
 * and submit queues behind them and times out: nobody else is served. On the bridge each waiter is a
 * suspended virtual thread and the others are served as if nobody waited.
 *
 * <p>The job is changed in-process (as its own progress would change it), not by an HTTP call: on the
 * exhausted pool, a {@code POST /jobs/{id}/cancel} would queue behind the waiters it should release.
 *
 * <p><b>Threading:</b> the driver's thread.
 */
final class AttackRun {

    private AttackRun() {
    }

    /** Runs the attack against {@code server} and returns what it measured. */
    static DriverSteps.Outcome run(ServerUnderTest server, HttpClient client, Options o) throws Exception {
        int n = o.attackWaiters();
        int idle = Footprint.serverThreads(Footprint.census(server.bridgeName(), server.poolPrefix()));
        Job.Snapshot held = DriverSteps.holdJob(client, server);
        WaitClients waiters = new WaitClients(client, server.port(), held.id(), held.version(), o.waitTimeout().toSeconds());
        waiters.open(n, o.setupRate());
        int parked = DriverSteps.awaitParked(server.store()::waiting, n, Duration.ofSeconds(10));
        Map<Footprint.Owner, List<String>> threads = Footprint.census(server.bridgeName(), server.poolPrefix());

        DriverSteps.Loads loads = DriverSteps.loads(client, server.port(), o);

        long changedAt = System.nanoTime();
        double answeredMs = DriverSteps.changeAndAwaitAnswers(server, held.id(), parked, Duration.ofSeconds(30));
        WaitClients.Tally tally = waiters.awaitAll(Duration.ofSeconds(30));
        double notifyMs = (System.nanoTime() - changedAt) / 1e6;
        if (tally.failed() > 0) {
            throw new IllegalStateException(server.name() + ": " + tally.failed() + " of " + n
                    + " attack waiters failed; first: " + tally.firstFailure());
        }
        return new DriverSteps.Outcome(DriverSteps.row("attack", server.name(), n, parked, loads, idle,
                Footprint.serverThreads(threads), Footprint.allThreads(threads), Double.NaN, tally.changed(), answeredMs, notifyMs),
                threads, List.of());
    }
}
