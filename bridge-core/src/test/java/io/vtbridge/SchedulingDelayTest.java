package io.vtbridge;

import io.vtbridge.monitor.DelayCause;
import io.vtbridge.monitor.DelayHistogram;
import io.vtbridge.monitor.ShardStats;
import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Scheduling delays: recorded per cause, long when a resume waits behind a long mount, off when turned off. */
@Timeout(60)
class SchedulingDelayTest {

    @Test
    void delaysAreRecordedByCause() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).schedulingDelays(true).build()) {
            BridgeLock lock = new BridgeLock();
            Await.result(bridge.submit(() -> {
                for (int i = 0; i < 10; i++) {
                    Bridge.sleep(Duration.ofMillis(1));
                }
                return null;
            }));
            lock.lock(); // held by this (platform) thread: the task below waits for it
            CompletableFuture<Object> waiter = bridge.submit(() -> {
                lock.lock();
                lock.unlock();
                return null;
            });
            Await.until("the task waits for the lock", () -> lock.getQueueLength() == 1);
            lock.unlock();
            Await.result(waiter);
            // A mount's delay is recorded when the mount ends, after the future completed inside it.
            Await.until("the LOCK delay is recorded", () -> bridge.shard(0).stats().delays(DelayCause.LOCK).count() > 0);
            ShardStats stats = bridge.shard(0).stats();
            assertThat(stats.delays(DelayCause.SLEEP).count()).isGreaterThanOrEqualTo(10);
            assertThat(stats.delays(DelayCause.LOCK).count()).isGreaterThanOrEqualTo(1);
            assertThat(stats.delays(DelayCause.START).count()).isGreaterThanOrEqualTo(2);
            assertThat(stats.schedulingDelays()).containsOnlyKeys(DelayCause.values());
            assertThat(bridge.shard(0).delays(DelayCause.SLEEP).count()).isGreaterThanOrEqualTo(10);
        }
    }

    @Test
    void aResumeQueuedBehindALongMountShowsTheWait() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).schedulingDelays(true).build()) {
            CompletableFuture<String> value = new CompletableFuture<>();
            java.util.concurrent.atomic.AtomicReference<Thread> awaiter = new java.util.concurrent.atomic.AtomicReference<>();
            CompletableFuture<String> awaiting = bridge.submit(() -> {
                awaiter.set(Thread.currentThread());
                return Bridge.await(value);
            });
            Await.until("the awaiting task has started", () -> awaiter.get() != null);
            Await.state(awaiter.get(), Thread.State.WAITING);
            AtomicLong completedAt = new AtomicLong();
            AtomicBoolean spinning = new AtomicBoolean();
            CompletableFuture<Object> hog = bridge.submit(() -> {
                spinning.set(true);
                // Hold the loop until 150 ms after the completion below (bounded by the test's timeout).
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.WAIT_SECONDS);
                while ((completedAt.get() == 0 || System.nanoTime() - completedAt.get() < 150_000_000L)
                        && System.nanoTime() - giveUp < 0) {
                    Thread.onSpinWait();
                }
                return null;
            });
            Await.until("the hog holds the loop", spinning::get);
            completedAt.set(System.nanoTime());
            value.complete("done");
            assertThat(Await.result(awaiting)).isEqualTo("done");
            Await.result(hog);
            // The loop records a mount's delay when the mount ends, which is after the task's future
            // completed inside it: wait for the record, not only for the future.
            Await.until("the AWAIT delay is recorded", () -> bridge.shard(0).stats().delays(DelayCause.AWAIT).count() > 0);
            DelayHistogram await = bridge.shard(0).stats().delays(DelayCause.AWAIT);
            assertThat(await.count()).isEqualTo(1);
            // The resume became runnable at the completion and could be mounted only after the hog's
            // mount ended, 150 ms later: a lower bound, with 50 ms of slack for this thread's own steps.
            assertThat(await.max()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Test
    void offByDefaultTheyStayEmpty() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            Await.result(bridge.submit(() -> {
                Bridge.sleep(Duration.ofMillis(1));
                return null;
            }));
            for (DelayHistogram h : bridge.shard(0).stats().schedulingDelays().values()) {
                assertThat(h.count()).isZero();
            }
        }
    }
}
