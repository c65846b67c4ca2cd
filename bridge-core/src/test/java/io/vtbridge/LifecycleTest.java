package io.vtbridge;

import io.vtbridge.testing.Await;
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
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

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
        CompletableFuture<Object> f = startSleepingForAnHour(bridge);
        Thread.currentThread().interrupt();
        bridge.close();
        assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
        assertThat(f).isCancelled();
        assertThat(bridge.isTerminated()).isTrue();
    }

    @Test
    void shutdownNowReleasesACloseThatIsWaitingForTasks() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).closeTimeout(Duration.ofHours(1)).build();
        CompletableFuture<Object> f = startSleepingForAnHour(bridge);
        CompletableFuture<Void> closed = CompletableFuture.runAsync(bridge::close);
        Await.until("close() has begun", bridge::isClosed);
        bridge.shutdownNow();
        closed.get(30, TimeUnit.SECONDS); // well under the hour-long closeTimeout
        assertThat(f).isCancelled();
        assertThat(bridge.isTerminated()).isTrue();
        assertLoopThreadsGone(bridge);
    }

    @Test
    void aHandMadeThreadStartedAfterCloseNeverRunsAndIsCounted() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).build();
        AtomicBoolean ran = new AtomicBoolean();
        Thread early = bridge.shard(0).newThread(() -> ran.set(true));
        bridge.close();
        early.start(); // no exception: a dropped continuation is counted, not thrown at the caller
        assertThat(early.join(Duration.ofMillis(200))).as("never runs").isFalse();
        assertThat(ran).isFalse();
        assertThat(bridge.shard(0).stats().dropped()).isEqualTo(1);
    }

    @Test
    void shutdownNowReleasesACloseEvenWhenATaskIgnoresInterrupts() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).closeTimeout(Duration.ofHours(1))
                .stopGrace(Duration.ofMillis(100)).build();
        CountDownLatch started = new CountDownLatch(1);
        bridge.submit(() -> {
            started.countDown();
            while (true) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException ignored) {
                    // stubborn
                }
            }
        });
        Await.latch("the stubborn task started", started);
        CompletableFuture<Void> closed = CompletableFuture.runAsync(bridge::close);
        Await.until("close() has begun", bridge::isClosed);
        long t0 = System.nanoTime();
        bridge.shutdownNow();
        closed.get(30, TimeUnit.SECONDS);
        // Both return after stopGrace-sized waits, far from the hour-long closeTimeout.
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(20));
        assertThat(bridge.isTerminated()).isTrue();
    }

    @Test
    void aStopThatArrivesInsideATaskStepWithTasksQueuedEndsTheLoop() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).stopGrace(Duration.ZERO).build();
        io.vtbridge.loop.ShardLoop loop = bridge.shard(0).loop();
        CountDownLatch holding = new CountDownLatch(1);
        AtomicBoolean letGo = new AtomicBoolean();
        // Holds the carrier (no park), so the loop stays inside this task's step until the test lets go.
        CompletableFuture<Integer> holder = bridge.submit(() -> {
            holding.countDown();
            Await.spinOnCarrier("the test lets the holder go", letGo::get);
            return 1;
        });
        Await.latch("the holder runs", holding);
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(bridge.submit(() -> 2)); // behind the holder, in the same step's source
        }
        loop.stop();      // the stop arrives while the step still has tasks queued
        letGo.set(true);
        // The loop ends its step instead of starting runners that exit at once, for ever.
        assertThat(loop.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).as("the loop exits").isTrue();
        assertThat(Await.result(holder)).isEqualTo(1);
        bridge.shutdownNow(); // rejects the queued tasks that never ran
        for (CompletableFuture<Integer> f : queued) {
            assertThat(f).isDone();
        }
        assertThat(bridge.inFlight()).as("slots left taken").isZero();
    }

    @Test
    void theTerminationFutureCompletesOnceEveryThreadHasStopped() throws Exception {
        Bridge bridge = Bridge.builder().shards(2).build();
        java.util.concurrent.CompletionStage<Void> termination = bridge.terminationFuture();
        CompletableFuture<Boolean> seenTerminated = termination.toCompletableFuture()
                .thenApply(ignored -> bridge.isTerminated() && !bridge.shard(0).loop().thread().isAlive());
        assertThat(termination.toCompletableFuture()).isNotDone();
        java.lang.reflect.Field lifecycle = Bridge.class.getDeclaredField("lifecycle");
        lifecycle.setAccessible(true);
        java.lang.reflect.Field field = BridgeLifecycle.class.getDeclaredField("termination");
        field.setAccessible(true);
        CompletableFuture<?> source = (CompletableFuture<?>) field.get(lifecycle.get(bridge));
        int dependents = source.getNumberOfDependents();
        for (int i = 0; i < 1_000; i++) {
            bridge.terminationFuture(); // a service asks for it at construction: that must cost nothing
        }
        assertThat(source.getNumberOfDependents()).as("dependents after 1,000 asks").isEqualTo(dependents);
        assertThat(Await.result(bridge.submit(() -> 1))).isEqualTo(1);
        assertThat(termination.toCompletableFuture()).as("open: not terminated").isNotDone();
        bridge.close();
        assertThat(seenTerminated).as("completed by close(), before it returned").isCompletedWithValue(true);
        assertThat(bridge.terminationFuture().toCompletableFuture()).as("a later caller sees it complete").isCompleted();
        assertThatThrownBy(() -> ((CompletableFuture<Void>) bridge.terminationFuture()).complete(null))
                .as("the stage cannot be completed from outside").isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void timeoutsTooLongForNanosecondsMeanForeverNotOverflow() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        Bridge bridge = Bridge.builder().shards(1).closeTimeout(forever).stopGrace(forever).build();
        CompletableFuture<Integer> f = bridge.submit(() -> {
            Bridge.sleep(Duration.ofMillis(20));
            return 7;
        });
        bridge.close(); // waits for the task, then stops: no ArithmeticException
        assertThat(Await.result(f)).isEqualTo(7);
        assertThat(bridge.isTerminated()).isTrue();
    }

    @Test
    void submitRacingShutdownNeverThrowsLeavesNothingPendingAndNeverRunsARejectedTask() throws Exception {
        for (int round = 0; round < 20; round++) {
            Bridge bridge = Bridge.builder().shards(2).maxInFlight(50_000).stopGrace(Duration.ZERO).build();
            List<CompletableFuture<Integer>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
            List<java.util.concurrent.atomic.AtomicInteger> runs = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Throwable> thrown = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                submitters.add(Thread.ofPlatform().start(() -> {
                    try {
                        Await.latch("the test says go", go);
                        for (int i = 0; i < 2_000; i++) {
                            java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
                            CompletableFuture<Integer> f = bridge.submit(() -> ran.incrementAndGet());
                            synchronized (futures) {
                                futures.add(f);
                                runs.add(ran);
                            }
                        }
                    } catch (Throwable e) {
                        thrown.add(e);
                    }
                }));
            }
            go.countDown();
            if ((round & 1) == 0) {
                bridge.shutdownNow();
            } else {
                bridge.close();
            }
            for (Thread t : submitters) {
                Await.join("submitter " + t.getName() + " ends (round " + round + ")", t);
            }
            assertThat(thrown).as("submit() threw").isEmpty();
            for (int i = 0; i < futures.size(); i++) {
                CompletableFuture<Integer> f = futures.get(i);
                assertThat(f).as("future %d", i).isDone();
                int ran = runs.get(i).get();
                assertThat(ran).as("callable runs of task %d", i).isLessThanOrEqualTo(1);
                if (f.isCompletedExceptionally() && !f.isCancelled()) {
                    Throwable cause = catchThrowable(f::join).getCause();
                    assertThat(cause).isInstanceOf(RejectedExecutionException.class);
                    assertThat(ran).as("task %d was reported as never started", i).isZero();
                } else if (!f.isCompletedExceptionally()) {
                    assertThat(ran).isEqualTo(1);
                }
            }
            // Every slot comes back: no task was left holding one (none of these ignore interrupts).
            assertThat(bridge.inFlight()).as("round %d", round).isZero();
            for (Shard shard : bridge.shards()) { // and no loop thread is left turning
                assertThat(shard.loop().thread().isAlive()).as("%s alive after the stop (round %d)", shard, round).isFalse();
            }
        }
    }

    @Test
    void noThreadLeakAcrossManyBridges() throws Exception {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Runnable oneBridge = () -> {
            try (Bridge bridge = Bridge.builder().shards(2).name("leak-check").build()) {
                // Thread.sleep in bridged code starts the JDK's timer threads for the shard.
                bridge.submit(() -> {
                    Thread.sleep(1);
                    return 1;
                }).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        oneBridge.run(); // JVM-wide one-offs (JMX, JDK timer queues on JDK 22-24) start here
        int before = threads.getThreadCount();
        for (int i = 0; i < 20; i++) {
            oneBridge.run();
        }
        // close() returns once every thread the bridge started has exited (loops, watchdog, pools,
        // the shards' JDK timer threads): none may be alive now, not even finishing its exit.
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("leak-check")))
                .as("threads of the closed leak-check bridges").isEmpty();
        Await.until("live platform threads after 20 more bridges are back to " + before + " or fewer",
                () -> threads.getThreadCount() <= before);
    }

    /** Submits a task that sleeps (interruptibly) for an hour, and returns once it has started. */
    private static CompletableFuture<Object> startSleepingForAnHour(Bridge bridge) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Object> f = bridge.submit(() -> {
            started.countDown();
            Thread.sleep(TimeUnit.HOURS.toMillis(1));
            return null;
        });
        Await.latch("the hour-long sleeper started", started);
        return f;
    }

    private static void assertLoopThreadsGone(Bridge bridge) {
        for (Shard shard : bridge.shards()) {
            assertThat(shard.loop().thread().isAlive()).as(shard.threadName()).isFalse();
        }
    }

    /**
     * A latency-lane start that the rescuer runs on the lane thread is a thread of this bridge off its
     * loop: its shutdownNow() is refused like one on the loop. Before, it was not recognised (the
     * check asked the carrier), cancelled its own task and parked, and its resume went to the loop
     * that the call itself stopped: the bridge never terminated.
     */
    @Test
    void shutdownNowFromALaneStartRunningOnTheLaneThreadIsRefused() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).name("self-stop-lane").stopGrace(Duration.ofMillis(200)).build();
        AtomicBoolean laneRan = new AtomicBoolean();
        CountDownLatch holding = new CountDownLatch(1);
        CompletableFuture<Object> holder = bridge.submit(() -> { // holds the loop until the lane start runs elsewhere
            holding.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!laneRan.get() && System.nanoTime() - end < 0) {
                Thread.onSpinWait();
            }
            return null;
        });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<String> lane = bridge.submit(Priority.HIGH, () -> {
            laneRan.set(true);
            return stopFromHere(bridge::shutdownNow);
        });
        String outcome = lane.get(20, TimeUnit.SECONDS);
        assertThat(outcome).startsWith("refused on ").contains("self-stop-lane-lane").contains("running off its loop");
        Await.result(holder);
        closeAndExpectTermination(bridge);
    }

    /** The same for a hog moved to the CPU pool: its close() is refused, and the bridge terminates. */
    @Test
    void closeFromAHogMovedToTheCpuPoolIsRefused() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).name("self-stop-hog").moveHogs(true).stopGrace(Duration.ofMillis(200)).build();
        CompletableFuture<String> hog = bridge.submit(() -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
            while (System.nanoTime() - end < 0) {
                Thread.onSpinWait(); // longer than the turn's slice without a pause...
            }
            Thread.yield();          // ...then a pause: moved to the CPU pool
            return stopFromHere(bridge::close);
        });
        String outcome = hog.get(20, TimeUnit.SECONDS);
        assertThat(outcome).startsWith("refused on ").contains("self-stop-hog-cpu-").contains("running off its loop");
        closeAndExpectTermination(bridge);
    }

    /** Calls {@code stop} on this thread: "refused on <thread>: <message>", or "returned on <thread>". */
    private static String stopFromHere(Runnable stop) {
        String where = Thread.currentThread().toString();
        try {
            stop.run();
            return "returned on " + where;
        } catch (IllegalStateException refused) {
            return "refused on " + where + ": " + refused.getMessage();
        }
    }

    private static void closeAndExpectTermination(Bridge bridge) throws Exception {
        bridge.close();
        assertThat(bridge.terminationFuture().toCompletableFuture().get(20, TimeUnit.SECONDS)).isNull();
        assertThat(bridge.inFlight()).isZero();
    }
}
