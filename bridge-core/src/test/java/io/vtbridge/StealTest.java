package io.vtbridge;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An idle shard runs another shard's runnable threads ({@link BridgeBuilder#balance}): a task without
 * a key that blocked on shard 0 and is resumed while shard 0's carrier is held by a long mount (a
 * "hog": a keyed task spinning on shard 0) continues on shard 1 at once; a task with a key, or any
 * task with balance off, waits for the hog. The hog spins until the task is done or a bound passes,
 * so a task that is not taken shows as a hog that gave up.
 *
 * <p><b>Threading:</b> JUnit's; the bridged tasks communicate through futures and atomics.
 */
@Timeout(120)
class StealTest {

    /** How long a hog waits for a task that cannot run until it ends (the keyed and the balance-off cases). */
    private static final long SHORT_HOG_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

    /** What one run of {@link #resumeWhileHomeIsHeld} saw. */
    private record Seen(int blockedOn, int resumedOn, boolean hogGaveUp, Thread thread) {
    }

    private static Bridge twoShards(String name, boolean balance) {
        return Bridge.builder().name(name).shards(2).balance(balance).stallThreshold(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofSeconds(5)).build();
    }


    /**
     * A task placed on shard 0 (submitted from a bridged thread there, with key {@code keyed} or
     * none) blocks on a future; a keyed hog then holds shard 0's carrier until the task is done (or
     * for {@code hogNanos}); the test thread completes the future meanwhile.
     */
    private static Seen resumeWhileHomeIsHeld(Bridge bridge, boolean keyed, long hogNanos) throws Exception {
        return resumeWhileHomeIsHeld(bridge, keyed, hogNanos, false);
    }

    /**
     * As above; with {@code byTheHog} the hog itself completes the future (a resume issued on shard
     * 0's own carrier, with nothing else waiting: only the watchdog's back-stop wakes shard 1 for it).
     */
    private static Seen resumeWhileHomeIsHeld(Bridge bridge, boolean keyed, long hogNanos, boolean byTheHog) throws Exception {
        int key0 = BridgeFixture.keyFor(bridge, 0);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CompletableFuture<Integer> blockedOn = new CompletableFuture<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Thread> thread = new AtomicReference<>();
        Callable<Integer> body = () -> {
            thread.set(Thread.currentThread());
            blockedOn.complete(Bridge.current().orElseThrow().index());
            Bridge.await(gate);
            int resumedOn = Bridge.current().orElseThrow().index();
            done.set(true);
            return resumedOn;
        };
        // From a bridged thread of shard 0: locality places the unkeyed task on shard 0 as well.
        CompletableFuture<Integer> task = Await.result("the submission on shard 0",
                BridgeFixture.on(bridge, 0, () -> keyed ? bridge.submit(key0, body) : bridge.submit(body)));
        int blocked = Await.result("the task blocked", blockedOn);

        CompletableFuture<Void> hogRunning = new CompletableFuture<>();
        CompletableFuture<Boolean> hog = bridge.submit(key0, () -> {
            hogRunning.complete(null);
            if (byTheHog) {
                gate.complete(null);
            }
            long giveUp = System.nanoTime() + hogNanos;
            while (!done.get() && System.nanoTime() - giveUp < 0) {
                Thread.onSpinWait(); // holds shard 0's carrier: no unmount
            }
            return !done.get();
        });
        Await.result("the hog runs", hogRunning);
        gate.complete(null); // the task is runnable now, while its shard is held (if the hog has not done it)
        int resumed = Await.result("the task", task);
        boolean gaveUp = Await.result("the hog", hog);
        return new Seen(blocked, resumed, gaveUp, thread.get());
    }

    @Test
    void aBlockedUnkeyedTaskContinuesOnAnIdleShardWhileItsOwnIsHeld() throws Exception {
        try (Bridge bridge = twoShards("steal", true)) {
            Seen seen = resumeWhileHomeIsHeld(bridge, false, TimeUnit.SECONDS.toNanos(Await.WAIT_SECONDS));
            assertThat(seen.blockedOn()).as("the shard the task blocked on").isZero();
            assertThat(seen.resumedOn()).as("the shard the task continued on").isEqualTo(1);
            assertThat(seen.hogGaveUp()).as("the hog waited for its bound: the task did not run meanwhile").isFalse();
            assertThat(bridge.shard(1).threadsStolen()).as("threads shard 1 took").isEqualTo(1);
            assertThat(bridge.shard(0).threadsStolen()).as("threads shard 0 took").isZero();
            // The wait's events: SUSPEND where the task parked, RESUME on the loop that carried it on.
            assertThat(bridge.shard(0).events(EventPhase.SUSPEND, EventKind.AWAIT)).as("AWAIT suspends on shard 0").isEqualTo(1);
            assertThat(bridge.shard(1).events(EventPhase.RESUME, EventKind.AWAIT)).as("AWAIT resumes on shard 1").isEqualTo(1);
            assertThat(bridge.shard(0).events(EventPhase.RESUME, EventKind.AWAIT)).as("AWAIT resumes on shard 0").isZero();
            // A runner that finished its task off its own loop ends; its shard goes on with fresh ones.
            Await.until("the taken runner ends after its task", () -> !seen.thread().isAlive());
            List<CompletableFuture<Integer>> more = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                more.add(BridgeFixture.on(bridge, 0, () -> {
                    Bridge.sleep(Duration.ofMillis(1));
                    return n;
                }));
            }
            for (int i = 0; i < more.size(); i++) {
                assertThat(Await.result("task " + i + " after the steal", more.get(i))).isEqualTo(i);
            }
        }
    }

    /**
     * A resume made on the busy shard's own carrier, with nothing else waiting, wakes no peer at
     * once (a hand-off that then parks stays local); the stall watchdog's next check does, so the
     * task still continues on the idle shard long before the hog ends.
     */
    @Test
    void aLoneResumeOnTheBusyShardIsTakenAfterTheWatchdogsCheck() throws Exception {
        try (Bridge bridge = twoShards("steal-lone", true)) {
            Seen seen = resumeWhileHomeIsHeld(bridge, false, TimeUnit.SECONDS.toNanos(Await.WAIT_SECONDS), true);
            assertThat(seen.resumedOn()).as("the shard the task continued on").isEqualTo(1);
            assertThat(seen.hogGaveUp()).as("the hog waited for its bound: the task did not run meanwhile").isFalse();
        }
    }

    @Test
    void aKeyedTaskWaitsForItsOwnShard() throws Exception {
        try (Bridge bridge = twoShards("steal-keyed", true)) {
            Seen seen = resumeWhileHomeIsHeld(bridge, true, SHORT_HOG_NANOS);
            assertThat(seen.resumedOn()).as("the shard the keyed task continued on").isZero();
            assertThat(seen.hogGaveUp()).as("the keyed task ran only after the hog").isTrue();
            assertThat(bridge.shard(1).threadsStolen()).as("threads shard 1 took").isZero();
        }
    }

    @Test
    void withBalanceOffNoThreadMoves() throws Exception {
        try (Bridge bridge = twoShards("steal-off", false)) {
            Seen seen = resumeWhileHomeIsHeld(bridge, false, SHORT_HOG_NANOS);
            assertThat(seen.resumedOn()).as("the shard the task continued on").isZero();
            assertThat(seen.hogGaveUp()).as("the task ran only after the hog").isTrue();
            assertThat(bridge.shard(1).threadsStolen()).as("threads shard 1 took").isZero();
        }
    }

    /**
     * A taken thread that then holds its new shard's carrier is that shard's hog, and the stall
     * report for that shard names it, though its task was placed on the other shard.
     */
    @Test
    void aTakenThreadThatHoldsItsNewShardIsNamedInTheStallReport() throws Exception {
        CompletableFuture<StallReport> shard1Report = new CompletableFuture<>();
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean resumed = new AtomicBoolean();
        AtomicReference<Thread> thread = new AtomicReference<>();
        try (Bridge bridge = Bridge.builder().name("steal-hog").shards(2).stallThreshold(Duration.ofMillis(100))
                .closeTimeout(Duration.ofSeconds(5))
                .listener(StallListener.of(report -> {
                    if (report.shard() == 1) {
                        shard1Report.complete(report);
                    }
                })).build()) {
            int key0 = BridgeFixture.keyFor(bridge, 0);
            CompletableFuture<Void> gate = new CompletableFuture<>();
            CompletableFuture<Void> blocked = new CompletableFuture<>();
            CompletableFuture<Integer> task = Await.result(BridgeFixture.on(bridge, 0, () -> bridge.submit(() -> {
                thread.set(Thread.currentThread());
                blocked.complete(null);
                Bridge.await(gate);
                resumed.set(true);
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.WAIT_SECONDS);
                while (!release.get() && System.nanoTime() - giveUp < 0) {
                    Thread.onSpinWait(); // holds the carrier it continued on
                }
                return Bridge.current().orElseThrow().index();
            })));
            Await.result("the task blocked", blocked);
            CompletableFuture<Void> hogRunning = new CompletableFuture<>();
            CompletableFuture<Void> hog = bridge.submit(key0, () -> {
                hogRunning.complete(null);
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.WAIT_SECONDS);
                while (!resumed.get() && System.nanoTime() - giveUp < 0) {
                    Thread.onSpinWait(); // holds shard 0 until the task has continued elsewhere
                }
                return null;
            });
            Await.result("the hog runs", hogRunning);
            StallReport report;
            try {
                gate.complete(null);
                report = Await.result("a stall report for shard 1", shard1Report);
            } finally {
                release.set(true);
            }
            assertThat(Await.result("the task", task)).as("the shard the task continued on").isEqualTo(1);
            Await.result("the hog", hog);
            assertThat(report.kind()).isEqualTo(StallReport.Kind.HOG);
            assertThat(report.thread()).as("the taken thread in the report for shard 1: " + report.describe())
                    .isSameAs(thread.get());
        }
    }

    /**
     * Under a shared resource, the shape that made one shard park while the other had work: unkeyed
     * tasks taking and returning tokens of a small {@link ArrayBlockingQueue} "pool" with work in
     * between, so that they block and are resumed all the time and the idle shard takes some. Every
     * task runs its body once and completes once, every token comes back, and no thread outlives the
     * bridge.
     */
    @Test
    void underAContendedPoolNothingIsLostOrRunTwice() throws Exception {
        int tasks = 400;
        int ops = 50;
        BlockingQueue<Integer> pool = new ArrayBlockingQueue<>(4);
        for (int i = 0; i < 4; i++) {
            pool.add(i);
        }
        AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        try (Bridge bridge = twoShards("steal-pool", true)) {
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                int task = t;
                futures.add(bridge.submit(() -> {
                    runs.incrementAndGet(task);
                    int done = 0;
                    for (int i = 0; i < ops; i++) {
                        Integer token = pool.take();
                        try {
                            threads.add(Thread.currentThread());
                            Cpu.spinNanos(2_000);
                            done++;
                        } finally {
                            pool.put(token);
                        }
                    }
                    return done;
                }));
            }
            for (int t = 0; t < tasks; t++) {
                assertThat(Await.result("task " + t, futures.get(t))).isEqualTo(ops);
                assertThat(runs.get(t)).as("runs of task %d", t).isEqualTo(1);
            }
            assertThat(pool).as("the tokens, all back").hasSize(4);
        }
        for (Thread t : threads) {
            Await.until(t + " ends with its bridge", () -> !t.isAlive());
        }
    }
}
