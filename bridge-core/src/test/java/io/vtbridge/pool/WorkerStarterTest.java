package io.vtbridge.pool;

import io.vtbridge.Priority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vtbridge.testing.Await.WAIT_SECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

/** Worker starts of a pool submitted to from virtual threads: on the starter, never on the submitter. */
@Timeout(60)
class WorkerStarterTest {

    /** An executor that records the starts it is given and runs them on a platform thread of its own. */
    private static final class RecordingStarter implements Executor {
        final List<String> ranOn = new CopyOnWriteArrayList<>();
        final WorkerStarter starter = new WorkerStarter();
        final Thread runner = Thread.ofPlatform().daemon().name("test-starter").unstarted(this::run);
        volatile boolean stop;

        RecordingStarter() {
            starter.bind(runner);
            runner.start();
        }

        private void run() {
            while (!stop) {
                starter.runPending();
                java.util.concurrent.locks.LockSupport.parkNanos(SECONDS.toNanos(1));
            }
        }

        @Override
        public void execute(Runnable start) {
            starter.execute(() -> {
                ranOn.add(Thread.currentThread().getName());
                start.run();
            });
        }

        void close() throws InterruptedException {
            stop = true;
            java.util.concurrent.locks.LockSupport.unpark(runner);
            runner.join();
            starter.close();
        }
    }

    @Test
    void aVirtualSubmittersWorkerIsStartedByTheStarterAndItsTaskRuns() throws Exception {
        RecordingStarter starter = new RecordingStarter();
        WorkPool pool = new WorkPool("starter-test-v", 2, 16, true, starter);
        try {
            CompletableFuture<String> ranBy = new CompletableFuture<>();
            Thread submitter = Thread.ofVirtual().start(() ->
                    pool.execute(Priority.HIGH, () -> ranBy.complete(Thread.currentThread().getName())));
            submitter.join();
            assertThat(ranBy.get(WAIT_SECONDS, SECONDS)).startsWith("starter-test-v-");
            assertThat(starter.ranOn).as("the worker's start ran on the starter's thread").containsExactly("test-starter");
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
            starter.close();
        }
    }

    @Test
    void aPlatformSubmitterStartsItsWorkerItself() throws Exception {
        RecordingStarter starter = new RecordingStarter();
        WorkPool pool = new WorkPool("starter-test-p", 2, 16, true, starter);
        try {
            assertThat(pool.submit(Priority.HIGH, () -> 42).get(WAIT_SECONDS, SECONDS)).isEqualTo(42);
            assertThat(starter.ranOn).as("no start went to the starter").isEmpty();
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
            starter.close();
        }
    }

    @Test
    void manyVirtualSubmittersGetNoMoreWorkersThanTheBoundAndEveryTaskRuns() throws Exception {
        RecordingStarter starter = new RecordingStarter();
        WorkPool pool = new WorkPool("starter-test-m", 3, 1_000, true, starter);
        AtomicInteger done = new AtomicInteger();
        try {
            Thread[] submitters = new Thread[200];
            for (int i = 0; i < submitters.length; i++) {
                submitters[i] = Thread.ofVirtual().start(() -> pool.execute(Priority.LOW, done::incrementAndGet));
            }
            for (Thread t : submitters) {
                t.join();
            }
            io.vtbridge.testing.Await.until("every task ran", () -> done.get() == 200);
            assertThat(pool.stats().liveThreads()).as("workers alive").isBetween(1, 3);
            assertThat(starter.ranOn).as("every start ran on the starter").isNotEmpty().allMatch("test-starter"::equals);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
            starter.close();
        }
    }

    @Test
    void afterCloseAStartRunsOnTheThreadThatQueuesIt() {
        WorkerStarter starter = new WorkerStarter();
        starter.close();
        List<String> ranOn = new CopyOnWriteArrayList<>();
        starter.execute(() -> ranOn.add(Thread.currentThread().getName()));
        assertThat(ranOn).containsExactly(Thread.currentThread().getName());
        assertThat(starter.pending()).isZero();
    }
}
