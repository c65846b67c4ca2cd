package io.vtbridge;

import io.vtbridge.monitor.BridgeListener;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.monitor.ShardStats;
import io.vtbridge.monitor.StallReport;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.BridgeFixture;
import io.vtbridge.testing.Fifo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak test: for {@code vtbridge.soak.seconds} (default 20, in CI or not) a driver thread keeps up
 * to {@value #IN_FLIGHT} tasks in flight on a 2-shard bridge with {@link BlockingPolicy#HAND_OFF}
 * (default 100 ms stall threshold, {@code maxExtraCarriers(4)}), a random mix of {@link Bridge#sleep},
 * {@link BridgeLock} (also timed {@code tryLock}), {@link BridgeReadWriteLock} and
 * {@link BridgeSemaphore} critical sections, {@link Bridge#compute}, {@link Bridge#blocking}, tasks
 * that throw, tasks cancelled right after submission, and, a few times a second per shard (at most
 * {@value #FIFO_PER_SHARD} in flight per shard), a java.io read of a FIFO that a platform writer
 * satisfies 150–400 ms after the read began: a real carrier-blocking call, so the watchdog hands the
 * shard's loop off to a fresh carrier. The random choices come from one seeded {@link Random}: the
 * seed is printed, and {@code -Dvtbridge.soak.seed=N} replays the same sequence of choices (the
 * interleavings, of course, differ).
 *
 * <p>What must hold:
 * <ul>
 *   <li><b>Exactly once.</b> Every submitted task's future completes exactly once (counted per task
 *       id in {@code whenComplete}), with the right value or the one exception its kind expects
 *       ({@link ExpectedFailure} with its own id, {@link CancellationException} when
 *       {@code cancel(true)} returned true); every task body ran exactly once (at most once for a
 *       cancelled one); no task found itself on a shard other than its key's.</li>
 *   <li><b>Mutual exclusion.</b> Each primitive guards a shared in-section count checked on entry and
 *       before exit (one lock holder; no reader beside a writer; at most {@value #PERMITS} semaphore
 *       permits in use), and a plain counter that lost no increment.</li>
 *   <li><b>Loop lag.</b> One probe per shard, a bridged thread on that shard, loops
 *       {@code Bridge.sleep(10 ms)} and records each sample's intended wake-up ({@code nanoTime()}
 *       before the sleep + 10 ms) and its actual one; lateness = actual − intended. Every sample
 *       outside a hand-off window has lateness ≤ 2 × threshold.</li>
 *   <li><b>Clean end.</b> {@code inFlight() == 0}; every carrier that lost its loop has exited and
 *       {@code extraCarriers() == 0} on both shards; the loops counted no error and dropped nothing;
 *       each shard counted as many tasks finished as started; the listener got one
 *       {@link StallReport} per counted stall and one hand-off report per counted hand-off; at
 *       least one hand-off happened (else the test proved nothing about them).</li>
 * </ul>
 *
 * <p><b>The hand-off window.</b> For each {@link StallReport} with {@link StallReport#handedOff()}
 * on shard {@link StallReport#shard()}: let {@code delivered} be {@code System.nanoTime()} when the
 * listener's {@code onStall} received it. The stall began at {@code delivered − report.nanos()} (the
 * watchdog measured {@code nanos} a little before delivery, so this start is late by at most the
 * delivery delay, about a millisecond), and the window ends at {@code delivered + threshold}: the
 * new carrier has by then had a whole threshold to work off the backlog. A probe sample is in the
 * window if its interval {@code [intended, actual]} intersects the window: a sample that was due
 * before the stall but was made late by it, or that spans two back-to-back stalls, is excluded;
 * one that was due and delivered after the window is not. Stalls that were not handed off (the
 * mount ended before the watchdog's CAS, or the extra-carrier bound was reached) open no window:
 * their lateness counts.
 *
 * <p><b>Threading:</b> the driver is the test thread; tasks run on the bridge's shards, pools and
 * retired carriers; FIFO writers are platform threads; the listener runs on the bridge's event thread.
 */
@Tag("soak") // runs for vtbridge.soak.seconds by design: ./vtb soak, not the default build
@Timeout(120)
class SoakTest {

    private static final int IN_FLIGHT = 200;          // the driver's bound on tasks in flight
    private static final int FIFO_PER_SHARD = 2;       // carrier-blocking reads in flight per shard, at most
    private static final int SHARDS = 2;
    private static final int PERMITS = 3;              // the semaphore's
    private static final int MAX_TASKS = 3_000_000;    // the driver stops early beyond this (the per-id arrays)
    private static final long THRESHOLD = TimeUnit.MILLISECONDS.toNanos(100); // BridgeBuilder's default stall threshold
    private static final long PROBE_PERIOD = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int MAX_MESSAGES = 20;        // failures kept verbatim

    /** The task kinds of the mix, with their weights (out of 1000); FIFO reads are scheduled by time instead. */
    private enum Kind {
        SLEEP(280), LOCK(110), TRY_LOCK(50), READ(90), WRITE(50), SEMAPHORE(90), COMPUTE(140), BLOCKING(100),
        THROW(50), CANCEL(40), FIFO(0);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    /** The failure a THROW task throws: it carries its task's id. */
    static final class ExpectedFailure extends RuntimeException {
        final int id;

        ExpectedFailure(int id) {
            super("expected failure of task " + id, null, false, false);
            this.id = id;
        }
    }

    /** One stall report as the listener received it. */
    private record Stall(int shard, long nanos, boolean handedOff, long delivered, String loopThread) {
    }

    /** One shard's probe: a bridged thread that sleeps 10 ms in a loop and records when it woke. */
    private static final class Probe {
        final long[] intended;  // written by the probe's thread only; read after its future completed
        final long[] actual;    // same
        int samples;            // same
        volatile boolean stop;  // set by the driver

        Probe(int capacity) {
            intended = new long[capacity];
            actual = new long[capacity];
        }

        Probe run(CompletableFuture<Void> started) throws InterruptedException {
            started.complete(null);
            while (!stop && samples < intended.length) {
                long due = System.nanoTime() + PROBE_PERIOD;
                Bridge.sleep(Duration.ofNanos(PROBE_PERIOD));
                actual[samples] = System.nanoTime();
                intended[samples] = due;
                samples++;
            }
            return this;
        }
    }

    @TempDir
    Path dir;

    // Shared state of the mix: the in-section counts are atomics checked by every holder; the plain
    // counters are written only inside their critical section (guarded by the primitive under test).
    private final BridgeLock lock = new BridgeLock();
    private final AtomicInteger lockInside = new AtomicInteger();
    private long lockSections;                                   // guarded by lock
    private final BridgeReadWriteLock rw = new BridgeReadWriteLock();
    private final AtomicInteger readersInside = new AtomicInteger();
    private final AtomicInteger writersInside = new AtomicInteger();
    private long writeSections;                                  // guarded by rw's write lock
    private final BridgeSemaphore semaphore = new BridgeSemaphore(PERMITS);
    private final AtomicInteger permitsInside = new AtomicInteger();
    private final AtomicInteger exclusionViolations = new AtomicInteger();

    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger failureCount = new AtomicInteger();

    @Test
    void aRandomMixOnTwoHandOffShardsCompletesEveryTaskOnceAndKeepsItsLoopsPrompt() throws Exception {
        long seed = Long.getLong("vtbridge.soak.seed", System.nanoTime() ^ Double.doubleToLongBits(Math.random()));
        int seconds = Integer.getInteger("vtbridge.soak.seconds", 20);
        assertThat(seconds).as("vtbridge.soak.seconds (above 90, raise the @Timeout)").isBetween(1, 90);
        System.out.println("SoakTest: seed " + seed + ", " + seconds + " s (replay with -Dvtbridge.soak.seed=" + seed + ")");
        Random random = new Random(seed);

        List<Stall> stalls = new CopyOnWriteArrayList<>();
        BridgeListener listener = new BridgeListener() {
            @Override
            public void onEvent(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime) {
            }

            @Override
            public void onStall(StallReport report) {
                stalls.add(new Stall(report.shard(), report.nanos(), report.handedOff(), System.nanoTime(), report.loopThread()));
            }
        };

        AtomicIntegerArray runs = new AtomicIntegerArray(MAX_TASKS);        // how often each task's body began
        AtomicIntegerArray completions = new AtomicIntegerArray(MAX_TASKS); // how often each future completed
        byte[] kinds = new byte[MAX_TASKS];                                 // driver-owned: each id's kind
        Map<Kind, AtomicLong> submitted = counters();
        Map<Kind, AtomicLong> succeeded = counters();
        Map<Kind, AtomicLong> expectedFailures = counters();
        AtomicLong timedOut = new AtomicLong();          // TRY_LOCK that gave up
        AtomicLong offCarrier = new AtomicLong();        // bodies that began on a carrier that had lost its loop
        AtomicIntegerArray fifoInFlight = new AtomicIntegerArray(SHARDS);
        Semaphore admitted = new Semaphore(IN_FLIGHT);             // the driver's bound; a permit per task in flight
        List<Thread> writers = new ArrayList<>();
        long[] handOffs = new long[SHARDS];
        long[] stallsCounted = new long[SHARDS];
        Probe[] probes = new Probe[SHARDS];
        long[] drivenFrom = new long[1];                                    // the driver's start, for messages
        int tasks = 0;
        long fifoReads = 0;

        Bridge bridge = Bridge.builder().shards(SHARDS).name("soak").blockingPolicy(BlockingPolicy.HAND_OFF)
                .maxExtraCarriers(4).listener(listener).jmx(false).build();
        try (bridge) {

            List<CompletableFuture<Probe>> probeFutures = new ArrayList<>();
            for (int s = 0; s < SHARDS; s++) {
                Probe probe = new Probe((int) (TimeUnit.SECONDS.toNanos(seconds + 10) / PROBE_PERIOD));
                probes[s] = probe;
                CompletableFuture<Void> started = new CompletableFuture<>();
                probeFutures.add(BridgeFixture.on(bridge, s, () -> probe.run(started)));
                started.get(10, TimeUnit.SECONDS);
            }

            long start = System.nanoTime();
            drivenFrom[0] = start;
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long[] nextFifo = new long[SHARDS];
            for (int s = 0; s < SHARDS; s++) {
                nextFifo[s] = start + TimeUnit.MILLISECONDS.toNanos(200 + random.nextInt(800));
            }
            while (System.nanoTime() < end && tasks < MAX_TASKS - 2 * SHARDS) {
                long now = System.nanoTime();
                for (int s = 0; s < SHARDS; s++) {
                    if (now < nextFifo[s]) {
                        continue;
                    }
                    int reads = random.nextInt(4) == 0 ? 2 : 1; // now and then two at once: two extra carriers
                    for (int r = 0; r < reads && fifoInFlight.get(s) < FIFO_PER_SHARD; r++) {
                        admitted.acquire();
                        fifoInFlight.incrementAndGet(s);
                        int id = tasks++;
                        kinds[id] = (byte) Kind.FIFO.ordinal();
                        submitted.get(Kind.FIFO).incrementAndGet();
                        fifoReads++;
                        int shard = s;
                        CompletableFuture<Long> f = submitFifoRead(bridge, BridgeFixture.keyFor(bridge, s), id, 150 + random.nextInt(251), runs, writers);
                        f.whenComplete((v, e) -> {
                            try {
                                fifoInFlight.decrementAndGet(shard);
                                check(id, Kind.FIFO, id & 0x7f, false, v, e, completions, succeeded, expectedFailures, timedOut);
                            } finally {
                                admitted.release();
                            }
                        });
                    }
                    nextFifo[s] = now + TimeUnit.MILLISECONDS.toNanos(400 + random.nextInt(1600));
                }

                admitted.acquire();
                int id = tasks++;
                Kind kind = pick(random);
                kinds[id] = (byte) kind.ordinal();
                submitted.get(kind).incrementAndGet();
                Integer key = id;
                int expectedShard = bridge.shardFor(key).index();
                int micros = random.nextInt(20_001);   // a sleep of 0-20 ms (SLEEP, CANCEL)
                int hold = random.nextInt(4) == 0 ? random.nextInt(2_001) : 0; // held across a suspend, now and then
                int permits = 1 + random.nextInt(2);
                int loops = 1_000 + random.nextInt(100_000);
                int timeoutMicros = random.nextInt(10_001);
                long expected = kind == Kind.COMPUTE ? sumOfSquaresPlus(loops, id) : id;
                CompletableFuture<Long> f = bridge.submit(key, () -> {
                    runs.incrementAndGet(id);
                    checkPlacement(id, expectedShard, offCarrier);
                    return body(kind, id, micros, hold, permits, loops, timeoutMicros);
                });
                boolean cancelled = kind == Kind.CANCEL && f.cancel(true);
                f.whenComplete((v, e) -> {
                    try {
                        check(id, kind, expected, cancelled, v, e, completions, succeeded, expectedFailures, timedOut);
                    } finally {
                        admitted.release();
                    }
                });
            }
            long driven = System.nanoTime() - start;

            // Every task's whenComplete gives its permit back: all IN_FLIGHT permits back = all done.
            assertThat(admitted.tryAcquire(IN_FLIGHT, 30, TimeUnit.SECONDS))
                    .as("every future completed (missing: %s)", missing(completions, kinds, tasks)).isTrue();
            for (Probe probe : probes) {
                probe.stop = true;
            }
            for (CompletableFuture<Probe> f : probeFutures) {
                f.get(10, TimeUnit.SECONDS);
            }
            for (Thread writer : writers) {
                Await.join("FIFO writer " + writer.getName() + " ends", writer);
            }

            // A task's slot is freed just after its future completes.
            Await.until("inFlight is 0 after every future completed", () -> bridge.inFlight() == 0);

            // A carrier that lost its loop decrements extraCarriers and then exits (its task's future
            // completes a little earlier, inside its last mount): join every loop thread of this
            // bridge that no longer owns a loop. Their names all start with the shards' names.
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith(bridge.name() + "-shard-") && !isOwner(bridge, t)) {
                    Await.join("carrier " + t.getName() + " that lost its loop exits", t);
                }
            }
            for (int s = 0; s < SHARDS; s++) {
                assertThat(bridge.shard(s).extraCarriers()).as("extra carriers of shard %d", s).isZero();
                ShardStats stats = bridge.shard(s).stats();
                assertThat(stats.loopErrors()).as("loop errors on shard %d", s).isZero();
                assertThat(stats.dropped()).as("dropped continuations on shard %d", s).isZero();
                assertThat(stats.tasksFinished()).as("tasks finished vs started on shard %d", s).isEqualTo(stats.tasksStarted());
            }
            System.out.printf("SoakTest: drove %d tasks in %d ms%n", tasks, TimeUnit.NANOSECONDS.toMillis(driven));
        }
        // Closed: the watchdog has stopped and the event thread has delivered every stall report.
        for (int s = 0; s < SHARDS; s++) {
            handOffs[s] = bridge.shard(s).handOffs();
            stallsCounted[s] = bridge.shard(s).stalls();
        }

        int handedOffReports = 0;
        for (Stall stall : stalls) {
            handedOffReports += stall.handedOff() ? 1 : 0;
        }
        long totalHandOffs = handOffs[0] + handOffs[1];

        // Loop lag, outside the hand-off windows.
        long maxOutside = 0;
        long maxInside = 0;
        int outside = 0;
        int inside = 0;
        List<String> late = new ArrayList<>();
        for (int s = 0; s < SHARDS; s++) {
            Probe probe = probes[s];
            for (int i = 0; i < probe.samples; i++) {
                long lateness = probe.actual[i] - probe.intended[i];
                if (inHandOffWindow(stalls, s, probe.intended[i], probe.actual[i])) {
                    inside++;
                    maxInside = Math.max(maxInside, lateness);
                } else {
                    outside++;
                    maxOutside = Math.max(maxOutside, lateness);
                    if (lateness > 2 * THRESHOLD && late.size() < MAX_MESSAGES) {
                        late.add("shard " + s + ", due " + (probe.intended[i] - drivenFrom[0]) / 1_000_000 + " ms into the run: "
                                + lateness / 1_000_000 + " ms late; nearest hand-off window on that shard "
                                + distanceToWindow(stalls, s, probe.intended[i]) / 1_000_000 + " ms away");
                    }
                }
            }
        }
        System.out.printf("SoakTest summary: seed %d, %d s, tasks %d (%s), FIFO reads %d, hand-offs %d, stalls %d,"
                        + " max lateness outside windows %.1f ms (%d samples; inside %d samples, max %.1f ms),"
                        + " tryLock timeouts %d, bodies begun off their loop %d%n",
                seed, seconds, tasks, submitted, fifoReads, totalHandOffs, stalls.size(),
                maxOutside / 1e6, outside, inside, maxInside / 1e6, timedOut.get(), offCarrier.get());

        assertThat(failures).as("%d failures (first %d shown)", failureCount.get(), MAX_MESSAGES).isEmpty();
        assertThat(exclusionViolations.get()).as("mutual exclusion violations").isZero();
        for (int id = 0; id < tasks; id++) {
            Kind kind = Kind.values()[kinds[id]];
            if (completions.get(id) != 1) {
                note("task " + id + " (" + kind + ") completed " + completions.get(id) + " times");
            }
            int ran = runs.get(id);
            if (ran > 1 || (ran == 0 && kind != Kind.CANCEL)) {
                note("task " + id + " (" + kind + ") ran " + ran + " times");
            }
        }
        assertThat(failures).as("exactly once: %d failures (first %d shown)", failureCount.get(), MAX_MESSAGES).isEmpty();
        assertThat(lockSections).as("lock sections (plain counter under the lock)")
                .isEqualTo(succeeded.get(Kind.LOCK).get() + succeeded.get(Kind.TRY_LOCK).get() - timedOut.get());
        assertThat(writeSections).as("write sections (plain counter under the write lock)").isEqualTo(succeeded.get(Kind.WRITE).get());

        assertThat(late).as("probe samples outside hand-off windows later than 2 x threshold").isEmpty();
        assertThat(outside).as("probe samples outside windows (else the lag check proved little)")
                .isGreaterThan(seconds * 20);

        assertThat(stalls).as("one report per counted stall").hasSize((int) (stallsCounted[0] + stallsCounted[1]));
        assertThat(handedOffReports).as("one hand-off report per counted hand-off").isEqualTo(totalHandOffs);
        assertThat(fifoReads).as("carrier-blocking reads driven").isPositive();
        assertThat(totalHandOffs).as("hand-offs (the FIFO reads must have caused some)").isPositive();
    }

    // ---- the task bodies --------------------------------------------------------------------------

    private long body(Kind kind, int id, int micros, int hold, int permits, int loops, int timeoutMicros) throws Exception {
        switch (kind) {
            case SLEEP, CANCEL -> Bridge.sleep(Duration.ofNanos(micros * 1_000L));
            case LOCK -> {
                lock.lock();
                try {
                    exclusive(hold);
                } finally {
                    lock.unlock();
                }
            }
            case TRY_LOCK -> {
                if (!lock.tryLock(timeoutMicros, TimeUnit.MICROSECONDS)) {
                    return ~id;
                }
                try {
                    exclusive(hold);
                } finally {
                    lock.unlock();
                }
            }
            case READ -> {
                rw.readLock().lock();
                try {
                    readersInside.incrementAndGet();
                    expect(writersInside.get() == 0, "a reader beside a writer");
                    holdFor(hold);
                    expect(writersInside.get() == 0, "a writer entered beside a reader");
                    readersInside.decrementAndGet();
                } finally {
                    rw.readLock().unlock();
                }
            }
            case WRITE -> {
                rw.writeLock().lock();
                try {
                    expect(writersInside.incrementAndGet() == 1, "two writers");
                    expect(readersInside.get() == 0, "a writer beside a reader");
                    writeSections++;
                    holdFor(hold);
                    expect(readersInside.get() == 0 && writersInside.get() == 1, "someone entered beside a writer");
                    writersInside.decrementAndGet();
                } finally {
                    rw.writeLock().unlock();
                }
            }
            case SEMAPHORE -> {
                semaphore.acquire(permits);
                try {
                    expect(permitsInside.addAndGet(permits) <= PERMITS, "more permits in use than exist");
                    holdFor(hold);
                    expect(permitsInside.get() <= PERMITS, "more permits in use than exist");
                    permitsInside.addAndGet(-permits);
                } finally {
                    semaphore.release(permits);
                }
            }
            case COMPUTE -> {
                return Bridge.compute(() -> sumOfSquaresPlus(loops, id));
            }
            case BLOCKING -> {
                return Bridge.blocking(() -> {
                    Thread.sleep(Duration.ofNanos(micros * 250L)); // 0-5 ms on a blocking-pool thread: load
                    return (long) id;
                });
            }
            case THROW -> {
                holdFor(hold);
                throw new ExpectedFailure(id);
            }
            default -> throw new AssertionError(kind);
        }
        return id;
    }

    private void exclusive(int hold) throws InterruptedException {
        expect(lockInside.incrementAndGet() == 1, "two lock holders");
        lockSections++;
        holdFor(hold);
        expect(lockInside.get() == 1, "someone entered beside the lock holder");
        lockInside.decrementAndGet();
    }

    private static void holdFor(int micros) throws InterruptedException {
        if (micros > 0) {
            Bridge.sleep(Duration.ofNanos(micros * 1_000L)); // unmounts while holding: others queue
        }
    }

    private void expect(boolean condition, String what) {
        if (!condition) {
            exclusionViolations.incrementAndGet();
            throw new IllegalStateException("mutual exclusion broken: " + what);
        }
    }

    /** Σ (i² + x) for i in [0, n): a small CPU loop whose result has a closed form. */
    private static long sumOfSquaresPlus(int n, long x) {
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += i * i + x;
        }
        return sum;
    }

    private static void checkPlacement(int id, int expectedShard, AtomicLong offCarrier) {
        Integer shard = Bridge.current().map(Shard::index).orElse(null);
        if (shard == null) {
            offCarrier.incrementAndGet(); // only on a carrier that has just lost its loop
        } else if (shard != expectedShard) {
            throw new IllegalStateException("task " + id + " ran on shard " + shard + ", its key's is " + expectedShard);
        }
    }

    /** A FIFO read that blocks its carrier; a platform writer writes one byte {@code delayMillis} after it began. */
    private CompletableFuture<Long> submitFifoRead(Bridge bridge, Integer key, int id, int delayMillis,
                                                   AtomicIntegerArray runs, List<Thread> writers) throws Exception {
        Path fifo = Fifo.create(dir.resolve("fifo-" + id));
        CompletableFuture<Void> readerStarted = new CompletableFuture<>();
        Thread writer = Thread.ofPlatform().daemon().name("soak-fifo-writer-" + id).start(() -> {
            try {
                readerStarted.get(60, TimeUnit.SECONDS);
                Thread.sleep(delayMillis); // how long the reader blocks its carrier: load, not synchronisation
                Fifo.write(fifo, new byte[] {(byte) (id & 0x7f)}); // once the reader has opened it
                Files.deleteIfExists(fifo);
            } catch (Exception | AssertionError e) {
                note("FIFO writer " + id + " failed: " + e);
            }
        });
        writers.add(writer);
        return bridge.submit(key, () -> {
            runs.incrementAndGet(id);
            readerStarted.complete(null);
            try (FileInputStream in = new FileInputStream(fifo.toFile())) { // open and read block in native code
                return (long) in.read();
            }
        });
    }

    // ---- checks -----------------------------------------------------------------------------------

    private void check(int id, Kind kind, long expected, boolean cancelled, Long value, Throwable failure,
                       AtomicIntegerArray completions, Map<Kind, AtomicLong> succeeded,
                       Map<Kind, AtomicLong> expectedFailures, AtomicLong timedOut) {
        int n = completions.incrementAndGet(id);
        if (n != 1) {
            note("task " + id + " (" + kind + ") completed " + n + " times");
        }
        if (failure == null) {
            if (value == null) {
                note("task " + id + " (" + kind + ") returned null");
            } else if (cancelled) {
                note("task " + id + " (" + kind + "): cancel(true) returned true, yet the future holds " + value);
            } else if (value == expected) {
                succeeded.get(kind).incrementAndGet();
            } else if (kind == Kind.TRY_LOCK && value == ~expected) {
                succeeded.get(kind).incrementAndGet();
                timedOut.incrementAndGet();
            } else {
                note("task " + id + " (" + kind + ") returned " + value + ", expected " + expected);
            }
        } else if (kind == Kind.THROW && failure instanceof ExpectedFailure ef && ef.id == id) {
            expectedFailures.get(kind).incrementAndGet();
        } else if (kind == Kind.CANCEL && cancelled && failure instanceof CancellationException) {
            expectedFailures.get(kind).incrementAndGet();
        } else {
            note("task " + id + " (" + kind + ") failed: " + failure);
        }
    }

    private void note(String failure) {
        if (failureCount.incrementAndGet() <= MAX_MESSAGES) {
            failures.add(failure);
        }
    }

    private static boolean inHandOffWindow(List<Stall> stalls, int shard, long intended, long actual) {
        for (Stall stall : stalls) {
            if (stall.handedOff() && stall.shard() == shard) {
                long from = stall.delivered() - stall.nanos();
                long to = stall.delivered() + THRESHOLD;
                if (intended <= to && actual >= from) {
                    return true;
                }
            }
        }
        return false;
    }

    /** How far {@code time} is from the nearest hand-off window of {@code shard}, in nanoseconds (MAX_VALUE if none). */
    private static long distanceToWindow(List<Stall> stalls, int shard, long time) {
        long best = Long.MAX_VALUE;
        for (Stall stall : stalls) {
            if (stall.handedOff() && stall.shard() == shard) {
                long from = stall.delivered() - stall.nanos();
                long to = stall.delivered() + THRESHOLD;
                best = Math.min(best, time < from ? from - time : time > to ? time - to : 0);
            }
        }
        return best;
    }

    private static String missing(AtomicIntegerArray completions, byte[] kinds, int tasks) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (int id = 0; id < tasks && shown < MAX_MESSAGES; id++) {
            if (completions.get(id) == 0) {
                sb.append(id).append(' ').append(Kind.values()[kinds[id]]).append("; ");
                shown++;
            }
        }
        return sb.toString();
    }

    // ---- set-up helpers ---------------------------------------------------------------------------

    private static Kind pick(Random random) {
        int r = random.nextInt(1000);
        for (Kind kind : Kind.values()) {
            if (r < kind.weight) {
                return kind;
            }
            r -= kind.weight;
        }
        throw new AssertionError("weights do not add up to 1000");
    }

    private static Map<Kind, AtomicLong> counters() {
        Map<Kind, AtomicLong> m = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            m.put(kind, new AtomicLong());
        }
        return m;
    }

    private static boolean isOwner(Bridge bridge, Thread t) {
        for (Shard shard : bridge.shards()) {
            if (shard.loop().thread() == t) {
                return true;
            }
        }
        return false;
    }
}
