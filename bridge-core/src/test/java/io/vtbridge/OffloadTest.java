package io.vtbridge;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Bridge#compute}, {@link Bridge#blocking} and {@link Mode#SYNC}. */
@Timeout(60)
class OffloadTest {

    @Test
    void computeRunsOnTheCpuPoolWhileTheCallerIsUnmounted() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).cpuThreads(1).name("offload").build()) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> caller = bridge.submit(() -> Bridge.compute(() -> {
                running.countDown();
                Await.latch("the test releases the task", release);
                return Thread.currentThread().getName();
            }));
            Await.latch("the compute is running", running);
            // One shard: this runs only because the caller is unmounted while it waits.
            assertThat(bridge.submit(() -> "other").get(10, TimeUnit.SECONDS)).isEqualTo("other");
            assertThat(caller).isNotDone();
            release.countDown();
            assertThat(caller.get(10, TimeUnit.SECONDS)).startsWith("offload-cpu-");
            Shard shard = bridge.shard(0);
            assertThat(shard.events(EventPhase.REQUEST, EventKind.CPU)).isEqualTo(1);
            assertThat(shard.events(EventPhase.SUSPEND, EventKind.CPU)).isEqualTo(1);
            assertThat(shard.events(EventPhase.RESUME, EventKind.CPU)).isEqualTo(1);
        }
    }

    @Test
    void computeRethrowsWhatTheTaskThrew() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            CompletableFuture<Object> f = bridge.submit(() -> Bridge.compute(() -> {
                throw new IOException("disk on fire");
            }));
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IOException.class).hasMessage("disk on fire");
        }
    }

    @Test
    void aLowPriorityComputeStartsOnlyWhenNoHighOneIsQueued() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(2).cpuThreads(1).build()) {
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<String> order = new CopyOnWriteArrayList<>();
            List<CompletableFuture<?>> all = new ArrayList<>();
            all.add(bridge.submit(() -> Bridge.compute(() -> {
                busy.countDown();
                Await.latch("the test releases the task", release);
                return null;
            })));
            Await.latch("the only pool thread is busy", busy); // the only CPU thread is taken
            all.add(bridge.submit(() -> Bridge.compute(Priority.LOW, () -> order.add("low"))));
            Await.until("the low compute is queued", () -> bridge.cpuPoolStats().queuedLow() == 1);
            for (int i = 0; i < 3; i++) {
                int n = i;
                all.add(bridge.submit(() -> Bridge.compute(Priority.HIGH, () -> order.add("high" + n))));
            }
            Await.until("the three high computes are queued", () -> bridge.cpuPoolStats().queuedHigh() == 3);
            release.countDown();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(order).hasSize(4).endsWith("low");
        }
    }

    @Test
    void aFullCpuQueueIsATypedRejectionInTheCaller() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).cpuThreads(1).cpuQueueCapacity(1).build()) {
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Object> running = bridge.submit(() -> Bridge.compute(() -> {
                busy.countDown();
                Await.latch("the test releases the task", release);
                return "ran";
            }));
            Await.latch("the only pool thread is busy", busy);
            CompletableFuture<Object> queued = bridge.submit(() -> Bridge.compute(() -> "queued"));
            Await.until("the compute is queued", () -> bridge.cpuPoolStats().queuedHigh() == 1);
            CompletableFuture<Object> refused = bridge.submit(() -> Bridge.compute(() -> "never"));
            assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(BridgeOverloadedException.class).hasMessageContaining("-cpu").hasMessageContaining("capacity=1");
            release.countDown();
            assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("queued");
        }
    }

    @Test
    void aFullBlockingQueueRejectsBlockingCallsAndSyncTasksAtOnce() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).blockingThreads(1).blockingQueueCapacity(1).name("blk-full").build()) {
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Object> running = bridge.submit(() -> Bridge.blocking(() -> {
                busy.countDown();
                Await.latch("the test releases the task", release);
                return "ran";
            }));
            Await.latch("the only pool thread is busy", busy);
            CompletableFuture<Object> queued = bridge.submit(Mode.SYNC, () -> "queued");
            Await.until("the SYNC task is queued", () -> bridge.blockingPoolStats().queuedLow() == 1);
            CompletableFuture<Object> refusedSync = bridge.submit(Mode.SYNC, () -> "never");
            assertThatThrownBy(() -> refusedSync.get(1, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(BridgeOverloadedException.class).hasMessageContaining("blk-full-blocking");
            CompletableFuture<Object> refusedCall = bridge.submit(() -> Bridge.blocking(() -> "never"));
            assertThatThrownBy(() -> refusedCall.get(10, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(BridgeOverloadedException.class);
            Await.until("two tasks in flight", () -> bridge.inFlight() == 2); // the refused SYNC task never took a slot for long; the refused caller ended
            release.countDown();
            assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("queued");
        }
    }

    @Test
    void poolMXBeansShowTheQueues() throws Exception {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName cpu = new javax.management.ObjectName(
                "io.vtbridge:type=Pool,bridge=" + javax.management.ObjectName.quote("pool-jmx") + ",pool=cpu");
        try (Bridge bridge = Bridge.builder().shards(1).cpuThreads(1).name("pool-jmx").build()) {
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Object> running = bridge.submit(() -> Bridge.compute(() -> {
                busy.countDown();
                Await.latch("the test releases the task", release);
                return null;
            }));
            Await.latch("the only pool thread is busy", busy);
            CompletableFuture<Object> low = bridge.submit(() -> Bridge.compute(Priority.LOW, () -> null));
            Await.until("the low compute is queued", () -> bridge.cpuPoolStats().queuedLow() == 1);
            assertThat((Integer) server.getAttribute(cpu, "QueuedLow")).isEqualTo(1);
            assertThat((Integer) server.getAttribute(cpu, "Running")).isEqualTo(1);
            release.countDown();
            running.get(10, TimeUnit.SECONDS);
            low.get(10, TimeUnit.SECONDS);
        }
        assertThat(server.isRegistered(cpu)).isFalse();
    }

    @Test
    void cancellingTheCallerCancelsItsQueuedComputeSoItNeverRuns() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).cpuThreads(1).build()) {
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean ran = new AtomicBoolean();
            CompletableFuture<Object> blocker = bridge.submit(() -> Bridge.compute(() -> {
                busy.countDown();
                Await.latch("the test releases the task", release);
                return null;
            }));
            Await.latch("the only pool thread is busy", busy);
            CompletableFuture<Object> caller = bridge.submit(() -> Bridge.compute(() -> ran.getAndSet(true)));
            Await.until("the compute is queued", () -> bridge.cpuPoolStats().queuedHigh() == 1);
            caller.cancel(true);
            Await.until("the cancelled compute left the queue", () -> bridge.cpuPoolStats().queuedHigh() == 0); // withdrawn from the queue
            release.countDown();
            blocker.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> caller.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            assertThat(ran).isFalse();
        }
    }

    @Test
    void blockingRunsOnTheBlockingPoolAndTheShardKeepsRunning() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).name("blk").build()) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> caller = bridge.submit(() -> Bridge.blocking(() -> {
                inside.countDown();
                Await.latch("the test releases the task", release); // stands for a java.io read that would hold a carrier
                return Thread.currentThread().getName() + (Thread.currentThread().isVirtual() ? " virtual" : " platform");
            }));
            Await.latch("the blocking call is running", inside);
            assertThat(bridge.submit(() -> "served").get(10, TimeUnit.SECONDS)).isEqualTo("served");
            release.countDown();
            assertThat(caller.get(10, TimeUnit.SECONDS)).startsWith("blk-blocking-").endsWith(" platform");
            assertThat(bridge.shard(0).events(EventPhase.RESUME, EventKind.BLOCKING)).isEqualTo(1);
        }
    }

    @Test
    void outsideBridgedCodeComputeAndBlockingRunOnTheCallingThread() throws Exception {
        Thread me = Thread.currentThread();
        assertThat(Bridge.compute(Thread::currentThread)).isSameAs(me);
        assertThat(Bridge.blocking(Thread::currentThread)).isSameAs(me);
        assertThatThrownBy(() -> Bridge.compute(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("task");
    }

    @Test
    void syncModeRunsTheWholeTaskOnABlockingPoolThreadWithTheSameFutureContract() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).maxInFlight(2).name("sync").build()) {
            assertThat(bridge.submit(Mode.SYNC, () -> Thread.currentThread().getName() + "/" + Thread.currentThread().isVirtual())
                    .get(10, TimeUnit.SECONDS)).startsWith("sync-blocking-").endsWith("/false");
            CompletableFuture<Object> failing = bridge.submit(Mode.SYNC, () -> {
                throw new IllegalStateException("legacy failure");
            });
            assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(IllegalStateException.class);
            Await.until("no task in flight", () -> bridge.inFlight() == 0); // a slot is freed just after its future completes
            // cancel(true) interrupts the platform thread running it.
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
            CompletableFuture<Object> long1 = bridge.submit(Mode.SYNC, () -> {
                started.countDown();
                try {
                    Thread.sleep(60_000);
                    interrupted.complete(false);
                } catch (InterruptedException e) {
                    interrupted.complete(true);
                }
                return null;
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            // maxInFlight counts sync tasks: with one running, a second fits, a third does not.
            CountDownLatch second = new CountDownLatch(1);
            CompletableFuture<Object> long2 = bridge.submit(Mode.SYNC, () -> {
                Await.latch("the test releases the second task", second);
                return "second";
            });
            CompletableFuture<Object> third = bridge.submit(Mode.SYNC, () -> "third");
            assertThatThrownBy(() -> third.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(BridgeOverloadedException.class);
            long1.cancel(true);
            assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
            second.countDown();
            assertThat(long2.get(10, TimeUnit.SECONDS)).isEqualTo("second");
            Await.until("no task in flight", () -> bridge.inFlight() == 0);
            bridge.close();
            assertThatThrownBy(() -> bridge.submit(Mode.SYNC, () -> "late").get(1, TimeUnit.SECONDS))
                    .cause().isExactlyInstanceOf(RejectedExecutionException.class);
        }
    }

    @Test
    void closeCompletesARunningSyncTaskAndLeavesNoPoolThread() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).closeTimeout(java.time.Duration.ofMillis(100)).name("sync-close").build();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Object> stubborn = bridge.submit(Mode.SYNC, () -> {
            started.countDown();
            Thread.sleep(60_000);
            return null;
        });
        bridge.submit(() -> Bridge.compute(() -> 1)).get(10, TimeUnit.SECONDS);
        Await.latch("the SYNC task started", started);
        bridge.close();
        assertThat(stubborn).isDone();
        assertThatThrownBy(() -> stubborn.get()).isInstanceOf(CancellationException.class);
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("sync-close-cpu-") || t.getName().startsWith("sync-close-blocking-"));
    }

    @Test
    void poolThreadsStartOnlyWhenUsed() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).name("lazy").build()) {
            bridge.submit(() -> null).get(10, TimeUnit.SECONDS);
            assertThat(bridge.cpuPoolStats().liveThreads()).isZero();
            assertThat(bridge.blockingPoolStats().liveThreads()).isZero();
        }
    }

    @Test
    void badPoolSettingsAreRefusedByName() {
        assertThatThrownBy(() -> Bridge.builder().cpuThreads(0)).hasMessageContaining("cpuThreads").hasMessageContaining("0");
        assertThatThrownBy(() -> Bridge.builder().blockingThreads(-1)).hasMessageContaining("blockingThreads");
        assertThatThrownBy(() -> Bridge.builder().cpuQueueCapacity(0)).hasMessageContaining("cpuQueueCapacity");
        assertThatThrownBy(() -> Bridge.builder().blockingQueueCapacity(0)).hasMessageContaining("blockingQueueCapacity");
        try (Bridge bridge = Bridge.builder().build()) { // closed: a bridge left open keeps its threads
            assertThatThrownBy(() -> bridge.submit((Mode) null, () -> 1)).isInstanceOf(NullPointerException.class);
        }
    }
}
