package io.vtbridge.samples.jobqueue;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The job list and a job without any HTTP: the list's bound, a cancel racing the runner's start, the query reader. */
class JobStoreTest {

    @Test
    void aFullListRefusesNewJobsUntilOneFinishes() {
        JobStore store = new JobStore(2);
        Job a = store.submit(1, 0);
        assertThat(store.submit(1, 0)).isNotNull();
        assertThat(store.submit(1, 0)).as("two unfinished jobs fill a list of two").isNull();
        a.publish(JobState.SUCCESS, 1);
        Job c = store.submit(1, 0);
        assertThat(c).as("the finished job is archived to make room").isNotNull();
        assertThat(store.list()).extracting(Job.Snapshot::id).containsExactly(2L, c.id());
    }

    @Test
    void aCancelRacingTheRunnersStartAlwaysStopsTheRunner() throws Exception {
        // Two threads: one hands the job its runner, the other cancels it. Whichever comes first,
        // the runner's future ends cancelled and the job ends CANCELED.
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2_000; i++) {
                Job job = new Job(i, 1, 0, new AtomicInteger());
                CompletableFuture<Void> runner = new CompletableFuture<>();
                CountDownLatch go = new CountDownLatch(1);
                Future<?> started = racers.submit(() -> {
                    go.await();
                    job.started(runner);
                    return null;
                });
                Future<Job.Snapshot> cancelled = racers.submit(() -> {
                    go.await();
                    return job.cancel();
                });
                go.countDown();
                started.get(10, TimeUnit.SECONDS);
                assertThat(cancelled.get(10, TimeUnit.SECONDS)).isNotNull();
                assertThat(runner.isCancelled()).as("round %d", i).isTrue();
                assertThat(job.snapshot().state()).isEqualTo(JobState.CANCELED);
                assertThat(job.publish(JobState.RUNNING, 1)).as("a final state stays").isFalse();
            }
        } finally {
            racers.shutdownNow();
        }
    }

    @Test
    void theRoutesReadTheLastValueOfAQueryParameter() {
        assertThat(JobRoutes.param("since=3&timeout=5", "since", null)).isEqualTo("3");
        assertThat(JobRoutes.param("since=3&timeout=5", "timeout", null)).isEqualTo("5");
        assertThat(JobRoutes.param("since=3&since=4", "since", null)).as("the last one wins").isEqualTo("4");
        assertThat(JobRoutes.param("sinceX=3&xsince=4&since", "since", "none")).as("no exact name=value").isEqualTo("none");
        assertThat(JobRoutes.param("=1&since=&ops=2", "since", null)).as("an empty value is a value").isEmpty();
        assertThat(JobRoutes.param(null, "ops", "3")).isEqualTo("3");
        assertThat(JobRoutes.param("", "ops", "3")).isEqualTo("3");
    }
}
