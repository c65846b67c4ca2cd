package io.vtbridge.adapters.executor;

import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code invokeAll} and {@code invokeAny}, timed and untimed, in the style of the JSR-166 TCK: empty
 * collections, outcomes kept per task, timeouts that cancel what is unfinished, the first success
 * cancelling the rest, all-failing, and an interrupted caller.
 */
@Timeout(60)
class ExecutorInvokeTest {

    @TestBridge(shards = 2, name = "exec-invoke")
    Bridge bridge;

    /** Tasks that block until interrupted, counting their starts and the interrupts they saw. */
    private static final class Blockers {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();
        final CountDownLatch allStarted;

        Blockers(int expectedStarts) {
            allStarted = new CountDownLatch(expectedStarts);
        }

        Callable<String> task() {
            return () -> {
                started.incrementAndGet();
                allStarted.countDown();
                try {
                    new CountDownLatch(1).await();
                    return "never";
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    throw e;
                }
            };
        }
    }

    // ---- invokeAll ------------------------------------------------------------------------------

    @Test
    void invokeAllReturnsEveryFutureDoneInTheCollectionsOrder() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                tasks.add(() -> {
                    assertThat(Bridge.current()).isPresent();
                    return n * n;
                });
            }
            List<Future<Integer>> futures = executor.invokeAll(tasks);
            assertThat(futures).hasSize(20).allMatch(Future::isDone);
            for (int i = 0; i < 20; i++) {
                assertThat(futures.get(i).get()).isEqualTo(i * i);
            }
        }
    }

    @Test
    void invokeAllOfNothingReturnsAnEmptyList() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            assertThat(executor.invokeAll(List.<Callable<String>>of())).isEmpty();
            assertThat(executor.invokeAll(List.<Callable<String>>of(), 1, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void invokeAllKeepsEachTasksOwnOutcome() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            IOException failure = new IOException("second fails");
            List<Future<String>> futures = executor.invokeAll(List.of(() -> "first", () -> {
                throw failure;
            }, () -> "third"));
            assertThat(futures.get(0).get()).isEqualTo("first");
            assertThatThrownBy(() -> futures.get(1).get()).isInstanceOf(ExecutionException.class).cause().isSameAs(failure);
            assertThat(futures.get(2).get()).isEqualTo("third");
        }
    }

    @Test
    void timedInvokeAllCancelsTheTasksStillRunningWhenTheTimeoutElapses() throws Exception {
        // The blockers never end by themselves, so the call must return at the timeout with them
        // cancelled; the quick tasks should be complete by then. On a loaded machine even a trivial
        // task may not be, and invokeAll then rightly cancels it: such an attempt proves nothing about
        // the quick tasks, so it is repeated with a ten times longer timeout. Every other check holds in
        // every attempt, and quick tasks still unfinished after 20 s fail the test.
        for (long timeoutMillis = 200; ; timeoutMillis *= 10) {
            if (timedInvokeAllOfQuickTasksAndBlockers(timeoutMillis)) {
                return;
            }
            assertThat(timeoutMillis).as("a quick task was still unfinished when a timeout of " + timeoutMillis + " ms elapsed")
                    .isLessThan(20_000);
        }
    }

    /**
     * One timed {@code invokeAll} of two quick tasks and two blockers, checked; returns false if a
     * quick task was still unfinished (so cancelled) when the timeout elapsed.
     */
    private boolean timedInvokeAllOfQuickTasksAndBlockers(long timeoutMillis) throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        try {
            Blockers blockers = new Blockers(2);
            List<Callable<String>> tasks = List.of(() -> "quick", blockers.task(), () -> "also quick", blockers.task());
            long start = System.nanoTime();
            List<Future<String>> futures = executor.invokeAll(tasks, timeoutMillis, TimeUnit.MILLISECONDS);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMillis).as("the blockers never end: it waited for the whole timeout").isGreaterThanOrEqualTo(timeoutMillis);
            assertThat(tookMillis).as("sanity bound: returned at the timeout, not never").isLessThan(timeoutMillis + Await.WAIT.toMillis());
            assertThat(futures).hasSize(4).allMatch(Future::isDone);
            assertThat(futures.get(1).isCancelled()).as("a blocker, unfinished at the timeout").isTrue();
            assertThat(futures.get(3).isCancelled()).as("a blocker, unfinished at the timeout").isTrue();

            executor.shutdown();
            assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).as("the cancelled blockers ended").isTrue();
            assertThat(blockers.interrupted.get()).as("every blocker that started was interrupted").isEqualTo(blockers.started.get());

            if (futures.get(0).isCancelled() || futures.get(2).isCancelled()) {
                return false; // a quick task had not finished at the timeout: cancelled, as it must be
            }
            assertThat(futures.get(0).get()).isEqualTo("quick");
            assertThat(futures.get(2).get()).isEqualTo("also quick");
            return true;
        } finally {
            executor.shutdownNow(); // a failed check must not leave a close() waiting for a blocker
        }
    }

    @Test
    void timedInvokeAllWithANonPositiveTimeoutRunsNothingAndReturnsCancelledFutures() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            AtomicInteger runs = new AtomicInteger();
            for (long timeout : new long[] {0, -1, Long.MIN_VALUE}) {
                List<Future<Integer>> futures = executor.invokeAll(List.of(runs::incrementAndGet, runs::incrementAndGet), timeout, TimeUnit.SECONDS);
                assertThat(futures).hasSize(2).allMatch(Future::isCancelled);
            }
            executor.shutdown();
            assertThat(executor.isTerminated()).as("nothing was accepted").isTrue();
            assertThat(runs).hasValue(0);
        }
    }

    @Test
    void timedInvokeAllWithAHugeTimeoutWaitsForAll() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            List<Future<String>> futures = executor.invokeAll(List.of(() -> "a", () -> "b"), Long.MAX_VALUE, TimeUnit.DAYS);
            assertThat(futures.get(0).get()).isEqualTo("a");
            assertThat(futures.get(1).get()).isEqualTo("b");
        }
    }

    @Test
    void anInterruptedInvokeAllThrowsAndCancelsEveryTask() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        try {
            Blockers blockers = new Blockers(3);
            List<Callable<String>> tasks = List.of(blockers.task(), blockers.task(), blockers.task());
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    executor.invokeAll(tasks);
                    thrown.complete(null);
                } catch (Throwable t) {
                    thrown.complete(t);
                }
            });
            Await.latch("all three tasks started", blockers.allStarted);
            caller.interrupt();
            assertThat(Await.result(thrown)).isInstanceOf(InterruptedException.class);
            Await.join("the caller", caller);

            executor.shutdown();
            assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).as("the cancelled tasks ended").isTrue();
            assertThat(blockers.interrupted).as("each task's interrupt").hasValue(3);
        } finally {
            executor.shutdownNow(); // a failed check must not leave a close() waiting for a blocker
        }
    }

    @Test
    void aCallerInterruptedBeforeInvokeAllOrInvokeAnyGetsInterruptedExceptionAndNothingRuns() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            AtomicInteger runs = new AtomicInteger();
            List<Callable<Integer>> tasks = List.of(runs::incrementAndGet);
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> executor.invokeAll(tasks)).isInstanceOf(InterruptedException.class);
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> executor.invokeAll(tasks, 1, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> executor.invokeAny(tasks)).isInstanceOf(InterruptedException.class);
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> executor.invokeAny(tasks, 1, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            assertThat(Thread.interrupted()).as("the interrupt was consumed").isFalse();
            executor.shutdown();
            assertThat(executor.isTerminated()).isTrue();
            assertThat(runs).hasValue(0);
        }
    }

    // ---- invokeAny ------------------------------------------------------------------------------

    @Test
    void invokeAnyReturnsOneSuccessAndCancelsTheRest() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        try {
            Blockers blockers = new Blockers(0);
            List<Callable<String>> tasks = List.of(blockers.task(), blockers.task(), blockers.task(), () -> "winner");
            assertThat(executor.invokeAny(tasks)).isEqualTo("winner");

            executor.shutdown();
            assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).as("the losers were cancelled").isTrue();
            assertThat(blockers.interrupted.get()).as("every loser that started was interrupted").isEqualTo(blockers.started.get());
        } finally {
            executor.shutdownNow(); // a failed check must not leave a close() waiting for a blocker
        }
    }

    @Test
    void invokeAnyIgnoresFailuresWhileOneTaskCanStillSucceed() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            CountDownLatch bothFailed = new CountDownLatch(2);
            List<Callable<String>> tasks = List.of(() -> {
                bothFailed.countDown();
                throw new IOException("one");
            }, () -> {
                bothFailed.await();
                return "late success";
            }, () -> {
                bothFailed.countDown();
                throw new IOException("two");
            });
            assertThat(executor.invokeAny(tasks)).isEqualTo("late success");
            assertThat(executor.invokeAny(tasks, Await.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("late success");
        }
    }

    @Test
    void invokeAnyWhenEveryTaskFailsThrowsExecutionExceptionWithAnOriginalFailureAsTheCause() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            List<Exception> failures = List.of(new IOException("a"), new IllegalStateException("b"), new IOException("c"));
            List<Callable<String>> tasks = new ArrayList<>();
            for (Exception f : failures) {
                tasks.add(() -> {
                    throw f;
                });
            }
            assertThatThrownBy(() -> executor.invokeAny(tasks)).isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(failures).as("the cause is one of the tasks' own exceptions").anyMatch(f -> f == e.getCause()));
            assertThatThrownBy(() -> executor.invokeAny(tasks, Await.WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(failures).anyMatch(f -> f == e.getCause()));
        }
    }

    @Test
    void invokeAnyOfNothingIsAnIllegalArgument() {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            assertThatThrownBy(() -> executor.invokeAny(List.<Callable<String>>of())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> executor.invokeAny(List.<Callable<String>>of(), 1, TimeUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void timedInvokeAnyThrowsTimeoutExceptionAndCancelsEveryTask() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        try {
            Blockers blockers = new Blockers(2);
            long start = System.nanoTime();
            assertThatThrownBy(() -> executor.invokeAny(List.of(blockers.task(), blockers.task()), 200, TimeUnit.MILLISECONDS))
                    .isInstanceOf(TimeoutException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("sanity bound").isLessThan(Await.WAIT.toMillis());

            executor.shutdown();
            assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).as("both tasks were cancelled").isTrue();
            assertThat(blockers.interrupted.get()).isEqualTo(blockers.started.get());
        } finally {
            executor.shutdownNow(); // a failed check must not leave a close() waiting for a blocker
        }
    }

    @Test
    void timedInvokeAnyWithANonPositiveTimeoutTimesOutAtOnceRunningNothing() {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            AtomicInteger runs = new AtomicInteger();
            assertThatThrownBy(() -> executor.invokeAny(List.of(runs::incrementAndGet), 0, TimeUnit.NANOSECONDS)).isInstanceOf(TimeoutException.class);
            assertThatThrownBy(() -> executor.invokeAny(List.of(runs::incrementAndGet), -5, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
            executor.shutdown();
            assertThat(executor.isTerminated()).isTrue();
            assertThat(runs).hasValue(0);
        }
    }

    @Test
    void anInterruptedInvokeAnyThrowsAndCancelsEveryTask() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        try {
            Blockers blockers = new Blockers(2);
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    executor.invokeAny(List.of(blockers.task(), blockers.task()));
                    thrown.complete(null);
                } catch (Throwable t) {
                    thrown.complete(t);
                }
            });
            Await.latch("both tasks started", blockers.allStarted);
            caller.interrupt();
            assertThat(Await.result(thrown)).isInstanceOf(InterruptedException.class);

            executor.shutdown();
            assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(blockers.interrupted).hasValue(2);
        } finally {
            executor.shutdownNow(); // a failed check must not leave a close() waiting for a blocker
        }
    }

    @Test
    @SuppressWarnings("try") // the held shard is the resource's whole point; the body never names it
    void invokeAnyWhoseTasksShutdownNowDrainedFailsWithTheirCancellationAsTheCause() throws Exception {
        try (Bridge one = Bridge.builder().shards(1).name("exec-any-drained").build()) {
            BridgeExecutorService executor = BridgeExecutorService.of(one);
            AtomicInteger runs = new AtomicInteger();
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread caller;
            try (HeldShard held = HeldShard.hold(one, 0)) {
                caller = Thread.ofPlatform().start(() -> {
                    try {
                        executor.invokeAny(List.of(runs::incrementAndGet, runs::incrementAndGet));
                        thrown.complete(null);
                    } catch (Throwable t) {
                        thrown.complete(t);
                    }
                });
                Await.until("both tasks accepted", () -> executor.toString().contains("active=2"));
                assertThat(executor.shutdownNow()).hasSize(2);
            }
            assertThat(Await.result(thrown)).isInstanceOf(ExecutionException.class).cause().isInstanceOf(CancellationException.class);
            Await.join("the caller", caller);
            assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(runs).hasValue(0);
        }
    }
}
