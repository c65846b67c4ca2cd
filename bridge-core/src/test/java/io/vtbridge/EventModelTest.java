package io.vtbridge;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.monitor.ShardStats;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.BridgeFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class EventModelTest {

    record Event(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime, String deliveredOn) {
    }

    @Test
    void aSleepIsRequestSuspendResumeOfOneThreadDeliveredOffTheLoop() throws Exception {
        ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
        long tid;
        try (Bridge bridge = Bridge.builder().shards(1).name("events-sleep").listener((s, t, p, k, n) ->
                events.add(new Event(s, t, p, k, n, Thread.currentThread().getName()))).build()) {
            tid = bridge.submit(() -> {
                Bridge.sleep(Duration.ofMillis(5));
                return Thread.currentThread().threadId();
            }).get(10, TimeUnit.SECONDS);
        } // close() delivers what is still buffered before it returns
        List<Event> sleep = events.stream().filter(e -> e.kind() == EventKind.SLEEP).toList();
        assertThat(sleep).extracting(Event::phase)
                .containsExactly(EventPhase.REQUEST, EventPhase.SUSPEND, EventPhase.RESUME);
        assertThat(sleep).allSatisfy(e -> {
            assertThat(e.threadId()).isEqualTo(tid);
            assertThat(e.shard()).isZero();
            assertThat(e.deliveredOn()).isEqualTo("events-sleep-events");
        });
        assertThat(sleep.get(2).nanoTime() - sleep.get(0).nanoTime()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(5));
    }

    @Test
    void aJdkNativeParkIsCountedAsPark() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            CountDownLatch parked = new CountDownLatch(1);
            CompletableFuture<Thread> self = new CompletableFuture<>();
            CompletableFuture<Void> task = bridge.submit(() -> {
                self.complete(Thread.currentThread());
                parked.countDown();
                CountDownLatch never = new CountDownLatch(1);
                never.await(50, TimeUnit.MILLISECONDS); // a JDK-native timed park, nothing of vtbridge
                return null;
            });
            Await.latch("the task is about to park", parked);
            task.get(10, TimeUnit.SECONDS);
            Shard shard = bridge.shard(0);
            assertThat(shard.events(EventPhase.SUSPEND, EventKind.PARK)).isGreaterThanOrEqualTo(1);
            // A PARK's RESUME is classified when its mount ends, which may be just after the task
            // completed its future in that mount.
            Await.until("the PARK's RESUME is counted", () -> shard.events(EventPhase.RESUME, EventKind.PARK) >= 1);
            assertThat(shard.events(EventPhase.REQUEST, EventKind.PARK)).as("PARK has no request").isZero();
        }
    }

    @Test
    void awaitIsCountedAsAwaitAndAFastAwaitDoesNotSuspend() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            CompletableFuture<String> later = new CompletableFuture<>();
            CompletableFuture<String> task = bridge.submit(() -> Bridge.await(later) + Bridge.await(CompletableFuture.completedFuture("!")));
            Await.until("the task suspended in Bridge.await", () -> bridge.shard(0).events(EventPhase.SUSPEND, EventKind.AWAIT) > 0);
            later.complete("done");
            assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo("done!");
            ShardStats stats = bridge.shard(0).stats();
            assertThat(stats.events(EventPhase.REQUEST, EventKind.AWAIT)).isEqualTo(2);
            assertThat(stats.events(EventPhase.SUSPEND, EventKind.AWAIT)).isEqualTo(1);
            assertThat(stats.events(EventPhase.RESUME, EventKind.AWAIT)).isEqualTo(1);
        }
    }

    @Test
    void theCoopBudgetMakesAHotThreadYieldSoItsShardServesOthers() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).coopBudget(64).build()) {
            BridgeLock lock = new BridgeLock();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch hotStarted = new CountDownLatch(1);
            // The hot task never suspends by itself: every lock() is an uncontended fast path.
            CompletableFuture<Long> hot = bridge.submit(() -> {
                hotStarted.countDown();
                long n = 0;
                while (!stop.get()) {
                    lock.lock();
                    lock.unlock();
                    n++;
                }
                return n;
            });
            Await.latch("the hot task started", hotStarted);
            // One shard: this task runs only if the hot one yields.
            CompletableFuture<Void> other = bridge.submit(() -> {
                stop.set(true);
                return null;
            });
            other.get(10, TimeUnit.SECONDS);
            long laps = hot.get(10, TimeUnit.SECONDS);
            long yields = bridge.shard(0).events(EventPhase.REQUEST, EventKind.YIELD);
            assertThat(yields).isGreaterThanOrEqualTo(1).isLessThanOrEqualTo(laps / 64 + 1);
            assertThat(bridge.shard(0).events(EventPhase.RESUME, EventKind.YIELD)).isEqualTo(yields);
        }
    }

    @Test
    void aThrowingListenerIsCountedAndGetsTheNextEvents() throws Exception {
        AtomicLong seen = new AtomicLong();
        try (Bridge bridge = Bridge.builder().shards(1).listener((s, t, p, k, n) -> {
            seen.incrementAndGet();
            throw new IllegalStateException("listener bug");
        }).build()) {
            bridge.submit(() -> {
                Bridge.sleep(Duration.ofMillis(1));
                Bridge.sleep(Duration.ofMillis(1));
                return null;
            }).get(10, TimeUnit.SECONDS);
            bridge.close();
            assertThat(seen.get()).isGreaterThanOrEqualTo(6);
            assertThat(bridge.listenerErrors()).isEqualTo(seen.get());
        }
    }

    @Test
    void aFullBufferDropsAndCountsEventsButTheCountersStayExact() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong delivered = new AtomicLong();
        try (Bridge bridge = Bridge.builder().shards(1).eventBuffer(4).listener((s, t, p, k, n) -> {
            try {
                release.await(Await.WAIT_SECONDS, TimeUnit.SECONDS); // a stuck listener, until the test releases it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delivered.incrementAndGet();
        }).build()) {
            bridge.submit(() -> {
                for (int i = 0; i < 20; i++) {
                    Bridge.sleep(Duration.ofNanos(1));
                }
                return null;
            }).get(10, TimeUnit.SECONDS);
            Shard shard = bridge.shard(0);
            long recorded = shard.events(EventPhase.REQUEST, EventKind.SLEEP) + shard.events(EventPhase.SUSPEND, EventKind.SLEEP)
                    + shard.events(EventPhase.RESUME, EventKind.SLEEP);
            assertThat(shard.events(EventPhase.REQUEST, EventKind.SLEEP)).isEqualTo(20);
            assertThat(shard.eventsLost()).isGreaterThan(0);
            release.countDown();
            bridge.close();
            assertThat(delivered.get() + shard.eventsLost()).as("every event delivered or counted lost")
                    .isGreaterThanOrEqualTo(recorded);
        }
    }

    @Test
    void shardMXBeansAreRegisteredWhileTheBridgeRuns() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.vtbridge:type=Shard,bridge=" + ObjectName.quote("jmx-test") + ",shard=1");
        try (Bridge bridge = Bridge.builder().shards(2).name("jmx-test").build()) {
            BridgeFixture.on(bridge, 1, () -> {
                Bridge.sleep(Duration.ofMillis(1));
                return null;
            }).get(10, TimeUnit.SECONDS);
            assertThat(server.isRegistered(name)).isTrue();
            assertThat((Integer) server.getAttribute(name, "Shard")).isEqualTo(1);
            // The runner counts a task finished just after completing its future: wait for the count.
            Await.until("the task counted as finished", () -> tasksFinished(server, name) == 1L);
            assertThat(tasksFinished(server, name)).isEqualTo(1L);
            TabularData requests = (TabularData) server.getAttribute(name, "Requests");
            assertThat(requests.get(new Object[] {"SLEEP"}).get("value")).isEqualTo(1L);
        }
        assertThat(server.isRegistered(name)).as("unregistered by close()").isFalse();
    }

    private static long tasksFinished(MBeanServer server, ObjectName name) {
        try {
            return (Long) server.getAttribute(name, "TasksFinished");
        } catch (javax.management.JMException e) {
            throw new AssertionError("reading TasksFinished of " + name, e);
        }
    }

    @Test
    void statsShowQueueDepthsAndIterationFigures() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).closeTimeout(Duration.ofMillis(100)).build()) {
            for (int i = 0; i < 100; i++) {
                bridge.execute(() -> {
                    try {
                        Bridge.sleep(Duration.ofSeconds(30));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            Await.until("all 100 tasks are asleep", () -> bridge.shard(0).events(EventPhase.SUSPEND, EventKind.SLEEP) == 100);
            bridge.submit(() -> null).get(10, TimeUnit.SECONDS); // one more working iteration publishes the gauges
            ShardStats stats = bridge.shard(0).stats();
            assertThat(stats.pendingTimers()).isEqualTo(100);
            assertThat(stats.inboundDepth()).isZero();
            assertThat(stats.longestIterationNanos()).isPositive();
            assertThat(stats.loopIterations()).isPositive();
            bridge.shutdownNow();
        }
    }

    @Test
    void withoutAListenerThereIsNoEventThread() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).name("no-listener").build()) {
            bridge.submit(() -> null).get(10, TimeUnit.SECONDS);
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("no-listener-events"));
            assertThat(bridge.shard(0).eventsLost()).isZero();
        }
    }
}
