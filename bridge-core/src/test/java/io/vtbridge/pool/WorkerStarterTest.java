package io.vtbridge.pool;

import io.vtbridge.Priority;
import io.vtbridge.testing.Await;
import org.junit.jupiter.api.AfterEach;
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

    private final RecordingStarter starter = new RecordingStarter();
    private WorkPool made; // the test's pool, if it made one

    /** The test's pool, its worker starts handed to {@link #starter}; stopped after the test. */
    private WorkPool pool(String name, int threads, int queueCapacity) {
        made = new WorkPool(name, threads, queueCapacity, true, starter);
        return made;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (made != null) {
            made.shutdownNow();
            assertThat(made.awaitTermination(10, SECONDS)).isTrue();
        }
        starter.close();
    }

    @Test
    void aVirtualSubmittersWorkerIsStartedByTheStarterAndItsTaskRuns() throws Exception {
        WorkPool pool = pool("starter-test-v", 2, 16);
        CompletableFuture<String> ranBy = new CompletableFuture<>();
        Thread submitter = Thread.ofVirtual().start(() ->
                pool.execute(Priority.HIGH, () -> ranBy.complete(Thread.currentThread().getName())));
        submitter.join();
        assertThat(ranBy.get(WAIT_SECONDS, SECONDS)).startsWith("starter-test-v-");
        assertThat(starter.ranOn).as("the worker's start ran on the starter's thread").containsExactly("test-starter");
    }

    @Test
    void aPlatformSubmitterStartsItsWorkerItself() throws Exception {
        WorkPool pool = pool("starter-test-p", 2, 16);
        assertThat(pool.submit(Priority.HIGH, () -> 42).get(WAIT_SECONDS, SECONDS)).isEqualTo(42);
        assertThat(starter.ranOn).as("no start went to the starter").isEmpty();
    }

    @Test
    void manyVirtualSubmittersGetNoMoreWorkersThanTheBoundAndEveryTaskRuns() throws Exception {
        WorkPool pool = pool("starter-test-m", 3, 1_000);
        AtomicInteger done = new AtomicInteger();
        Thread[] submitters = new Thread[200];
        for (int i = 0; i < submitters.length; i++) {
            submitters[i] = Thread.ofVirtual().start(() -> pool.execute(Priority.LOW, done::incrementAndGet));
        }
        for (Thread t : submitters) {
            t.join();
        }
        Await.until("every task ran", () -> done.get() == 200);
        assertThat(pool.stats().liveThreads()).as("workers alive").isBetween(1, 3);
        assertThat(starter.ranOn).as("every start ran on the starter").isNotEmpty().allMatch("test-starter"::equals);
    }

    @Test
    void afterCloseAStartRunsOnTheThreadThatQueuesIt() {
        WorkerStarter closed = new WorkerStarter();
        closed.close();
        List<String> ranOn = new CopyOnWriteArrayList<>();
        closed.execute(() -> ranOn.add(Thread.currentThread().getName()));
        assertThat(ranOn).containsExactly(Thread.currentThread().getName());
        assertThat(closed.pending()).isZero();
    }
}
