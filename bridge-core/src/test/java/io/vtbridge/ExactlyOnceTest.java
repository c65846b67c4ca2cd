package io.vtbridge;

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
        AtomicIntegerArray callbacks = new AtomicIntegerArray(TASKS);
        AtomicInteger values = new AtomicInteger();
        AtomicInteger cancellations = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicInteger cancelCalls = new AtomicInteger();
        try (Bridge bridge = Bridge.builder().shards(2).maxInFlight(TASKS).build()) {
            List<CompletableFuture<Integer>> futures = new ArrayList<>(TASKS);
            for (int i = 0; i < TASKS; i++) {
                int id = i;
                int kind = i % 4;
                CompletableFuture<Integer> f = bridge.submit(() -> {
                    switch (kind) {
                        case 0 -> Thread.yield();             // completes quickly, after one suspend
                        case 1 -> Thread.sleep(1);            // suspended when the cancel lands, mostly
                        case 2 -> { }                         // completes at once
                        default -> io.vtbridge.Bridge.sleep(java.time.Duration.ofNanos(ThreadLocalRandom.current().nextInt(200_000)));
                    }
                    return id;
                });
                f.whenComplete((v, e) -> {
                    callbacks.incrementAndGet(id);
                    if (e == null) {
                        values.incrementAndGet();
                    } else if (e instanceof CancellationException) {
                        cancellations.incrementAndGet();
                    } else {
                        other.incrementAndGet();
                    }
                });
                futures.add(f);
                // Cancel about half of them, racing the task's own completion.
                if (ThreadLocalRandom.current().nextBoolean()) {
                    Thread.onSpinWait();
                    if (f.cancel(true)) {
                        cancelCalls.incrementAndGet();
                    }
                }
            }
            for (CompletableFuture<Integer> f : futures) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (CancellationException expected) {
                    // counted by the callback
                }
            }
            // Every task's thread has also ended and returned its slot.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (bridge.inFlight() != 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(bridge.inFlight()).isZero();
        }
        for (int i = 0; i < TASKS; i++) {
            assertThat(callbacks.get(i)).as("completions of task %d", i).isEqualTo(1);
        }
        assertThat(values.get() + cancellations.get()).isEqualTo(TASKS);
        assertThat(other.get()).isZero();
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
