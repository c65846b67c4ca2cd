package io.vtbridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(120)
class LifecycleTest {

    @Test
    void closeLetsRunningTasksFinishThenRejectsNewOnes() throws Exception {
        Bridge bridge = Bridge.builder().shards(2).build();
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            int id = i;
            futures.add(bridge.submit(() -> {
                Bridge.sleep(Duration.ofMillis(50));
                return id;
            }));
        }
        bridge.close();
        for (int i = 0; i < futures.size(); i++) {
            assertThat(futures.get(i)).isCompleted();
            assertThat(futures.get(i).join()).isEqualTo(i);
        }
        assertThat(bridge.isTerminated()).isTrue();
        CompletableFuture<Integer> late = bridge.submit(() -> 1);
        assertThatThrownBy(late::join).cause().isExactlyInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> bridge.execute(() -> { })).isExactlyInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> bridge.shard(0).newThread(() -> { })).isInstanceOf(RejectedExecutionException.class);
        bridge.close(); // idempotent
        bridge.shutdownNow();
    }

    @Test
    void closeCancelsTasksThatOutliveTheTimeoutAndLeavesNoFuturePending() throws Exception {
        Bridge bridge = Bridge.builder().shards(2).closeTimeout(Duration.ofMillis(200)).build();
        CountDownLatch started = new CountDownLatch(100);
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            futures.add(bridge.submit(() -> {
                started.countDown();
                Thread.sleep(TimeUnit.HOURS.toMillis(1));
                return "slept";
            }));
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        bridge.close();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));
        for (CompletableFuture<Object> f : futures) {
            assertThat(f).isCancelled();
        }
        assertThat(bridge.inFlight()).isZero(); // the interrupted tasks ended within stopGrace
        assertLoopThreadsGone(bridge);
    }

    @Test
    void shutdownNowCompletesEveryFutureIncludingOnesThatIgnoreInterrupts() throws Exception {
        Bridge bridge = Bridge.builder().shards(2).maxInFlight(20_000).stopGrace(Duration.ofMillis(200)).build();
        CountDownLatch stubbornStarted = new CountDownLatch(1);
        CompletableFuture<Object> stubborn = bridge.submit(() -> {
            stubbornStarted.countDown();
            while (true) { // ignores interrupts: abandoned after stopGrace
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException ignored) {
                    // keep sleeping
                }
            }
        });
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            futures.add(bridge.submit(() -> {
                Bridge.sleep(Duration.ofSeconds(30));
                return "slept";
            }));
        }
        assertThat(stubbornStarted.await(10, TimeUnit.SECONDS)).isTrue();
        bridge.shutdownNow();
        assertThat(stubborn).isCancelled();
        int cancelled = 0;
        int rejected = 0;
        for (CompletableFuture<Object> f : futures) {
            assertThat(f).isDone();
            try {
                f.get();
            } catch (CancellationException e) {
                cancelled++;
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(RejectedExecutionException.class);
                rejected++;
            }
        }
        assertThat(cancelled + rejected).isEqualTo(futures.size());
        assertThat(bridge.isTerminated()).isTrue();
        assertLoopThreadsGone(bridge);
        assertThat(bridge.submit(() -> 1)).isCompletedExceptionally();
    }

    @Test
    void closeFromInsideTheBridgeIsRefused() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            CompletableFuture<Throwable> f = bridge.submit(() -> {
                try {
                    bridge.close();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            assertThat(f.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("close()").hasMessageContaining("wait for itself");
            assertThat(bridge.submit(() -> {
                try {
                    bridge.shutdownNow();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            }).get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
            assertThat(bridge.isClosed()).isFalse();
        }
    }

    @Test
    void anInterruptedCloserStillCompletesEveryFutureAndKeepsItsInterrupt() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).closeTimeout(Duration.ofHours(1)).build();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Object> f = bridge.submit(() -> {
            started.countDown();
            Thread.sleep(TimeUnit.HOURS.toMillis(1));
            return null;
        });
        started.await();
        Thread.currentThread().interrupt();
        bridge.close();
        assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
        assertThat(f).isCancelled();
        assertThat(bridge.isTerminated()).isTrue();
    }

    @Test
    void shutdownNowReleasesACloseThatIsWaitingForTasks() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).closeTimeout(Duration.ofHours(1)).build();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Object> f = bridge.submit(() -> {
            started.countDown();
            Thread.sleep(TimeUnit.HOURS.toMillis(1));
            return null;
        });
        started.await();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(bridge::close);
        while (!bridge.isClosed()) {
            Thread.onSpinWait();
        }
        bridge.shutdownNow();
        closed.get(30, TimeUnit.SECONDS); // well under the hour-long closeTimeout
        assertThat(f).isCancelled();
        assertThat(bridge.isTerminated()).isTrue();
        assertLoopThreadsGone(bridge);
    }

    @Test
    void startingAHandMadeThreadAfterCloseFailsInsteadOfHanging() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).build();
        Thread early = bridge.shard(0).newThread(() -> { });
        bridge.close();
        assertThatThrownBy(early::start).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("has stopped");
        assertThat(early.join(Duration.ofSeconds(10))).as("terminated, not stuck").isTrue();
        assertThat(bridge.shard(0).stats().dropped()).isEqualTo(1);
    }

    @Test
    void noThreadLeakAcrossManyBridges() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (Bridge bridge = Bridge.builder().shards(2).name("leak-check").build()) {
                bridge.submit(() -> 1).get(10, TimeUnit.SECONDS);
            }
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("leak-check"));
    }

    private static void assertLoopThreadsGone(Bridge bridge) {
        for (Shard shard : bridge.shards()) {
            assertThat(shard.loop().thread().isAlive()).as(shard.threadName()).isFalse();
        }
    }
}
