package io.vtbridge;

import io.vtbridge.monitor.StallReport;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.BridgeFixture;
import io.vtbridge.testing.Cpu;
import io.vtbridge.testing.StallListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spill of queued tasks to a shard with nothing to do ({@link BridgeBuilder#balance}), on a skewed
 * load: a bridged "driver" task on shard 0 of a 2-shard bridge submits a few thousand CPU tasks
 * without a key, which locality keeps on shard 0, and waits for them while shard 1 has nothing to do.
 * With balance on the tasks run on both shards and the counts of moved tasks add up; with it off they
 * all run on shard 0; tasks with a key never move. Each task records the shard it ran on
 * ({@link Bridge#current()}), how often it ran, and its thread, so that the tests also check that
 * nothing is lost or run twice and that no thread outlives the bridge.
 *
 * <p><b>Threading:</b> JUnit's; the tasks write only their own slots of the recording arrays and a
 * concurrent set, read after their futures completed.
 */
@Timeout(120)
class BalanceTest {

    /** Tasks the driver submits. */
    private static final int TASKS = 2_000;

    /** How long each task spins on its carrier: CPU work that never unmounts. */
    private static final long SPIN_NANOS = 30_000;

    /** Distinct keys the keyed tasks cycle through (all of them owned by the driver's shard). */
    private static final int KEYS = 64;

    /** What the tasks of one run recorded. */
    private static final class Record {
        final AtomicIntegerArray shard = new AtomicIntegerArray(TASKS); // the shard index + 1 each task ran on (0: never ran)
        final AtomicIntegerArray runs = new AtomicIntegerArray(TASKS);  // how often each task ran
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();      // every thread a task ran on

        /** The body of task {@code i}: spins, then records where it ran; returns its index. */
        Callable<Integer> task(int i) {
            return () -> {
                Cpu.spinNanos(SPIN_NANOS);
                shard.set(i, Bridge.current().orElseThrow(() -> new AssertionError("task " + i + " not in bridged code")).index() + 1);
                runs.incrementAndGet(i);
                threads.add(Thread.currentThread());
                return i;
            };
        }

        /** Tasks among {@code indexes} that ran on shard {@code index}. */
        int ranOn(int index, List<Integer> indexes) {
            int n = 0;
            for (int i : indexes) {
                if (shard.get(i) == index + 1) {
                    n++;
                }
            }
            return n;
        }

        void assertEachRanOnce() {
            for (int i = 0; i < TASKS; i++) {
                assertThat(runs.get(i)).as("runs of task %d", i).isEqualTo(1);
            }
        }
    }


    private static Bridge twoShards(String name, boolean balance) {
        return Bridge.builder().name(name).shards(2).balance(balance).maxInFlight(10_000)
                .closeTimeout(Duration.ofSeconds(5)).build();
    }

    /** The first {@link #KEYS} keys {@link Bridge#shardFor} gives to shard {@code index}. */
    private static List<Integer> keysOf(Bridge bridge, int index) {
        List<Integer> keys = new ArrayList<>();
        for (int key = 0; keys.size() < KEYS; key++) {
            if (bridge.shardFor(key).index() == index) {
                keys.add(key);
            }
        }
        return keys;
    }

    /**
     * Runs a driver on shard 0 that submits task {@code i} with key {@code keys[i % KEYS]} when
     * {@code keyed.test(i)} (a key of shard 0) and without a key otherwise, then waits for all of them
     * there. Returns each task's future, after checking that each completed with its own index.
     */
    private static List<CompletableFuture<Integer>> drive(Bridge bridge, Record record, List<Integer> keys,
                                                          java.util.function.IntPredicate keyed) throws Exception {
        CompletableFuture<List<CompletableFuture<Integer>>> driver = BridgeFixture.on(bridge, 0, () -> {
            assertThat(Bridge.current().orElseThrow().index()).as("the driver's shard").isZero();
            List<CompletableFuture<Integer>> futures = new ArrayList<>(TASKS);
            for (int i = 0; i < TASKS; i++) {
                futures.add(keyed.test(i) ? bridge.submit(keys.get(i % KEYS), record.task(i)) : bridge.submit(record.task(i)));
            }
            Bridge.await(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)));
            return futures;
        });
        List<CompletableFuture<Integer>> futures = Await.result("the driver and its " + TASKS + " tasks", driver);
        for (int i = 0; i < TASKS; i++) {
            assertThat(futures.get(i).getNow(-1)).as("task %d's result", i).isEqualTo(i);
        }
        return futures;
    }

    private static List<Integer> range(java.util.function.IntPredicate which) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            if (which.test(i)) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    /** Tasks moved between the two shards add up, in both directions (read once the spilling loops counted them). */
    private static void assertMovesAddUp(Bridge bridge, Record record, List<Integer> unkeyed) throws InterruptedException {
        Shard s0 = bridge.shard(0);
        Shard s1 = bridge.shard(1);
        // The loop that moved a task counts it after the offer: the count may trail the task's end a little.
        Await.until("shard 1 ran exactly the tasks moved to it and not moved on (in " + s1.tasksMovedIn() + ", out "
                        + s1.tasksMovedOut() + ", ran " + record.ranOn(1, unkeyed) + ")",
                () -> s1.tasksMovedIn() - s1.tasksMovedOut() == record.ranOn(1, unkeyed)
                        && s0.tasksMovedOut() == s1.tasksMovedIn() && s1.tasksMovedOut() == s0.tasksMovedIn());
    }

    /** After close: no thread a task ran on is alive, nor any platform thread of the bridge. */
    private static void assertNoThreadLeft(String name, Record record) throws InterruptedException {
        assertThat(record.threads).as("threads the tasks ran on").isNotEmpty();
        for (Thread t : record.threads) {
            Await.until(t + " (a thread tasks ran on) has ended after close", () -> !t.isAlive());
        }
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith(name)))
                .as("platform threads of the closed bridge").isEmpty();
    }

    @Test
    void withBalanceASkewedLoadRunsOnBothShards() throws Exception {
        Record record = new Record();
        List<Integer> all = range(i -> true);
        String name = "balance-on";
        try (Bridge bridge = twoShards(name, true)) {
            drive(bridge, record, keysOf(bridge, 0), i -> false);
            record.assertEachRanOnce();
            int on1 = record.ranOn(1, all);
            assertThat(on1).as("tasks that ran on the idle shard 1").isPositive();
            assertThat(record.ranOn(0, all)).as("tasks that ran on the driver's shard 0").isPositive();
            assertThat(record.ranOn(0, all) + on1).as("tasks that ran on some shard").isEqualTo(TASKS);
            assertThat(bridge.shard(0).tasksMovedOut()).as("tasks shard 0 moved out").isPositive();
            assertThat(bridge.shard(1).tasksMovedIn()).as("tasks shard 1 took in").isPositive();
            assertMovesAddUp(bridge, record, all);
            Await.until("nothing in flight (" + bridge.inFlight() + ")", () -> bridge.inFlight() == 0);
        }
        assertNoThreadLeft(name, record);
    }

    @Test
    void withoutBalanceTheSkewStays() throws Exception {
        Record record = new Record();
        List<Integer> all = range(i -> true);
        String name = "balance-off";
        try (Bridge bridge = twoShards(name, false)) {
            drive(bridge, record, keysOf(bridge, 0), i -> false);
            record.assertEachRanOnce();
            assertThat(record.ranOn(0, all)).as("tasks that ran on the driver's shard 0").isEqualTo(TASKS);
            assertThat(bridge.shard(0).tasksMovedOut() + bridge.shard(1).tasksMovedIn()).as("tasks moved").isZero();
            Await.until("nothing in flight (" + bridge.inFlight() + ")", () -> bridge.inFlight() == 0);
        }
        assertNoThreadLeft(name, record);
    }

    @Test
    void keyedTasksNeverMove() throws Exception {
        Record record = new Record();
        List<Integer> all = range(i -> true);
        String name = "balance-keyed";
        try (Bridge bridge = twoShards(name, true)) {
            List<Integer> keys = keysOf(bridge, 0);
            drive(bridge, record, keys, i -> true);
            record.assertEachRanOnce();
            assertThat(record.ranOn(0, all)).as("keyed tasks that ran on their key's shard 0").isEqualTo(TASKS);
            assertThat(bridge.shard(0).tasksMovedOut()).as("tasks shard 0 moved out").isZero();
            assertThat(bridge.shard(1).tasksMovedIn()).as("tasks shard 1 took in").isZero();
            Await.until("nothing in flight (" + bridge.inFlight() + ")", () -> bridge.inFlight() == 0);
        }
        assertNoThreadLeft(name, record);
    }

    /**
     * Keyed tasks submitted from outside the bridge wait in the shard's inbox, which the spill drains
     * into the loop's own queues before it picks what to move: they must still stay home.
     */
    @Test
    void keyedTasksFromAnOutsideThreadNeverMove() throws Exception {
        Record record = new Record();
        List<Integer> all = range(i -> true);
        String name = "balance-keyed-outside";
        try (Bridge bridge = twoShards(name, true)) {
            List<Integer> keys = keysOf(bridge, 0);
            List<CompletableFuture<Integer>> futures = new ArrayList<>(TASKS);
            for (int i = 0; i < TASKS; i++) {
                futures.add(bridge.submit(keys.get(i % KEYS), record.task(i)));
            }
            for (int i = 0; i < TASKS; i++) {
                assertThat(Await.result("keyed task " + i, futures.get(i))).isEqualTo(i);
            }
            record.assertEachRanOnce();
            assertThat(record.ranOn(0, all)).as("keyed tasks that ran on their key's shard 0").isEqualTo(TASKS);
            assertThat(bridge.shard(0).tasksMovedOut() + bridge.shard(1).tasksMovedIn()).as("tasks moved").isZero();
            Await.until("nothing in flight (" + bridge.inFlight() + ")", () -> bridge.inFlight() == 0);
        }
        assertNoThreadLeft(name, record);
    }

    /**
     * One outside submitter, keyed tasks (all on shard 0) between unkeyed ones: the spill takes tasks
     * out of shard 0's inbox to count the movable ones and gives some of those away; the keyed tasks
     * it keeps must still start in the order they were submitted, as they would from the inbox.
     */
    @Test
    void keyedTasksOfOneSubmitterStartInOrderWhileTheSpillTakesFromTheInbox() throws Exception {
        Record record = new Record();
        java.util.concurrent.atomic.AtomicInteger nextStart = new java.util.concurrent.atomic.AtomicInteger();
        AtomicIntegerArray startOrder = new AtomicIntegerArray(TASKS);
        String name = "balance-keyed-order";
        try (Bridge bridge = twoShards(name, true)) {
            // Shard 1 first gets waiters that hold nothing but its load figure, so that the outside
            // submitter's unkeyed tasks are placed on shard 0 beside the keyed ones; once they end,
            // shard 1 runs dry and shard 0 feeds it from its inbox.
            CompletableFuture<Void> letGo = new CompletableFuture<>();
            List<Integer> keysOfOne = keysOf(bridge, 1);
            List<CompletableFuture<Object>> waiters = new ArrayList<>();
            for (int j = 0; j < 3 * TASKS / 4; j++) {
                waiters.add(bridge.submit(keysOfOne.get(j % KEYS), () -> Bridge.await(letGo)));
            }
            List<Integer> keys = keysOf(bridge, 0);
            List<CompletableFuture<Integer>> futures = new ArrayList<>(TASKS);
            for (int i = 0; i < TASKS; i++) {
                int index = i;
                Callable<Integer> body = record.task(i);
                Callable<Integer> task = () -> {
                    startOrder.set(index, nextStart.getAndIncrement());
                    return body.call();
                };
                futures.add(i % 2 == 0 ? bridge.submit(keys.get(i % KEYS), task) : bridge.submit(task));
            }
            letGo.complete(null);
            for (CompletableFuture<Object> waiter : waiters) {
                Await.result("a waiter on shard 1", waiter);
            }
            for (int i = 0; i < TASKS; i++) {
                assertThat(Await.result("task " + i, futures.get(i))).isEqualTo(i);
            }
            record.assertEachRanOnce();
            assertThat(bridge.shard(0).tasksMovedOut()).as("unkeyed tasks shard 0 gave away (the spill ran)").isPositive();
            int inversions = 0;
            for (int i = 2; i < TASKS; i += 2) {
                if (startOrder.get(i) < startOrder.get(i - 2)) {
                    inversions++;
                }
            }
            assertThat(inversions).as("keyed tasks that started before an earlier keyed task").isZero();
        }
        assertNoThreadLeft(name, record);
    }

    /** {@link Shard#pendingTasks()}: the tasks placed and not ended, started or queued, back to 0 after. */
    @Test
    void pendingTasksCountsTheShardsTasksUntilTheyEnd() throws Exception {
        try (Bridge bridge = Bridge.builder().name("balance-pending").shards(1).build()) {
            CompletableFuture<Void> letGo = new CompletableFuture<>();
            List<CompletableFuture<Object>> waiters = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                waiters.add(bridge.submit(() -> Bridge.await(letGo)));
            }
            assertThat(bridge.shard(0).pendingTasks()).as("placed, none ended").isEqualTo(50);
            letGo.complete(null);
            for (CompletableFuture<Object> waiter : waiters) {
                Await.result("a waiter", waiter);
            }
            Await.until("no task pending (" + bridge.shard(0).pendingTasks() + ")", () -> bridge.shard(0).pendingTasks() == 0);
        }
    }

    @Test
    void mixedLoadKeyedStayHomeUnkeyedMove() throws Exception {
        Record record = new Record();
        java.util.function.IntPredicate keyed = i -> i % 2 == 0;
        List<Integer> keyedTasks = range(keyed);
        List<Integer> unkeyedTasks = range(keyed.negate());
        String name = "balance-mixed";
        try (Bridge bridge = twoShards(name, true)) {
            drive(bridge, record, keysOf(bridge, 0), keyed);
            record.assertEachRanOnce();
            assertThat(record.ranOn(0, keyedTasks)).as("keyed tasks that ran on their key's shard 0").isEqualTo(keyedTasks.size());
            assertThat(record.ranOn(1, unkeyedTasks)).as("unkeyed tasks that ran on the idle shard 1").isPositive();
            assertThat(record.ranOn(0, unkeyedTasks) + record.ranOn(1, unkeyedTasks)).as("unkeyed tasks that ran")
                    .isEqualTo(unkeyedTasks.size());
            assertMovesAddUp(bridge, record, unkeyedTasks);
            Await.until("nothing in flight (" + bridge.inFlight() + ")", () -> bridge.inFlight() == 0);
        }
        assertNoThreadLeft(name, record);
    }

    /**
     * A moved task that holds its new shard's carrier is that shard's hog, and the stall report names
     * its thread, as it names a hog that was placed there. The task's own record still says it was
     * placed on shard 0; the stall watchdog must look for the thread mounted on shard 1's carrier
     * among the tasks running there, wherever they were placed.
     */
    @Test
    void aMovedTaskThatHoldsItsNewShardIsNamedInTheStallReport() throws Exception {
        AtomicReference<Thread> hog = new AtomicReference<>();
        AtomicBoolean release = new AtomicBoolean();
        CompletableFuture<StallReport> shard1Report = new CompletableFuture<>();
        try (Bridge bridge = Bridge.builder().name("balance-hog").shards(2).stallThreshold(Duration.ofMillis(100))
                .closeTimeout(Duration.ofSeconds(5))
                .listener(StallListener.of(report -> {
                    if (report.shard() == 1) {
                        shard1Report.complete(report);
                    }
                })).build()) {
            CompletableFuture<Integer> driver = BridgeFixture.on(bridge, 0, () -> {
                List<CompletableFuture<Object>> futures = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    futures.add(bridge.submit(() -> {
                        Cpu.spinNanos(SPIN_NANOS);
                        if (Bridge.current().orElseThrow().index() == 1 && hog.compareAndSet(null, Thread.currentThread())) {
                            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.WAIT_SECONDS);
                            while (!release.get() && System.nanoTime() - giveUp < 0) {
                                Thread.onSpinWait(); // holds shard 1's carrier: a hog
                            }
                        }
                        return null;
                    }));
                }
                Bridge.await(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)));
                return futures.size();
            });
            StallReport report;
            try {
                Await.until("a task moved to shard 1 runs there", () -> hog.get() != null);
                report = Await.result("a stall report for shard 1", shard1Report);
            } finally {
                release.set(true);
            }
            assertThat(Await.result("the driver", driver)).isEqualTo(400);
            assertThat(bridge.shard(0).tasksMovedOut()).as("tasks moved out of shard 0").isPositive();
            assertThat(report.kind()).isEqualTo(StallReport.Kind.HOG);
            assertThat(report.thread()).as("the hog's thread in the report for shard 1: " + report.describe())
                    .isSameAs(hog.get());
        }
    }
}
