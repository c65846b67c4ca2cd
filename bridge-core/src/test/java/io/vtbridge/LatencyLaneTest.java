package io.vtbridge;

import io.vtbridge.internal.JdkAccess;
import io.vtbridge.monitor.ShardStats;
import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loop under load: the latency lane starts ahead of the inbound backlog, a plain submission does
 * not queue behind another thread's burst, a lane start is rescued
 * from a loop held by one long mount (on the rescuer's own thread, or the CPU pool when several are
 * due at once), and a plain submission behind saturated owned work starts
 * within a few turns. Each test arranges the order of events by what the loop runs, not by timing.
 */
@Timeout(60)
class LatencyLaneTest {

    /** Spins on the carrier until {@code done}, bounded: a mount that holds its loop (no yield, no park). */
    private static void holdTheLoopUntil(AtomicBoolean done) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.WAIT_SECONDS);
        while (!done.get() && System.nanoTime() - giveUp < 0) {
            Thread.onSpinWait();
        }
    }

    /** Submits a task that holds the loop (of a one-shard bridge) until {@code until}; returns once it holds it. */
    private static CompletableFuture<Object> holdTheLoop(Bridge bridge, AtomicBoolean until) throws InterruptedException {
        AtomicBoolean holding = new AtomicBoolean();
        CompletableFuture<Object> holder = bridge.submit(() -> {
            holding.set(true);
            holdTheLoopUntil(until);
            return null;
        });
        Await.until("the holder is on the loop", holding::get);
        return holder;
    }

    @Test
    void aLaneStartRunsAheadOfTheInboundBacklog() throws Exception {
        // A long rescue wait: the lane's rescue stays out of this test; the loop itself serves the lane.
        try (Bridge bridge = Bridge.builder().shards(1).laneRescueAfter(Duration.ofSeconds(1)).maxInFlight(20_000).build()) {
            AtomicBoolean release = new AtomicBoolean();
            CompletableFuture<Object> holder = holdTheLoop(bridge, release);
            AtomicInteger backlogStarted = new AtomicInteger();
            List<CompletableFuture<Object>> backlog = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                backlog.add(bridge.submit(() -> {
                    backlogStarted.incrementAndGet();
                    return null;
                }));
            }
            CompletableFuture<Integer> lane = bridge.submit(Priority.HIGH, backlogStarted::get);
            release.set(true);
            assertThat(Await.result(lane)).as("backlog tasks that started before the lane task").isZero();
            Await.result(holder);
            for (CompletableFuture<Object> f : backlog) {
                Await.result(f);
            }
            assertThat(bridge.shard(0).stats().laneRescues()).as("served by the loop, not rescued").isZero();
        }
    }

    @Test
    void aPlainSubmissionDoesNotWaitForAnotherThreadsBurst() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).turnSlice(Duration.ofSeconds(1)).maxInFlight(20_000).build()) {
            AtomicBoolean release = new AtomicBoolean();
            CompletableFuture<Object> holder = holdTheLoop(bridge, release);
            // One thread submits a burst while the loop is held, then another submits one task: the
            // inbound queue keeps one stripe per submitting thread and serves them in turn.
            AtomicInteger burstStarted = new AtomicInteger();
            List<CompletableFuture<Object>> burst = new ArrayList<>();
            Thread burster = Thread.ofPlatform().name("burster").start(() -> {
                for (int i = 0; i < 5_000; i++) {
                    burst.add(bridge.submit(() -> {
                        burstStarted.incrementAndGet();
                        return null;
                    }));
                }
            });
            burster.join();
            CompletableFuture<CompletableFuture<Integer>> single = new CompletableFuture<>();
            Thread.ofPlatform().name("single").start(() -> single.complete(bridge.submit(burstStarted::get))).join();
            release.set(true);
            assertThat(Await.result(Await.result(single)))
                    .as("tasks of the other thread's burst that started before this one").isLessThanOrEqualTo(1);
            Await.result(holder);
            for (CompletableFuture<Object> f : burst) {
                Await.result(f);
            }
            assertThat(burstStarted).hasValue(5_000);
        }
    }

    @Test
    void shortStartsOfOneSubmitterAreNotPacedByAnotherSubmittersLongStarts() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).maxInFlight(1_000).build()) {
            AtomicBoolean release = new AtomicBoolean();
            CompletableFuture<Object> holder = holdTheLoop(bridge, release);
            // While the loop is held, one thread queues 20 starts of 2 ms each (longer than the whole
            // slice), another 20 trivial ones. Each stripe has its own time in a turn's inbound step,
            // so the trivial ones all start after one or two long ones, not one per long one.
            AtomicInteger longStarted = new AtomicInteger();
            List<CompletableFuture<Object>> longOnes = new ArrayList<>();
            Thread.ofPlatform().name("long-starts").start(() -> {
                for (int i = 0; i < 20; i++) {
                    longOnes.add(bridge.submit(() -> {
                        longStarted.incrementAndGet();
                        long end = System.nanoTime() + 2_000_000;
                        while (System.nanoTime() < end) {
                            Thread.onSpinWait();
                        }
                        return null;
                    }));
                }
            }).join();
            List<CompletableFuture<Integer>> shortOnes = new ArrayList<>();
            Thread.ofPlatform().name("short-starts").start(() -> {
                for (int i = 0; i < 20; i++) {
                    shortOnes.add(bridge.submit(longStarted::get));
                }
            }).join();
            release.set(true);
            int most = 0;
            for (CompletableFuture<Integer> f : shortOnes) {
                most = Math.max(most, Await.result(f));
            }
            // Served fairly: 1 or 2. Paced one for one (or FIFO) it would be 20. The bound leaves room
            // for a loop thread the operating system deschedules in the middle of a short start on a
            // busy machine (its stripe's time then runs out early and another long one goes first):
            // with two other CPU-bound processes on 2 cores, 9 was seen.
            assertThat(most).as("long starts begun before the last short one").isLessThanOrEqualTo(12);
            Await.result(holder);
            for (CompletableFuture<Object> f : longOnes) {
                Await.result(f);
            }
        }
    }

    @Test
    void aLaneStartIsRescuedFromALoopHeldByOneLongMount() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).cpuThreads(1).build()) {
            AtomicBoolean laneRan = new AtomicBoolean();
            CompletableFuture<Object> holder = holdTheLoop(bridge, laneRan); // only a lane start run elsewhere can end this
            CompletableFuture<String> lane = bridge.submit(Priority.HIGH, () -> {
                laneRan.set(true);
                Thread carrier = JdkAccess.currentCarrierThread();
                return (Bridge.current().isPresent() ? "bridged" : "off the loop") + " on " + carrier.getName();
            });
            String where = Await.result(lane);
            assertThat(where).as("run by the rescuer itself").isEqualTo("off the loop on " + bridge.name() + "-lane");
            Await.result(holder);
            ShardStats stats = bridge.shard(0).stats();
            assertThat(stats.laneRescues()).isEqualTo(1);
            assertThat(stats.loopErrors()).isZero();
        }
    }

    @Test
    void startsOverdueAtOneLookRunOneOnTheRescuerTheOthersOnTheCpuPool() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).cpuThreads(1).build()) {
            AtomicBoolean bothRan = new AtomicBoolean();
            CompletableFuture<Object> holder = holdTheLoop(bridge, bothRan); // only lane starts run elsewhere can end this
            // The first lane task runs on the rescuer and keeps it busy until the two starts it queues are
            // past their deadlines; the rescuer's next look then finds both overdue at once.
            CompletableFuture<List<CompletableFuture<String>>> first = bridge.submit(Priority.HIGH, () -> {
                List<CompletableFuture<String>> two = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    two.add(bridge.submit(Priority.HIGH, () -> JdkAccess.currentCarrierThread().getName()));
                }
                long overdue = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5); // the rescue wait is 150 µs
                while (System.nanoTime() - overdue < 0) {
                    Thread.onSpinWait();
                }
                return two;
            });
            List<CompletableFuture<String>> two = Await.result(first);
            List<String> carriers = new ArrayList<>();
            for (CompletableFuture<String> f : two) {
                carriers.add(Await.result(f));
            }
            bothRan.set(true);
            Await.result(holder);
            assertThat(carriers).hasSize(2);
            assertThat(carriers).as("one on the rescuer, one on a CPU pool worker").anyMatch(name -> name.equals(bridge.name() + "-lane"))
                    .anyMatch(name -> name.contains("-cpu-"));
            assertThat(bridge.shard(0).stats().laneRescues()).isEqualTo(3);
        }
    }

    @Test
    void theRescuerStartsWithTheFirstLaneStartAndEndsWithTheBridge() throws Exception {
        Thread rescuer;
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            Await.result(bridge.submit(() -> null));
            assertThat(bridge.laneRescuer().thread()).as("no lane start yet: no thread").isNull();
            Await.result(bridge.submit(Priority.HIGH, () -> null));
            Await.until("the rescuer's thread runs", () -> bridge.laneRescuer().thread() != null);
            rescuer = bridge.laneRescuer().thread();
            assertThat(rescuer.getName()).isEqualTo(bridge.name() + "-lane");
            assertThat(rescuer.isDaemon()).isTrue();
        }
        assertThat(rescuer.isAlive()).as("stopped and joined by close()").isFalse();
    }

    @Test
    void theRescueWaitIsItsOwnSettingNotTheTurnSlice() throws Exception {
        // A 1 s slice and the default rescue wait: the holder never ends by itself, so only a rescue
        // after laneRescueAfter (150 µs), not after the slice, lets the lane task run and end it.
        try (Bridge bridge = Bridge.builder().shards(1).cpuThreads(1).turnSlice(Duration.ofSeconds(1)).build()) {
            AtomicBoolean laneRan = new AtomicBoolean();
            CompletableFuture<Object> holder = holdTheLoop(bridge, laneRan);
            long sent = System.nanoTime();
            CompletableFuture<Long> lane = bridge.submit(Priority.HIGH, () -> {
                laneRan.set(true);
                return System.nanoTime() - sent;
            });
            long waitedNanos = Await.result(lane);
            Await.result(holder);
            assertThat(bridge.shard(0).stats().laneRescues()).isEqualTo(1);
            // Sanity bound only: far below the 1 s slice, with room for a busy machine.
            assertThat(waitedNanos).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
        }
    }

    @Test
    void aRescuedLaneTaskThatBlocksResumesOnItsLoop() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            AtomicBoolean laneStarted = new AtomicBoolean();
            CompletableFuture<Object> holder = holdTheLoop(bridge, laneStarted);
            CompletableFuture<Boolean[]> lane = bridge.submit(Priority.HIGH, () -> {
                laneStarted.set(true);
                boolean bridgedBefore = Bridge.current().isPresent();
                Thread.sleep(1); // blocks: the resume goes to the thread's scheduler, its shard's loop
                return new Boolean[] {bridgedBefore, Bridge.current().isPresent()};
            });
            Boolean[] bridged = Await.result(lane);
            assertThat(bridged[0]).as("rescued: off the loop before the block").isFalse();
            assertThat(bridged[1]).as("bridged again after the block").isTrue();
            Await.result(holder);
        }
    }

    @Test
    void aStartQueuedWhileTheRescuerSleepsIdleWakesIt() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            Await.result(bridge.submit(Priority.HIGH, () -> null)); // starts the rescuer; the loop is free
            Await.until("the rescuer parks with nothing to do", () -> {
                Thread t = bridge.laneRescuer().thread();
                return t != null && t.getState() == Thread.State.WAITING; // untimed: no start pending
            });
            AtomicBoolean laneRan = new AtomicBoolean();
            CompletableFuture<Object> holder = holdTheLoop(bridge, laneRan);
            CompletableFuture<String> lane = bridge.submit(Priority.HIGH, () -> {
                laneRan.set(true);
                return JdkAccess.currentCarrierThread().getName();
            });
            assertThat(Await.result(lane)).as("woken for the start's deadline").isEqualTo(bridge.name() + "-lane");
            Await.result(holder);
        }
    }

    @Test
    void aRescuedStartThatHoldsTheRescuerDoesNotHoldTheOtherRescues() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).cpuThreads(1).stallThreshold(Duration.ofMillis(40)).build()) {
            AtomicBoolean secondRan = new AtomicBoolean();
            CompletableFuture<Object> holder = holdTheLoop(bridge, secondRan);
            AtomicBoolean firstRunning = new AtomicBoolean();
            CompletableFuture<String> first = bridge.submit(Priority.HIGH, () -> {
                firstRunning.set(true);
                holdTheLoopUntil(secondRan); // holds its carrier, the rescuer's thread, like CPU work would
                return JdkAccess.currentCarrierThread().getName();
            });
            Await.until("the first lane task holds the rescuer", firstRunning::get);
            CompletableFuture<String> second = bridge.submit(Priority.HIGH, () -> {
                secondRan.set(true);
                return JdkAccess.currentCarrierThread().getName();
            });
            assertThat(Await.result(second)).as("rescued by the watchdog's backup").contains("-cpu-");
            assertThat(Await.result(first)).isEqualTo(bridge.name() + "-lane");
            Await.result(holder);
            assertThat(bridge.shard(0).stats().laneRescues()).isEqualTo(2);
        }
    }

    @Test
    void aPlainSubmissionBehindSaturatedOwnedWorkStartsWithinAFewTurns() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            List<CompletableFuture<Object>> yielders = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                yielders.add(bridge.submit(() -> {
                    // Owned work that never runs out: each thread runs ~20 us, yields, and is at once
                    // runnable again on the local queue.
                    while (!stop.get()) {
                        long end = System.nanoTime() + 20_000;
                        while (System.nanoTime() < end) {
                            Thread.onSpinWait();
                        }
                        Thread.yield();
                    }
                    return null;
                }));
            }
            Await.until("every yielder has started", () -> bridge.shard(0).stats().tasksStarted() == 200);
            long most = 0;
            for (int i = 0; i < 20; i++) {
                CompletableFuture<Long> plain = bridge.submit(() -> bridge.shard(0).stats().loopIterations());
                // Read after the submission returned, so after the task was queued: a delay of this
                // thread only makes the count smaller.
                long turnsBefore = bridge.shard(0).stats().loopIterations();
                long turnsAtStart = Await.result(plain);
                if (i >= 10) { // the first ones warm the loop's code up
                    most = Math.max(most, turnsAtStart - turnsBefore);
                }
            }
            stop.set(true);
            for (CompletableFuture<Object> f : yielders) {
                Await.result(f);
            }
            // 200 threads of 20 us each fill far more than a slice per turn; the inbound step still gets
            // its share every turn, so a new task starts in the turn it arrives in or the next.
            assertThat(most).as("most turns between a submission and its start").isLessThanOrEqualTo(3);
        }
    }
}
