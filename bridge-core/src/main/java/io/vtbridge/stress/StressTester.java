package io.vtbridge.stress;

import io.vtbridge.internal.JdkAccess;

import java.time.Duration;
import java.util.Objects;

/**
 * Runs a concurrency test under many seeded, replayable schedules, with virtual time.
 *
 * <p>One platform thread (the caller) carries every virtual thread of the scenario, one at a time.
 * At each scheduling point (a thread's start, every resume, every yield, every request of a
 * {@code BridgeLock}, {@code BridgeReadWriteLock}, {@code BridgeSemaphore} or their conditions, every
 * release and signal, every {@code Bridge.sleep} and every timer) the {@link Strategy} picks the next
 * thread, from a seed. So a schedule is a function of its seed, and {@link #replay} runs the same one
 * again. Timed waits of those primitives and {@code Bridge.sleep} wait on a virtual clock that jumps to
 * the next deadline when no thread can run: a scenario with 10-second time-outs takes milliseconds.
 * A schedule with threads left waiting, nothing runnable and no timer pending is a
 * {@linkplain Schedule.Outcome#DEADLOCK deadlock}, reported with what each thread waits for and who
 * holds it; one that runs past {@link Builder#maxSteps} steps is a possible
 * {@linkplain Schedule.Outcome#LIVELOCK livelock}.
 *
 * <pre>{@code
 * StressResult result = StressTester.builder().strategy(Strategy.pct(3)).schedules(1000).build()
 *         .run(ctx -> {
 *             Account account = new Account(100);
 *             Thread a = ctx.fork("a", () -> account.withdraw(60));
 *             Thread b = ctx.fork("b", () -> account.withdraw(60));
 *             a.join();
 *             b.join();
 *             assert account.balance() >= 0;
 *         });
 * result.assertPassed();   // on failure: the seed, the strategy and the schedule, step by step
 * }</pre>
 *
 * <p><b>What is explored, and what is not.</b> Only the interleavings at scheduling points. Two plain
 * memory accesses with no scheduling point between them are never separated (that is what jcstress
 * and bytecode-instrumenting tools such as Fray are for). The JDK's own {@code ReentrantLock},
 * {@code Condition} and queues are scheduling points only where they block (they park); their timed
 * waits, {@code Thread.sleep} and {@code LockSupport.parkNanos} run on the JDK's real-time timer,
 * whose wake-up comes from outside the scheduler and makes the schedule
 * {@linkplain Schedule#deterministic() not deterministic}. Code typed against {@code Lock},
 * {@code ReadWriteLock} and {@code Condition} takes the bridge's primitives unchanged. Work handed to
 * other threads (a pool, {@code CompletableFuture.supplyAsync}, a real bridge's shards) runs outside
 * the schedule.
 *
 * <p>The run needs the same JVM flag as a bridge ({@code --add-opens java.base/java.lang=ALL-UNNAMED}
 * on the class path).
 *
 * <p><b>Threading:</b> a tester is immutable and may be shared; {@link #run} and {@link #replay} must
 * be called from a platform thread (it becomes the carrier for the duration), and run one at a time
 * per calling thread.
 */
public final class StressTester {

    private final Strategy strategy;
    private final int schedules;
    private final long seed;
    private final int maxSteps;
    private final Duration externalWait;
    private final Duration deadlockGrace;
    private final Duration stuckMountReport;
    private final java.util.function.Consumer<String> stuckMountSink;

    private StressTester(Builder b) {
        this.strategy = b.strategy;
        this.schedules = b.schedules;
        this.seed = b.seed;
        this.maxSteps = b.maxSteps;
        this.externalWait = b.externalWait;
        this.deadlockGrace = b.deadlockGrace;
        this.stuckMountReport = b.stuckMountReport;
        this.stuckMountSink = b.stuckMountSink;
    }

    /**
     * A builder with the defaults: random strategy, 1,000 schedules, seed 0, 100,000 steps, 10 s
     * external wait, 100 ms deadlock grace, a stuck mount reported to {@code System.err} after 10 s.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code scenario} under up to {@link Builder#schedules} schedules, stopping at the first that
     * does not pass.
     *
     * @throws IllegalStateException if called from a virtual thread, or if the JVM lacks the flag
     * @throws NullPointerException  if {@code scenario} is null
     */
    public StressResult run(StressScenario scenario) {
        Objects.requireNonNull(scenario, "scenario");
        StressCarrier carrier = open();
        long start = System.nanoTime();
        int stepsSeen = 0;
        int nondeterministic = 0;
        try {
            for (int i = 0; i < schedules; i++) {
                // PCT spreads its change points over the longest schedule seen so far (at least 16 steps).
                ScheduleId id = new ScheduleId(strategy, Math.max(16, stepsSeen), ScheduleId.seedOf(seed, i));
                Schedule s = carrier.run(id, scenario);
                stepsSeen = Math.max(stepsSeen, s.stepCount());
                if (!s.deterministic()) {
                    nondeterministic++;
                }
                if (!s.passed()) {
                    return new StressResult(strategy, i + 1, Duration.ofNanos(System.nanoTime() - start), s, nondeterministic);
                }
            }
            return new StressResult(strategy, schedules, Duration.ofNanos(System.nanoTime() - start), null, nondeterministic);
        } finally {
            carrier.close();
        }
    }

    /**
     * Runs {@code scenario} once, under the schedule {@code scheduleId} names (from
     * {@link Schedule#id()} or a report). Same seed, same strategy parameters: the same schedule, for
     * code whose nondeterminism goes through the scheduler. This tester's strategy, schedule count and
     * seed do not apply; its step bound, external wait and deadlock grace do.
     *
     * @throws IllegalArgumentException if {@code scheduleId} is not a schedule id, naming it
     * @throws IllegalStateException    if called from a virtual thread, or if the JVM lacks the flag
     */
    public Schedule replay(String scheduleId, StressScenario scenario) {
        ScheduleId id = ScheduleId.parse(scheduleId);
        Objects.requireNonNull(scenario, "scenario");
        StressCarrier carrier = open();
        try {
            return carrier.run(id, scenario);
        } finally {
            carrier.close();
        }
    }

    private StressCarrier open() {
        Thread caller = Thread.currentThread();
        if (caller.isVirtual()) {
            throw new IllegalStateException("a stress run must be started from a platform thread (it carries the"
                    + " run's virtual threads), not from " + caller);
        }
        JdkAccess.checkAvailable();
        StressCarrier carrier = new StressCarrier(caller, maxSteps, externalWait.toNanos(), deadlockGrace.toNanos(),
                stuckMountReport.toNanos(), stuckMountSink);
        carrier.open();
        return carrier;
    }

    /** The strategy. */
    public Strategy strategy() {
        return strategy;
    }

    /** How many schedules {@link #run} tries at most. */
    public int schedules() {
        return schedules;
    }

    /** The base seed. */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "StressTester[" + strategy + ", " + schedules + " schedules, seed " + seed + ", maxSteps " + maxSteps + "]";
    }

    /**
     * Settings of a {@link StressTester}.
     *
     * <p><b>Threading:</b> not thread-safe; build on one thread.
     */
    public static final class Builder {
        private Strategy strategy = Strategy.random();
        private int schedules = 1000;
        private long seed;
        private int maxSteps = 100_000;
        private Duration externalWait = Duration.ofSeconds(10);
        private Duration deadlockGrace = Duration.ofMillis(100);
        private Duration stuckMountReport = Duration.ofSeconds(10);
        private java.util.function.Consumer<String> stuckMountSink = System.err::print;

        private Builder() {
        }

        /** The strategy (default {@link Strategy#random()}). */
        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * How many schedules to try at most (default 1,000; 1 to 10,000,000).
         *
         * @throws IllegalArgumentException if out of range, naming the value
         */
        public Builder schedules(int schedules) {
            if (schedules < 1 || schedules > 10_000_000) {
                throw new IllegalArgumentException("schedules must be 1 to 10,000,000: " + schedules);
            }
            this.schedules = schedules;
            return this;
        }

        /** The base seed (default 0): schedule i uses a seed mixed from it and i. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The most steps (mounts) one schedule may take before it is reported as a possible livelock
         * (default 100,000; 10 to 100,000,000).
         *
         * @throws IllegalArgumentException if out of range, naming the value
         */
        public Builder maxSteps(int maxSteps) {
            if (maxSteps < 10 || maxSteps > 100_000_000) {
                throw new IllegalArgumentException("maxSteps must be 10 to 100,000,000: " + maxSteps);
            }
            this.maxSteps = maxSteps;
            return this;
        }

        /**
         * How long, in real time, a schedule with nothing runnable waits for a wake-up from outside the
         * scheduler while one of its threads is in a JDK timed wait ({@code Thread.sleep}) before it
         * is reported as a deadlock (default 10 s; 0 to 1 hour).
         *
         * @throws IllegalArgumentException if out of range, naming the value
         */
        public Builder externalWait(Duration externalWait) {
            Objects.requireNonNull(externalWait, "externalWait");
            if (externalWait.isNegative() || externalWait.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("externalWait must be 0 to 1 hour: " + externalWait);
            }
            this.externalWait = externalWait;
            return this;
        }

        /**
         * How long, in real time, a schedule with nothing runnable, no timer pending and no thread in
         * a JDK-woken wait waits for a wake-up from a thread outside the run (a future completed
         * elsewhere) before it is reported as a deadlock (default 100 ms; 0 to 1 minute). Each
         * deadlock found costs this much wall time.
         *
         * @throws IllegalArgumentException if out of range, naming the value
         */
        public Builder deadlockGrace(Duration deadlockGrace) {
            Objects.requireNonNull(deadlockGrace, "deadlockGrace");
            if (deadlockGrace.isNegative() || deadlockGrace.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("deadlockGrace must be 0 to 1 minute: " + deadlockGrace);
            }
            this.deadlockGrace = deadlockGrace;
            return this;
        }

        /**
         * After how long one mount that has not returned is reported (default 10 s; 0: never; at most
         * 1 hour), and where the report goes (default {@code System.err}). The run has one carrier, so
         * such a mount stops the run: a loop without a scheduling point, or a wait that blocks the
         * carrier (a thread pinned in {@code synchronized} on JDK 21-23, in a class initialiser, in a
         * native frame). The report names the thread and gives its stack, taken while it holds the
         * carrier. A run with the report on has one watcher thread, joined when the run ends.
         *
         * @throws IllegalArgumentException if {@code after} is out of range, naming it
         */
        public Builder stuckMountReport(Duration after, java.util.function.Consumer<String> sink) {
            Objects.requireNonNull(after, "after");
            Objects.requireNonNull(sink, "sink");
            if (after.isNegative() || after.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("stuckMountReport must be 0 to 1 hour: " + after);
            }
            this.stuckMountReport = after;
            this.stuckMountSink = sink;
            return this;
        }

        /** The tester. */
        public StressTester build() {
            return new StressTester(this);
        }
    }
}
