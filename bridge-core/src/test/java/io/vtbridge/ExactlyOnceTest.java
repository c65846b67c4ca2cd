package io.vtbridge;

import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(180)
class ExactlyOnceTest {

    private static final int TASKS = 100_000;

    @Test
    void everyFutureCompletesExactlyOnceWhenCancelRacesCompletion() throws Exception {
        AtomicIntegerArray runs = new AtomicIntegerArray(TASKS); // how often each callable ran
        AtomicInteger values = new AtomicInteger();
        AtomicInteger cancellations = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicInteger cancelCalls = new AtomicInteger();
        try (Bridge bridge = Bridge.builder().shards(2).maxInFlight(TASKS).build()) {
            List<CompletableFuture<Integer>> futures = new ArrayList<>(TASKS);
            // Some tasks wait until the canceller is done, so that some cancels surely land on a
            // running task however fast the loops work through the rest.
            CompletableFuture<Void> cancellerDone = new CompletableFuture<>();
            List<CompletableFuture<Integer>> callbacks = new ArrayList<>(TASKS); // done when each counting callback has run
            for (int i = 0; i < TASKS; i++) {
                int id = i;
                int kind = i % 4;
                CompletableFuture<Integer> f = bridge.submit(() -> {
                    runs.incrementAndGet(id);
                    switch (kind) {
                        case 0 -> Thread.yield();             // completes quickly, after one suspend
                        case 1 -> Thread.sleep(1);            // suspended when the cancel lands, mostly
                        case 2 -> { }                         // completes at once
                        default -> {
                            if (id % 8 == 3) {
                                io.vtbridge.Bridge.await(cancellerDone);
                            } else {
                                io.vtbridge.Bridge.sleep(java.time.Duration.ofNanos(ThreadLocalRandom.current().nextInt(200_000)));
                            }
                        }
                    }
                    return id;
                });
                callbacks.add(f.whenComplete((v, e) -> {
                    if (e == null) {
                        values.incrementAndGet();
                    } else if (e instanceof CancellationException) {
                        cancellations.incrementAndGet();
                    } else {
                        other.incrementAndGet();
                    }
                }));
                futures.add(f);
            }
            // Cancel about half of them from another thread while the loops work through them:
            // some cancels land before the task starts, some while it sleeps, some after it is done.
            Thread canceller = Thread.ofPlatform().start(() -> {
                for (CompletableFuture<Integer> f : futures) {
                    if (ThreadLocalRandom.current().nextBoolean() && f.cancel(true)) {
                        cancelCalls.incrementAndGet();
                    }
                }
            });
            Await.join("the canceller went through every future", canceller);
            cancellerDone.complete(null);
            for (CompletableFuture<Integer> callback : callbacks) {
                try {
                    callback.get(60, TimeUnit.SECONDS);
                } catch (CancellationException | java.util.concurrent.ExecutionException expected) {
                    // counted by the callback itself
                }
            }
            // Every task's thread has also ended and returned its slot.
            Await.until("every task's slot is returned (inFlight 0)", () -> bridge.inFlight() == 0);
        }
        for (int i = 0; i < TASKS; i++) {
            assertThat(runs.get(i)).as("runs of task %d", i).isLessThanOrEqualTo(1);
        }
        assertThat(values.get() + cancellations.get()).isEqualTo(TASKS);
        // A value means the callable ran, once; cancel(true) may have landed before or after the start.
        assertThat(java.util.stream.IntStream.range(0, TASKS).map(runs::get).sum()).isGreaterThanOrEqualTo(values.get());
        assertThat(other.get()).isZero();
        // The canceller is the only source of cancellation, and cancel() answers whether it took.
        assertThat(cancellations.get()).isEqualTo(cancelCalls.get());
        assertThat(cancellations.get()).as("some cancels won").isPositive();
        assertThat(values.get()).as("some tasks won").isPositive();
    }

    @Test
    void cancelInterruptsTheRunningTasksThread() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
            CompletableFuture<Boolean> started = new CompletableFuture<>();
            CompletableFuture<Object> f = bridge.submit(() -> {
                started.complete(true);
                try {
                    Thread.sleep(TimeUnit.HOURS.toMillis(1));
                    interrupted.complete(false);
                } catch (InterruptedException e) {
                    interrupted.complete(true);
                }
                return "finished";
            });
            started.get(10, TimeUnit.SECONDS);
            assertThat(f.cancel(true)).isTrue();
            assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(f.isCancelled()).isTrue();
            // CompletableFuture's contract: cancel() answers whether the future is now cancelled.
            assertThat(f.cancel(true)).as("second cancel").isTrue();
            assertThat(f.isCompletedExceptionally()).isTrue();
        }
    }

    @Test
    void cancelWithoutInterruptLetsTheTaskRunButTheFutureStaysCancelled() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            CompletableFuture<Boolean> started = new CompletableFuture<>();
            CompletableFuture<Boolean> finished = new CompletableFuture<>();
            CompletableFuture<Boolean> proceed = new CompletableFuture<>();
            CompletableFuture<String> f = bridge.submit(() -> {
                started.complete(true);
                Bridge.await(proceed);
                finished.complete(!Thread.currentThread().isInterrupted());
                return "value";
            });
            started.get(10, TimeUnit.SECONDS);
            assertThat(f.cancel(false)).isTrue();
            proceed.complete(true);
            assertThat(finished.get(10, TimeUnit.SECONDS)).as("not interrupted").isTrue();
            assertThat(f.isCancelled()).isTrue();
        }
    }
}
