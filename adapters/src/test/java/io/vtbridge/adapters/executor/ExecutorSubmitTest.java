package io.vtbridge.adapters.executor;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeOverloadedException;
import io.vtbridge.Shard;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The submission half of the {@code ExecutorService} contract, in the style of the JSR-166 TCK:
 * {@code execute} and the three {@code submit}s, their futures (value, original exception, cancel
 * before and during the run), null arguments, and the three rejections (shut down, overloaded,
 * closed bridge).
 */
@Timeout(60)
class ExecutorSubmitTest {

    @TestBridge(shards = 2, name = "exec-submit")
    Bridge bridge;

    @Test
    void executeRunsTheCommandOnABridgedVirtualThread() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            CompletableFuture<Thread> ranOn = new CompletableFuture<>();
            CompletableFuture<Boolean> bridged = new CompletableFuture<>();
            executor.execute(() -> {
                bridged.complete(Bridge.current().isPresent());
                ranOn.complete(Thread.currentThread());
            });
            assertThat(Await.result(bridged)).as("Bridge.current() in the command").isTrue();
            assertThat(Await.result(ranOn).isVirtual()).isTrue();
        }
    }

    @Test
    void submitCallableCompletesWithItsValueComputedInBridgedCode() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            CompletableFuture<String> f = executor.submit(() -> Bridge.current().map(Shard::bridge).map(Bridge::name).orElse("not bridged"));
            assertThat(f.get(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("exec-submit");
            assertThat(f.isDone()).isTrue();
            assertThat(f.isCancelled()).isFalse();
        }
    }

    @Test
    void submitRunnableCompletesWithNullOrTheGivenResult() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            AtomicInteger runs = new AtomicInteger();
            Runnable task = runs::incrementAndGet;
            Future<?> plain = executor.submit(task);
            Future<String> withResult = executor.submit(task, "given");
            Future<String> withNull = executor.submit(task, (String) null);
            assertThat(plain.get(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
            assertThat(withResult.get(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("given");
            assertThat(withNull.get(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
            assertThat(runs).hasValue(3);
        }
    }

    @Test
    void aFailingTaskFailsItsFutureWithTheOriginalExceptionAsTheCause() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            IOException legacyFailure = new IOException("disk on fire");
            CompletableFuture<String> f = executor.submit(() -> {
                throw legacyFailure;
            });
            assertThatThrownBy(() -> f.get(Await.WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isSameAs(legacyFailure);
            assertThat(f.isCompletedExceptionally()).isTrue();
            Error error = new AssertionError("an error, too");
            assertThatThrownBy(() -> executor.submit(() -> {
                throw error;
            }).get(Await.WAIT_SECONDS, TimeUnit.SECONDS)).cause().isSameAs(error);
        }
    }

    @Test
    void whatAnExecutedCommandThrowsGoesToItsThreadsUncaughtExceptionHandler() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            RuntimeException boom = new IllegalStateException("boom");
            CompletableFuture<Throwable> seen = new CompletableFuture<>();
            executor.execute(() -> {
                Thread.currentThread().setUncaughtExceptionHandler((t, e) -> seen.complete(e));
                throw boom;
            });
            assertThat(Await.result(seen)).isSameAs(boom);
        }
        // and the service terminated after it (close() returned): a failed command still ends
    }

    @Test
    void nullArgumentsAreRefusedNamingTheArgumentAndRunNothing() {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            AtomicInteger runs = new AtomicInteger();
            Callable<Integer> counted = runs::incrementAndGet;
            List<Callable<Integer>> withNull = new ArrayList<>();
            withNull.add(counted);
            withNull.add(null);

            assertThatThrownBy(() -> BridgeExecutorService.of(null)).isInstanceOf(NullPointerException.class).hasMessage("bridge");
            assertThatThrownBy(() -> BridgeExecutorService.of(null, "k")).isInstanceOf(NullPointerException.class).hasMessage("bridge");
            assertThatThrownBy(() -> BridgeExecutorService.of(bridge, null)).isInstanceOf(NullPointerException.class).hasMessage("key");
            assertThatThrownBy(() -> executor.execute(null)).isInstanceOf(NullPointerException.class).hasMessage("command");
            assertThatThrownBy(() -> executor.submit((Callable<String>) null)).isInstanceOf(NullPointerException.class).hasMessage("task");
            assertThatThrownBy(() -> executor.submit((Runnable) null)).isInstanceOf(NullPointerException.class).hasMessage("task");
            assertThatThrownBy(() -> executor.submit((Runnable) null, "r")).isInstanceOf(NullPointerException.class).hasMessage("task");
            assertThatThrownBy(() -> executor.invokeAll(null)).isInstanceOf(NullPointerException.class).hasMessage("tasks");
            assertThatThrownBy(() -> executor.invokeAll(null, 1, TimeUnit.SECONDS)).isInstanceOf(NullPointerException.class).hasMessage("tasks");
            assertThatThrownBy(() -> executor.invokeAll(List.of(counted), 1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
            assertThatThrownBy(() -> executor.invokeAll(withNull)).isInstanceOf(NullPointerException.class).hasMessage("tasks[1] is null");
            assertThatThrownBy(() -> executor.invokeAll(withNull, 1, TimeUnit.SECONDS)).isInstanceOf(NullPointerException.class).hasMessage("tasks[1] is null");
            assertThatThrownBy(() -> executor.invokeAny(null)).isInstanceOf(NullPointerException.class).hasMessage("tasks");
            assertThatThrownBy(() -> executor.invokeAny(null, 1, TimeUnit.SECONDS)).isInstanceOf(NullPointerException.class).hasMessage("tasks");
            assertThatThrownBy(() -> executor.invokeAny(List.of(counted), 1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
            assertThatThrownBy(() -> executor.invokeAny(withNull)).isInstanceOf(NullPointerException.class).hasMessage("tasks[1] is null");
            assertThatThrownBy(() -> executor.invokeAny(withNull, 1, TimeUnit.SECONDS)).isInstanceOf(NullPointerException.class).hasMessage("tasks[1] is null");
            assertThatThrownBy(() -> executor.awaitTermination(1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");

            executor.shutdown();
            assertThat(executor.isTerminated()).as("nothing was accepted").isTrue();
            assertThat(runs).as("the element before the null one never ran").hasValue(0);
        }
    }

    @Test
    void cancelTrueInterruptsTheRunningTasksVirtualThread() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        try {
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
            CompletableFuture<String> f = executor.submit(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                    return "never";
                } catch (InterruptedException e) {
                    interrupted.complete(Bridge.current().isPresent());
                    throw e;
                }
            });
            Await.latch("the task started", started);
            assertThat(f.cancel(true)).isTrue();
            assertThat(Await.result("the task's interrupt", interrupted)).as("interrupted in bridged code").isTrue();
            assertThat(f.isCancelled()).isTrue();
            assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
            assertThat(f.cancel(true)).as("a second cancel: true, as CompletableFuture.cancel says (it is cancelled)").isTrue();
            executor.shutdown();
            assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).as("the cancelled task ended").isTrue();
        } finally {
            executor.shutdownNow(); // a failed check must not leave a close() waiting for a blocker
        }
    }

    @Test
    @SuppressWarnings("try") // the held shard is the resource's whole point; the body never names it
    void aTaskCancelledBeforeItsStartNeverRunsAndStopsCountingAtOnce() throws Exception {
        try (Bridge one = Bridge.builder().shards(1).name("exec-cancel").closeTimeout(Duration.ofSeconds(2)).build()) {
            BridgeExecutorService executor = BridgeExecutorService.of(one);
            AtomicInteger runs = new AtomicInteger();
            CompletableFuture<Integer> marker;
            try (HeldShard held = HeldShard.hold(one, 0)) {
                CompletableFuture<Integer> f = executor.submit(runs::incrementAndGet);
                assertThat(f.cancel(false)).isTrue();
                executor.shutdown();
                assertThat(executor.isTerminated()).as("terminated while the loop is still held: the cancelled task ended at its cancel").isTrue();
                marker = one.submit(() -> 7); // same submitting thread, same shard: starts after the cancelled one would have
            }
            assertThat(Await.result(marker)).isEqualTo(7);
            assertThat(runs).as("the cancelled task's body").hasValue(0);
        }
    }

    @Test
    @SuppressWarnings("try") // the held shard is the resource's whole point; the body never names it
    void aTaskCompletedByHandBeforeItsStartDoesNotRun() throws Exception {
        try (Bridge one = Bridge.builder().shards(1).name("exec-complete").closeTimeout(Duration.ofSeconds(2)).build();
             BridgeExecutorService executor = BridgeExecutorService.of(one)) {
            AtomicInteger runs = new AtomicInteger();
            CompletableFuture<Integer> f;
            try (HeldShard held = HeldShard.hold(one, 0)) {
                f = executor.submit(runs::incrementAndGet);
                assertThat(f.complete(42)).isTrue();
            }
            executor.shutdown();
            assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(f.get()).isEqualTo(42);
            assertThat(runs).hasValue(0);
        }
    }

    @Test
    void afterShutdownEverySubmissionIsRejectedNamingTheService() {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        executor.shutdown();
        AtomicInteger runs = new AtomicInteger();
        String name = executor.toString().substring("BridgeExecutorService[".length(), executor.toString().indexOf(','));
        assertThat(name).startsWith("exec-submit-executor-");
        assertThatThrownBy(() -> executor.execute(runs::incrementAndGet))
                .isExactlyInstanceOf(RejectedExecutionException.class).hasMessage("executor " + name + " is shut down");
        assertThatThrownBy(() -> executor.submit(runs::incrementAndGet)).isExactlyInstanceOf(RejectedExecutionException.class).hasMessageContaining(name);
        assertThatThrownBy(() -> executor.submit((Runnable) runs::incrementAndGet)).isExactlyInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> executor.submit(runs::incrementAndGet, 1)).isExactlyInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> executor.invokeAll(List.of(runs::incrementAndGet))).isExactlyInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> executor.invokeAny(List.of(runs::incrementAndGet))).isExactlyInstanceOf(RejectedExecutionException.class);
        assertThat(runs).hasValue(0);
        assertThat(executor.isTerminated()).isTrue();
    }

    @Test
    void aFullBridgeRefusesWithItsBridgeOverloadedExceptionAndTheRefusedTaskDoesNotCount() throws Exception {
        try (Bridge small = Bridge.builder().shards(1).maxInFlight(2).name("exec-full").closeTimeout(Duration.ofSeconds(2)).build()) {
            BridgeExecutorService executor = BridgeExecutorService.of(small);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(2);
            for (int i = 0; i < 2; i++) {
                executor.execute(() -> {
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            Await.latch("two tasks fill the bridge", started);
            AtomicInteger runs = new AtomicInteger();
            assertThatThrownBy(() -> executor.execute(runs::incrementAndGet))
                    .isInstanceOf(BridgeOverloadedException.class).hasMessageContaining("exec-full");
            assertThatThrownBy(() -> executor.submit(runs::incrementAndGet))
                    .isInstanceOf(BridgeOverloadedException.class)
                    .satisfies(e -> assertThat(((BridgeOverloadedException) e).maxInFlight()).isEqualTo(2));
            assertThat(executor.toString()).as("the refused tasks are not counted").contains("active=2");

            release.countDown();
            executor.shutdown();
            assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(runs).hasValue(0);
            assertThat(small.isClosed()).as("the service never closes the bridge").isFalse();
        }
    }

    @Test
    void aClosedBridgeRefusesWithARejectedExecutionException() throws Exception {
        Bridge closed = Bridge.builder().shards(1).name("exec-closed").build();
        BridgeExecutorService executor = BridgeExecutorService.of(closed);
        closed.close();
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> executor.execute(runs::incrementAndGet))
                .isExactlyInstanceOf(RejectedExecutionException.class).hasMessageContaining("exec-closed").hasMessageContaining("closed");
        assertThatThrownBy(() -> executor.submit(runs::incrementAndGet)).isExactlyInstanceOf(RejectedExecutionException.class);
        assertThat(executor.isShutdown()).as("the service's own state").isFalse();
        executor.close();
        assertThat(executor.isTerminated()).as("nothing was accepted, so close() returns at once").isTrue();
        assertThat(runs).hasValue(0);
    }

    @Test
    void aTaskTheBridgeEndsBeforeItsStartFailsWithTheBridgesRejection() throws Exception {
        Bridge one = Bridge.builder().shards(1).name("exec-abandon").closeTimeout(Duration.ofSeconds(2)).build();
        try {
            BridgeExecutorService executor = BridgeExecutorService.of(one);
            AtomicInteger runs = new AtomicInteger();
            HeldShard held = HeldShard.hold(one, 0);
            CompletableFuture<Integer> f = executor.submit(runs::incrementAndGet);
            assertThat(f.isDone()).isFalse();
            one.shutdownNow(); // completes the unstarted bridge task, interrupts the spinner
            held.close();
            assertThatThrownBy(() -> f.get(Await.WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RejectedExecutionException.class);
            executor.shutdown();
            assertThat(executor.isTerminated()).as("the abandoned task ended").isTrue();
            assertThat(runs).hasValue(0);
        } finally {
            one.close();
        }
    }

    @Test
    void aKeyedServiceRunsEveryTaskOnTheKeysShard() throws Exception {
        for (String key : List.of("alpha", "beta", "gamma")) {
            try (BridgeExecutorService executor = BridgeExecutorService.of(bridge, key)) {
                int expected = bridge.shardFor(key).index();
                List<CompletableFuture<Integer>> shards = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    shards.add(executor.submit(() -> Bridge.current().orElseThrow().index()));
                }
                for (CompletableFuture<Integer> s : shards) {
                    assertThat(Await.result(s)).as("shard of a task of the service keyed %s", key).isEqualTo(expected);
                }
                assertThat(executor.toString()).contains("key shard " + expected);
            }
        }
    }

    @Test
    void obtrudeIsRefusedAndDependentStagesArePlainFutures() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> f = executor.submit(() -> {
                release.await();
                return "v";
            });
            assertThatThrownBy(() -> f.obtrudeValue("x")).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> f.obtrudeException(new IOException())).isInstanceOf(UnsupportedOperationException.class);
            CompletableFuture<String> dependent = f.thenApply(v -> v + "!");
            assertThat(dependent.cancel(true)).isTrue();
            release.countDown();
            assertThat(Await.result(f)).as("cancelling a dependent stage leaves the task alone").isEqualTo("v");
        }
    }

    @Test
    void anInterruptLeftByTheTaskDoesNotReachItsFuturesDependentStages() throws Exception {
        try (BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            CountDownLatch attached = new CountDownLatch(1);
            CompletableFuture<String> f = executor.submit(() -> {
                attached.await();
                Thread.currentThread().interrupt(); // legacy code that restores an interrupt and returns
                return "v";
            });
            CompletableFuture<String> seen = f.thenApply(v -> v + " bridged=" + Bridge.current().isPresent()
                    + " interrupted=" + Thread.currentThread().isInterrupted());
            attached.countDown();
            assertThat(Await.result(seen)).as("the stage ran on the task's thread, after the run").isEqualTo("v bridged=true interrupted=false");
        }
    }
}
