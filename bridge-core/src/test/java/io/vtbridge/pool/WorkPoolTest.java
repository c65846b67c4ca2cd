package io.vtbridge.pool;

import io.vtbridge.monitor.PoolStats;
import io.vtbridge.BridgeOverloadedException;
import io.vtbridge.Priority;
import io.vtbridge.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static io.vtbridge.Priority.HIGH;
import static io.vtbridge.Priority.LOW;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class WorkPoolTest {

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final List<WorkPool> pools = new ArrayList<>();

    /** A pool with a name no other test uses, so that its threads can be found by name. */
    private WorkPool pool(int threads, int queueCapacity) {
        WorkPool pool = new WorkPool("workpool-test" + POOL_IDS.incrementAndGet(), threads, queueCapacity, true);
        pools.add(pool);
        return pool;
    }

    @AfterEach
    void stopPools() throws InterruptedException {
        for (WorkPool pool : pools) {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, SECONDS)).as("%s terminates", pool).isTrue();
        }
    }

    /** Live threads of {@code pool}, found by name. */
    private static List<Thread> liveWorkers(WorkPool pool) {
        String prefix = pool.name() + "-";
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
                .toList();
    }

    /** Holds a worker: signals {@code started}, then waits for {@code release}. */
    private static Callable<String> blocker(CountDownLatch started, CountDownLatch release) {
        return () -> {
            started.countDown();
            Await.latch("the test releases the worker", release);
            return "released";
        };
    }

    /** The failure of a future that must already have failed (a refusal is immediate). */
    private static Throwable causeOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        return failureOf(future);
    }

    /** The failure of {@code future}, waiting for it (bounded). */
    private static Throwable failureOf(CompletableFuture<?> future) {
        try {
            return future.handle((value, failure) -> {
                assertThat(failure).as("%s failed", future).isNotNull();
                return failure instanceof CompletionException wrapped ? wrapped.getCause() : failure;
            }).get(10, SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void lowNeverStartsWhileHighIsQueued() throws Exception {
        WorkPool pool = pool(1, 16);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PoolTask<String> held = pool.submit(HIGH, blocker(started, release));
        assertThat(started.await(10, SECONDS)).isTrue();

        List<String> order = new CopyOnWriteArrayList<>();
        List<PoolTask<Boolean>> tasks = new ArrayList<>();
        tasks.add(pool.submit(LOW, () -> order.add("low")));
        for (int i = 0; i < 5; i++) {
            String name = "high" + i;
            tasks.add(pool.submit(HIGH, () -> order.add(name)));
        }
        assertThat(pool.stats().queuedLow()).isEqualTo(1);
        assertThat(pool.stats().queuedHigh()).isEqualTo(5);

        release.countDown();
        assertThat(held.get(10, SECONDS)).isEqualTo("released");
        CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).get(10, SECONDS);
        assertThat(order).containsExactly("high0", "high1", "high2", "high3", "high4", "low");
    }

    @Test
    void fullQueueRefusesAtOnceWithATypedExceptionAndAcceptsAgainOnceDrained() throws Exception {
        WorkPool pool = pool(1, 3);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PoolTask<String> held = pool.submit(HIGH, blocker(started, release));
        assertThat(started.await(10, SECONDS)).isTrue();
        AtomicInteger bodies = new AtomicInteger();
        List<PoolTask<Integer>> queued = new ArrayList<>();
        queued.add(pool.submit(LOW, bodies::incrementAndGet));
        queued.add(pool.submit(HIGH, bodies::incrementAndGet));
        queued.add(pool.submit(LOW, bodies::incrementAndGet));

        // execute: throws, nothing queued.
        assertThatThrownBy(() -> pool.execute(HIGH, bodies::incrementAndGet))
                .isInstanceOf(BridgeOverloadedException.class)
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("pool " + pool.name() + " overloaded: queue full (capacity=3)")
                .satisfies(e -> assertThat(((BridgeOverloadedException) e).maxInFlight()).isEqualTo(3));
        // submit: an already-failed future, nothing queued.
        PoolTask<Integer> refused = pool.submit(LOW, bodies::incrementAndGet);
        assertThat(causeOf(refused)).isInstanceOf(BridgeOverloadedException.class).hasMessageContaining("capacity=3");
        PoolStats stats = pool.stats();
        assertThat(stats.queuedHigh()).isEqualTo(1);
        assertThat(stats.queuedLow()).isEqualTo(2);
        assertThat(stats.rejected()).isEqualTo(2);
        assertThat(stats.running()).isEqualTo(1);
        assertThat(stats.liveThreads()).isEqualTo(1);

        release.countDown();
        held.get(10, SECONDS);
        for (PoolTask<Integer> task : queued) {
            task.get(10, SECONDS);
        }
        assertThat(bodies.get()).isEqualTo(3); // the refused ones never ran
        refused.run();                         // not even when asked to
        assertThat(bodies.get()).isEqualTo(3);

        // Capacity is back: the whole queue again, while the worker is held.
        CountDownLatch startedAgain = new CountDownLatch(1);
        CountDownLatch releaseAgain = new CountDownLatch(1);
        PoolTask<String> heldAgain = pool.submit(LOW, blocker(startedAgain, releaseAgain));
        assertThat(startedAgain.await(10, SECONDS)).isTrue();
        List<PoolTask<Integer>> again = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            again.add(pool.submit(HIGH, bodies::incrementAndGet));
        }
        assertThat(again).allSatisfy(task -> assertThat(task).isNotDone());
        releaseAgain.countDown();
        heldAgain.get(10, SECONDS);
        for (PoolTask<Integer> task : again) {
            task.get(10, SECONDS);
        }
        assertThat(bodies.get()).isEqualTo(6);
        assertThat(pool.stats().completed()).isGreaterThanOrEqualTo(7); // the last increment may trail its future
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new WorkPool("p", 0, 1, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("threads must be at least 1, was 0");
        assertThatThrownBy(() -> new WorkPool("p", -2, 1, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads").hasMessageContaining("-2");
        assertThatThrownBy(() -> new WorkPool("p", 1, 0, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("queueCapacity must be at least 1, was 0");
        assertThatThrownBy(() -> new WorkPool(null, 1, 1, true))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("name");

        WorkPool pool = pool(1, 1);
        assertThatThrownBy(() -> pool.execute(null, () -> { })).isInstanceOf(NullPointerException.class).hasMessageContaining("priority");
        assertThatThrownBy(() -> pool.execute(HIGH, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("command");
        assertThatThrownBy(() -> pool.submit(null, () -> 1)).isInstanceOf(NullPointerException.class).hasMessageContaining("priority");
        assertThatThrownBy(() -> pool.submit(LOW, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("callable");
        assertThat(pool.stats().liveThreads()).isZero();
    }

    @Test
    void startsWorkersLazilyAndNeverMoreThanTheMaximum() throws Exception {
        WorkPool pool = pool(3, 100);
        assertThat(liveWorkers(pool)).isEmpty();
        assertThat(pool.stats().liveThreads()).isZero();

        assertThat(pool.submit(HIGH, () -> Thread.currentThread().getName()).get(10, SECONDS))
                .isEqualTo(pool.name() + "-0");
        assertThat(pool.stats().liveThreads()).isEqualTo(1); // one task started one worker
        assertThat(liveWorkers(pool)).hasSize(1);

        CountDownLatch threeRunning = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        List<PoolTask<Object>> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(pool.submit(i % 2 == 0 ? HIGH : LOW, () -> {
                seen.add(Thread.currentThread());
                peak.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                threeRunning.countDown();
                Await.latch("the test releases the workers", release);
                concurrent.decrementAndGet();
                return null;
            }));
        }
        assertThat(threeRunning.await(10, SECONDS)).as("three workers started for ten queued tasks").isTrue();
        PoolStats stats = pool.stats();
        assertThat(stats.liveThreads()).isEqualTo(3);
        assertThat(stats.running()).isEqualTo(3);
        assertThat(stats.queuedHigh() + stats.queuedLow()).isEqualTo(7);

        release.countDown();
        for (PoolTask<Object> task : tasks) {
            task.get(10, SECONDS);
        }
        assertThat(peak.get()).isEqualTo(3);
        assertThat(seen).extracting(Thread::getName)
                .containsExactlyInAnyOrder(pool.name() + "-0", pool.name() + "-1", pool.name() + "-2");
        assertThat(seen).allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
        assertThat(liveWorkers(pool)).hasSize(3); // kept until shutdown
        assertThat(pool.stats().liveThreads()).isEqualTo(3);
    }

    @Test
    void aWorkerStartedByAVirtualThreadGetsThePoolsThreadGroupNotTheSubmitters() throws Exception {
        WorkPool pool = pool(1, 4);
        CompletableFuture<PoolTask<ThreadGroup>> submitted = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> submitted.complete(pool.submit(HIGH, () -> Thread.currentThread().getThreadGroup())));
        ThreadGroup workerGroup = submitted.get(10, SECONDS).get(10, SECONDS);
        assertThat(workerGroup).isSameAs(Thread.currentThread().getThreadGroup());
    }

    @Test
    void cancelBeforeStartRemovesTheTaskAndItsBodyNeverRuns() throws Exception {
        WorkPool pool = pool(1, 4);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pool.submit(HIGH, blocker(started, release));
        assertThat(started.await(10, SECONDS)).isTrue();

        AtomicBoolean cancelledRan = new AtomicBoolean();
        AtomicBoolean completedRan = new AtomicBoolean();
        PoolTask<String> cancelled = pool.submit(HIGH, () -> {
            cancelledRan.set(true);
            return "ran";
        });
        PoolTask<String> completedFromOutside = pool.submit(LOW, () -> {
            completedRan.set(true);
            return "ran";
        });
        assertThat(pool.stats().queuedHigh()).isEqualTo(1);

        assertThat(cancelled.cancel(true)).isTrue();
        assertThat(cancelled.isCancelled()).isTrue();
        assertThat(pool.stats().queuedHigh()).isZero(); // removed from the queue: its capacity is back
        assertThat(cancelled.cancel(true)).isTrue(); // CompletableFuture's contract: "now cancelled"
        cancelled.run();                                // a direct run does nothing either
        assertThat(completedFromOutside.complete("outside")).isTrue();
        assertThat(pool.submit(HIGH, () -> "fits")).isNotCompletedExceptionally();

        release.countDown();
        assertThat(pool.submit(LOW, () -> "after").get(10, SECONDS)).isEqualTo("after"); // behind everything queued
        assertThat(cancelledRan).isFalse();
        assertThat(completedRan).isFalse();
        assertThat(completedFromOutside.join()).isEqualTo("outside");
        assertThatThrownBy(cancelled::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void cancelWithInterruptStopsTheRunningBodyAndTheNextTaskIsNotInterrupted() throws Exception {
        WorkPool pool = pool(1, 8);
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Thread> firstWorker = new AtomicReference<>();
        CompletableFuture<Throwable> bodyEnd = new CompletableFuture<>();
        PoolTask<String> running = pool.submit(HIGH, () -> {
            firstWorker.set(Thread.currentThread());
            started.countDown();
            try {
                new CountDownLatch(1).await(); // only an interrupt ends this
                bodyEnd.complete(null);
                return "not interrupted";
            } catch (InterruptedException e) {
                bodyEnd.complete(e);
                throw e;
            }
        });
        // Queued behind it, on the same (only) worker.
        PoolTask<Boolean> next = pool.submit(HIGH, () -> Thread.currentThread().isInterrupted());
        PoolTask<Thread> nextWorker = pool.submit(HIGH, Thread::currentThread);
        assertThat(started.await(10, SECONDS)).isTrue();

        assertThat(running.cancel(true)).isTrue();
        assertThat(bodyEnd.get(10, SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(running.isCancelled()).isTrue();
        assertThatThrownBy(running::join).isInstanceOf(CancellationException.class);

        assertThat(next.get(10, SECONDS)).as("the next task sees the interrupt").isFalse();
        assertThat(nextWorker.get(10, SECONDS)).isSameAs(firstWorker.get());
        assertThat(pool.stats().liveThreads()).isEqualTo(1);
    }

    /**
     * The race of a {@code cancel(true)} with the end of the body: the canceller may win the task
     * after its body returned, while the worker is about to take the next task. Its interrupt must
     * still land before the worker leaves the task (and be cleared), never in the next task, which
     * here spins long enough to notice a late one.
     */
    @Test
    void anInterruptFromACancelRacingTheEndOfTheBodyNeverReachesTheNextTask() throws Exception {
        WorkPool pool = pool(1, 4);
        int rounds = 3_000;
        int leaks = 0;
        int cancelsWon = 0;
        for (int round = 0; round < rounds; round++) {
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            PoolTask<String> ending = pool.submit(HIGH, () -> {
                started.set(true);
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
                return "ended";
            });
            PoolTask<Boolean> next = pool.submit(HIGH, () -> {
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) {
                    if (Thread.currentThread().isInterrupted()) {
                        return true;
                    }
                }
                return Thread.currentThread().isInterrupted();
            });
            Await.until("round " + round + ": the ending task started", started::get);
            stop.set(true);     // the body returns...
            if (ending.cancel(true)) { // ...while we try to cancel it
                cancelsWon++;
            }
            if (next.get(10, SECONDS)) {
                leaks++;
            }
        }
        assertThat(leaks).as("next tasks that saw an interrupt (cancels won: %d of %d)", cancelsWon, rounds).isZero();
    }

    @Test
    void cancelWithoutInterruptLetsTheBodyFinishUnobserved() throws Exception {
        WorkPool pool = pool(1, 8);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> interruptedAtEnd = new CompletableFuture<>();
        PoolTask<String> running = pool.submit(HIGH, () -> {
            started.countDown();
            Await.latch("the test releases the cancelled task", release);
            interruptedAtEnd.complete(Thread.currentThread().isInterrupted());
            return "finished";
        });
        assertThat(started.await(10, SECONDS)).isTrue();
        assertThat(running.cancel(false)).isTrue();
        release.countDown();
        assertThat(interruptedAtEnd.get(10, SECONDS)).isFalse();
        assertThat(running.isCancelled()).isTrue();
    }

    @Test
    void aTaskThatThrowsNeverKillsItsWorker() throws Exception {
        WorkPool pool = pool(1, 8);
        AtomicReference<Throwable> reported = new AtomicReference<>();
        CountDownLatch reportedTwice = new CountDownLatch(2);
        Thread worker = pool.submit(HIGH, () -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> {
                reported.set(e);
                reportedTwice.countDown();
            });
            return Thread.currentThread();
        }).get(10, SECONDS);

        PoolTask<Object> failing = pool.submit(HIGH, () -> {
            throw new IllegalStateException("boom");
        });
        assertThat(failureOf(failing)).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        pool.execute(LOW, () -> {
            throw new IllegalArgumentException("from execute");
        });
        pool.execute(LOW, () -> {
            throw new AssertionError("an Error");
        });
        assertThat(reportedTwice.await(10, SECONDS)).as("execute's failures reach the handler").isTrue();
        assertThat(reported.get()).isInstanceOf(AssertionError.class);

        assertThat(pool.submit(HIGH, Thread::currentThread).get(10, SECONDS)).isSameAs(worker);
        assertThat(pool.stats().liveThreads()).isEqualTo(1);
        assertThat(liveWorkers(pool)).containsExactly(worker);
    }

    @Test
    void obtrudeIsRefused() throws Exception {
        WorkPool pool = pool(1, 1);
        PoolTask<Integer> task = pool.submit(HIGH, () -> 7);
        assertThat(task.get(10, SECONDS)).isEqualTo(7);
        assertThatThrownBy(() -> task.obtrudeValue(8)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> task.obtrudeException(new RuntimeException())).isInstanceOf(UnsupportedOperationException.class);
        assertThat(task.join()).isEqualTo(7);
    }

    @Test
    void shutdownRefusesNewTasksAndLetsQueuedOnesFinish() throws Exception {
        WorkPool pool = pool(1, 8);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PoolTask<String> held = pool.submit(HIGH, blocker(started, release));
        assertThat(started.await(10, SECONDS)).isTrue();
        List<PoolTask<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int value = i;
            queued.add(pool.submit(i % 2 == 0 ? LOW : HIGH, () -> value));
        }

        pool.shutdown();
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.isTerminated()).isFalse();
        assertThat(causeOf(pool.submit(HIGH, () -> -1)))
                .isExactlyInstanceOf(RejectedExecutionException.class).hasMessageContaining("shut down");
        assertThatThrownBy(() -> pool.execute(LOW, () -> { }))
                .isExactlyInstanceOf(RejectedExecutionException.class).hasMessageContaining("shut down");
        assertThat(pool.awaitTermination(0, SECONDS)).as("a task is still held").isFalse();

        release.countDown();
        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        assertThat(pool.isTerminated()).isTrue();
        assertThat(held.join()).isEqualTo("released");
        for (int i = 0; i < 5; i++) {
            assertThat(queued.get(i).join()).isEqualTo(i);
        }
        assertThat(liveWorkers(pool)).isEmpty();
        PoolStats stats = pool.stats();
        assertThat(stats.liveThreads()).isZero();
        assertThat(stats.completed()).isEqualTo(6);
        assertThat(stats.rejected()).isEqualTo(2);
    }

    @Test
    void shutdownWithNoWorkerStartedTerminatesAtOnce() throws Exception {
        WorkPool pool = pool(2, 2);
        pool.shutdown();
        assertThat(pool.awaitTermination(0, SECONDS)).isTrue();
        assertThat(liveWorkers(pool)).isEmpty();
    }

    @Test
    void shutdownNowRejectsEveryQueuedTaskAndInterruptsTheRunningOnes() throws Exception {
        WorkPool pool = pool(2, 16);
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch never = new CountDownLatch(1);
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        List<PoolTask<String>> running = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            running.add(pool.submit(HIGH, () -> {
                workers.add(Thread.currentThread());
                started.countDown();
                never.await();
                return "not interrupted";
            }));
        }
        assertThat(started.await(10, SECONDS)).isTrue();
        AtomicInteger bodies = new AtomicInteger();
        List<PoolTask<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(pool.submit(i % 2 == 0 ? LOW : HIGH, bodies::incrementAndGet));
        }

        pool.shutdownNow();
        // The queued futures are complete when shutdownNow returns.
        for (PoolTask<Integer> task : queued) {
            assertThat(causeOf(task)).isExactlyInstanceOf(RejectedExecutionException.class)
                    .hasMessage("pool " + pool.name() + " shut down before the task started");
        }
        for (PoolTask<String> task : running) {
            assertThatThrownBy(() -> task.get(10, SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InterruptedException.class);
        }
        assertThat(causeOf(pool.submit(HIGH, () -> 1))).isExactlyInstanceOf(RejectedExecutionException.class);

        assertThat(pool.awaitTermination(10, SECONDS)).isTrue();
        assertThat(workers).hasSize(2).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
        assertThat(liveWorkers(pool)).isEmpty();
        assertThat(bodies.get()).isZero();
        PoolStats stats = pool.stats();
        assertThat(stats.liveThreads()).isZero();
        assertThat(stats.queuedHigh() + stats.queuedLow()).isZero();
        assertThat(stats.rejected()).isEqualTo(6);
    }

    @Test
    void everyTaskCompletesExactlyOnceAndRunsAtMostOnceAgainstAConcurrentCanceller() throws Exception {
        int n = 100_000;
        WorkPool pool = pool(2, 1024);
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        AtomicReferenceArray<PoolTask<Integer>> futures = new AtomicReferenceArray<>(n);
        Set<Integer> sawInterrupt = ConcurrentHashMap.newKeySet();
        AtomicInteger cancelsWon = new AtomicInteger();

        Thread canceller = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                int id = i;
                Await.spin("task " + id + " is submitted", () -> futures.get(id) != null); // right behind the submitter
                PoolTask<Integer> f = futures.get(i);
                if (i % 3 == 0 && f.cancel(i % 2 == 0)) {
                    cancelsWon.incrementAndGet();
                }
            }
        });
        long[] overloaded = {0};
        for (int i = 0; i < n; i++) {
            int id = i;
            Priority priority = i % 4 == 0 ? LOW : HIGH;
            Await.spin("the pool accepts task " + id, () -> { // refused while its queue is full: back off and retry
                PoolTask<Integer> f = pool.submit(priority, () -> {
                    runs.incrementAndGet(id);
                    if (Thread.currentThread().isInterrupted()) {
                        sawInterrupt.add(id);
                    }
                    return id;
                });
                if (!f.isCompletedExceptionally()) { // not yet published, so not cancelled: only a refusal fails it
                    futures.set(id, f);
                    return true;
                }
                assertThat(causeOf(f)).isInstanceOf(BridgeOverloadedException.class);
                overloaded[0]++;
                return false;
            });
        }
        Await.join("the canceller went through every task", canceller);

        int cancelled = 0;
        long bodies = 0;
        for (int i = 0; i < n; i++) {
            PoolTask<Integer> f = futures.get(i);
            try {
                assertThat(f.get(30, SECONDS)).isEqualTo(i);
                assertThat(runs.get(i)).as("task %d completed normally", i).isEqualTo(1);
            } catch (CancellationException e) {
                cancelled++;
                assertThat(runs.get(i)).as("cancelled task %d", i).isLessThanOrEqualTo(1);
            }
            assertThat(f.isDone()).isTrue();
            bodies += runs.get(i);
        }
        assertThat(cancelled).isEqualTo(cancelsWon.get()).isPositive();
        // An interrupt only ever reaches the task whose cancel(true) sent it.
        for (int id : sawInterrupt) {
            assertThat(futures.get(id).isCancelled()).as("task %d saw an interrupt", id).isTrue();
        }

        pool.shutdown();
        assertThat(pool.awaitTermination(30, SECONDS)).isTrue();
        PoolStats stats = pool.stats();
        assertThat(stats.completed()).isEqualTo(bodies);
        assertThat(stats.rejected()).isEqualTo(overloaded[0]);
        assertThat(stats.running()).isZero();
        assertThat(stats.liveThreads()).isZero();
    }
}
