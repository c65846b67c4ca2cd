package io.vtbridge;

import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class OverloadTest {

    @Test
    void overMaxInFlightIsRejectedAtOnceWithATypedException() throws Exception {
        int max = 50;
        try (Bridge bridge = Bridge.builder().shards(2).maxInFlight(max).build()) {
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Integer>> held = new ArrayList<>();
            for (int i = 0; i < max; i++) {
                int id = i;
                held.add(bridge.submit(() -> {
                    Await.latch("the test releases the held tasks", release);
                    return id;
                }));
            }
            assertThat(bridge.inFlight()).isEqualTo(max);

            // submit: a future that is already failed, nothing queued.
            CompletableFuture<Integer> rejected = bridge.submit(() -> 1);
            assertThat(rejected).isCompletedExceptionally();
            assertThatThrownBy(rejected::join).cause()
                    .isInstanceOf(BridgeOverloadedException.class)
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("maxInFlight=" + max);
            assertThat(((BridgeOverloadedException) catchCause(rejected)).maxInFlight()).isEqualTo(max);
            assertThat(bridge.submit("key", () -> 1)).isCompletedExceptionally();

            // execute: throws, per the Executor contract.
            assertThatThrownBy(() -> bridge.execute(() -> { })).isInstanceOf(BridgeOverloadedException.class);
            assertThat(bridge.inFlight()).isEqualTo(max);

            release.countDown();
            for (int i = 0; i < max; i++) {
                assertThat(held.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
            }
            // Capacity comes back once the held tasks end.
            Await.until("every held task's slot is freed", () -> bridge.inFlight() == 0);
            assertThat(bridge.submit(() -> 42).get(10, TimeUnit.SECONDS)).isEqualTo(42);
        }
    }

    @Test
    void manyThreadsHammeringTheBoundNeverExceedIt() throws Exception {
        int max = 64;
        try (Bridge bridge = Bridge.builder().shards(2).maxInFlight(max).build()) {
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger overloaded = new java.util.concurrent.atomic.AtomicInteger();
            List<Thread> submitters = new ArrayList<>();
            List<CompletableFuture<?>> all = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                submitters.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        CompletableFuture<Object> f = bridge.submit(() -> {
                            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                            Thread.yield();
                            running.decrementAndGet();
                            return null;
                        });
                        all.add(f);
                    }
                }));
            }
            for (Thread t : submitters) {
                Await.join("submitter " + t.getName() + " submitted its 5,000 tasks", t);
            }
            for (CompletableFuture<?> f : all) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                    accepted.incrementAndGet();
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(BridgeOverloadedException.class);
                    overloaded.incrementAndGet();
                }
            }
            assertThat(accepted.get() + overloaded.get()).isEqualTo(20_000);
            assertThat(peak.get()).isLessThanOrEqualTo(max);
            assertThat(accepted.get()).isPositive();
        }
    }

    private static Throwable catchCause(CompletableFuture<?> f) {
        try {
            f.join();
            throw new AssertionError("not failed");
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }
}
