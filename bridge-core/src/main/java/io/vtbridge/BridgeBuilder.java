package io.vtbridge;

import io.vtbridge.internal.Checks;
import io.vtbridge.internal.JdkAccess;
import io.vtbridge.loop.LoopSettings;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.monitor.BridgeListener;
import io.vtbridge.monitor.ShardStats;
import io.vtbridge.monitor.StallReport;
import io.vtbridge.task.TaskTable;
import io.vtbridge.trace.TraceRing;

import java.time.Duration;
import java.util.Objects;

/**
 * Configures and starts a {@link Bridge}. Each setter checks its argument at once and names it in
 * the exception. Not thread-safe; a builder may build several bridges.
 */
public final class BridgeBuilder {

    /** The largest shard count accepted. */
    public static final int MAX_SHARDS = 1024;

    /** The largest in-flight bound accepted ({@link #maxInFlight}). */
    public static final int MAX_IN_FLIGHT = TaskTable.MAX_CAPACITY;

    /** The most threads a pool accepts ({@link #cpuThreads}, {@link #blockingThreads}). */
    public static final int MAX_POOL_THREADS = 4096;

    /** The most carriers per shard that may have lost the loop at once ({@link #maxExtraCarriers}). */
    public static final int MAX_EXTRA_CARRIERS = 64;

    /** The largest per-shard event buffer accepted ({@link #eventBuffer}). */
    public static final int MAX_EVENT_BUFFER = 1 << 26;

    /** The shortest turn slice accepted ({@link #turnSlice}). */
    public static final Duration MIN_TURN_SLICE = Duration.ofNanos(10_000);

    /** The longest turn slice accepted ({@link #turnSlice}). */
    public static final Duration MAX_TURN_SLICE = Duration.ofSeconds(1);

    /** The shortest wait before a latency-lane start's rescue accepted ({@link #laneRescueAfter}). */
    public static final Duration MIN_LANE_RESCUE = Duration.ofNanos(10_000);

    /** The longest wait before a latency-lane start's rescue accepted ({@link #laneRescueAfter}). */
    public static final Duration MAX_LANE_RESCUE = Duration.ofSeconds(1);

    /** The default coop budget ({@link #coopBudget}). */
    public static final int DEFAULT_COOP_BUDGET = ShardLoop.DEFAULT_COOP_BUDGET;

    int shards = Runtime.getRuntime().availableProcessors();
    int maxInFlight = 10_000;
    Duration closeTimeout = Duration.ofSeconds(30);
    Duration stopGrace = Duration.ofSeconds(1);
    int loopBatch = 128;
    int idleSpins = 64;
    Duration turnSlice = Duration.ofNanos(LoopSettings.DEFAULT_SLICE_NANOS);
    Duration laneRescueAfter = Duration.ofNanos(LoopSettings.DEFAULT_LANE_RESCUE_NANOS);
    boolean schedulingDelays;
    boolean moveHogs;
    boolean reuseThreads = true;
    boolean balance = true;
    boolean daemon = true;
    String name;
    BridgeListener listener;
    int eventBuffer = 8192;
    int coopBudget = ShardLoop.DEFAULT_COOP_BUDGET;
    boolean jmx = true;
    Duration stallThreshold = Duration.ofMillis(100);
    BlockingPolicy blockingPolicy = BlockingPolicy.REPORT;
    int maxExtraCarriers = 4;
    Duration handOffAfter;    // null: half the stall threshold
    boolean reportPinned;
    boolean jfrEvents = true;
    TraceRing trace;
    Duration pinnedThreshold = Duration.ofMillis(20);
    int cpuThreads = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    int cpuQueueCapacity = 10_000;
    int blockingThreads = 64;
    int blockingQueueCapacity = 10_000;

    BridgeBuilder() {
    }

    /** Number of shards (loop threads), 1..{@value #MAX_SHARDS}. Default: available processors. */
    public BridgeBuilder shards(int shards) {
        this.shards = Checks.inRange("shards", shards, 1, MAX_SHARDS);
        return this;
    }

    /**
     * Most tasks admitted and not finished, over all shards, 1..{@value #MAX_IN_FLIGHT}.
     * Submissions beyond it are rejected at once with {@link BridgeOverloadedException}. The
     * bridge preallocates a table of this many slots. Default: 10,000.
     *
     * <p>A task counts until its slot is freed, a moment after its future completes: a task that
     * ended on its shard's loop frees its slot with the others of that loop's turn (fewer than 64 per
     * loop at once). A caller that submits a full bound again the moment the last future of the
     * previous one completed may be refused; it waits for {@link Bridge#inFlight()} to drop first,
     * or leaves that much room.
     */
    public BridgeBuilder maxInFlight(int maxInFlight) {
        this.maxInFlight = Checks.inRange("maxInFlight", maxInFlight, 1, MAX_IN_FLIGHT);
        return this;
    }

    /** How long {@link Bridge#close()} lets admitted tasks run before cancelling them; positive. Default: 30 s. */
    public BridgeBuilder closeTimeout(Duration closeTimeout) {
        this.closeTimeout = Checks.positive("closeTimeout", closeTimeout);
        return this;
    }

    /**
     * How long shutdown waits for cancelled tasks' threads to end before stopping the loops; zero
     * or positive. Default: 1 s.
     *
     * <p>A cancelled task's thread needs its shard's loop to end: the interrupt makes it runnable,
     * and the loop runs it. When the grace runs out the loops stop, and every thread that has not
     * ended by then is abandoned: it never runs again, and its in-flight slot stays taken. That is
     * the thread that ignores the interrupt, but with a grace of zero (or one too short for the
     * loops to get to them) it can also be one that would have ended at the interrupt. Its future
     * is complete already (cancelled); whatever waits for the thread itself to end waits for ever.
     * {@link Bridge#terminationFuture()} tells when the bridge has given up on such threads.
     */
    public BridgeBuilder stopGrace(Duration stopGrace) {
        this.stopGrace = Checks.notNegative("stopGrace", stopGrace);
        return this;
    }

    /**
     * New thread starts (submitted tasks) each loop takes from its inbound queue per iteration;
     * positive. Default: 128. The work a shard already runs gets 8 times as many per iteration from
     * each of its sources (due loop timers, expired timed parks, other threads' resumes, same-shard
     * resumes), so due wake-ups run ahead of new work (see docs/RUNTIME.md).
     */
    public BridgeBuilder loopBatch(int loopBatch) {
        this.loopBatch = Checks.positive("loopBatch", loopBatch);
        return this;
    }

    /**
     * The time slice of a loop turn, 10 µs..1 s. Each source of work (the latency lane, the resumes
     * of the shard's threads, new starts) gets a share of it per turn, so a turn lasts about this
     * long plus the mounts that crossed their share's end, however long the mounts are; shorter
     * slices serve the latency lane and new work sooner, longer ones spend less time switching
     * between sources. Default: 500 µs. See docs/DESIGN.md, "Shards and the loop turn".
     */
    public BridgeBuilder turnSlice(Duration turnSlice) {
        this.turnSlice = within("turnSlice", turnSlice, MIN_TURN_SLICE, MAX_TURN_SLICE);
        return this;
    }

    /**
     * How long a latency-lane start ({@code submit(Priority.HIGH, ...)} from another thread) may wait
     * for its loop before it is rescued: run off the loop instead, on the bridge's lane thread
     * ({@code NAME-lane}, started with the first lane start) or, when several are due at once or
     * that thread is busy with another for over a millisecond, on the CPU pool; 10 µs..1 s. The loop
     * serves the lane first and between mounts, so the start waits this long only when one mount
     * holds the loop (or a parked loop is that slow to wake, on an oversubscribed machine).
     * Shorter: the lane starts sooner behind long mounts, and more of its starts run off the
     * loop; longer: fewer rescues. Default: 150 µs. See docs/DESIGN.md, "No starved
     * submission".
     */
    public BridgeBuilder laneRescueAfter(Duration laneRescueAfter) {
        this.laneRescueAfter = within("laneRescueAfter", laneRescueAfter, MIN_LANE_RESCUE, MAX_LANE_RESCUE);
        return this;
    }

    /** {@code value} if it is in {@code min..max}; else an exception naming {@code name} and the value. */
    private static Duration within(String name, Duration value, Duration min, Duration max) {
        Checks.positive(name, value);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    /**
     * Whether each shard measures every continuation's scheduling delay (from becoming runnable to
     * being mounted), per cause, in {@link ShardStats#schedulingDelays()} and the shard MXBean. It
     * costs a clock reading by every thread that resumes a thread of another shard or submits a task
     * (about 25 ns); same-shard resumes use the loop's own readings and cost nothing measurable. The
     * slower submitter can make loops run dry and park more often: a burst of trivial submissions
     * measured 1.2 to 1.5 times slower with it on (docs/BENCHMARKS.md). Off by default, as Tokio's task
     * poll-time histograms are; turn it on to see where work waits.
     */
    public BridgeBuilder schedulingDelays(boolean schedulingDelays) {
        this.schedulingDelays = schedulingDelays;
        return this;
    }

    /**
     * Whether submitted tasks run on reused bridged threads (on by default). Each shard then keeps a
     * few <em>runners</em>: virtual threads that run tasks one after another, so that a task costs no
     * thread start and end of its own, and a burst of short tasks runs inside one mount of the loop.
     * A runner that blocks inside a task keeps it; another runner takes the next task.
     *
     * <p>What a task may observe on a reused thread: {@code Thread.currentThread()} and its id are the
     * same as those of earlier tasks of the same shard; everything else is as on a fresh thread: the
     * thread locals (plain and inheritable) are empty, the interrupt status is clear, the name is empty,
     * there is no uncaught-exception handler of its own, and the context class loader is the runner's
     * first one. Unlike a fresh thread, a runner does not copy the submitting thread's
     * {@link InheritableThreadLocal} values, and what a task leaves tied to its thread stays with it,
     * as on a pool worker: a lock it returns without unlocking is held by the thread that runs the
     * next tasks, and an {@code interrupt()} of a {@code Thread} object kept from an earlier task
     * reaches whatever task that thread runs now (cancel a task through its future instead). Latency-lane tasks ({@link Priority#HIGH}) always get a
     * thread of their own, and so does every task with {@code false} here (or on a JDK whose
     * {@code Thread} fields vtbridge cannot reset).
     *
     * <p>The cost: the loop itself starts a new runner whenever every runner holds a blocked task, so
     * a burst of thousands of tasks that all block at once runs slower than with reuse off, where the
     * submitting thread starts each task's thread (up to about twice the wall time, measured).
     *
     * <p>With runners on, a task submitted without a key from a bridged thread of this bridge goes to
     * that thread's own shard (locality first; see {@link #balance}); from any other thread, to the
     * less loaded of two shards picked at random.
     */
    public BridgeBuilder reuseThreads(boolean reuseThreads) {
        this.reuseThreads = reuseThreads;
        return this;
    }

    /**
     * Whether a shard with nothing to do takes work from a busy one (on by default; with
     * {@link #reuseThreads} on and more than one shard). Two ways:
     * <ul>
     *   <li><b>queued tasks</b>: a loop whose turn found no work says so; a loop with tasks without a
     *       key queued moves up to 64 of them, never more than half, to one such shard, and wakes it;</li>
     *   <li><b>runnable threads</b>: a task without a key that has started, blocked and been resumed
     *       waits in a ready queue of its shard that an idle shard also takes from, one thread per
     *       turn, so the task may continue on another shard after any block ({@link Bridge#current()}
     *       tells which). Its thread then ends after the task.</li>
     * </ul>
     * Tasks submitted with a key ({@link Bridge#submit(Object, java.util.concurrent.Callable)}),
     * latency-lane tasks and threads of {@link Shard#newThread} never move. Turn it off to keep every
     * task on the shard it was placed on.
     */
    public BridgeBuilder balance(boolean balance) {
        this.balance = balance;
        return this;
    }

    /**
     * Whether a bridged thread that holds its shard longer than the turn slice in one run and then
     * yields (CPU work with a pause, not a block) has its next runs moved to the CPU pool, behind
     * {@link Bridge#compute} work, until it blocks again; then it resumes on its shard. While on the
     * pool the thread is not in bridged code ({@link Bridge#current()} is empty there). Each move is
     * a REQUEST of kind {@code HOG}; moves and returns are counted in {@link ShardStats}. It times
     * every mount (a clock reading each), so it is off by default.
     */
    public BridgeBuilder moveHogs(boolean moveHogs) {
        this.moveHogs = moveHogs;
        return this;
    }

    /**
     * Empty loop iterations spun before an idle loop parks; zero or positive. Default: 64. After
     * them, a loop whose last sleep was short (under 100 µs: work came back soon after it ran dry, as
     * for a caller that submits, waits for the result and submits again) spins on for up to 50 µs
     * before it parks, so that such a caller finds it awake and costs no wake-up; a loop whose work
     * comes less often parks at once and spends nothing on it. A loop that parks until a timer (a
     * sleep, a timeout) asks to wake a little early, by how late its timed parks have been ending (the
     * kernel ends them late: Linux's timer slack is 50 µs), at most 100 µs, and spins the rest, so
     * that sleeps end when due. A loop whose last four parks in a row were not short (work comes
     * every millisecond or so) skips the empty iterations and parks as soon as it runs dry, but for
     * one time in eight, until a sleep is short or a spin finds work again. Zero turns all of it off:
     * the loop parks as soon as it runs dry, and for the whole delay to its next timer.
     */
    public BridgeBuilder idleSpins(int idleSpins) {
        this.idleSpins = Checks.notNegative("idleSpins", idleSpins);
        return this;
    }

    /** Whether loop threads are daemon threads (they do not keep the JVM alive). Default: true. */
    public BridgeBuilder daemon(boolean daemon) {
        this.daemon = daemon;
        return this;
    }

    /** The bridge's name, the prefix of its loop threads' names. Default: {@code vtbridge-N}. */
    public BridgeBuilder name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
        }
        this.name = name;
        return this;
    }

    /**
     * How long one mount may hold its loop before the watchdog reports a hog (a carrier-blocking
     * call: java.io, JNI, a pinned park, long CPU work in bridged code), and how long one loop turn of
     * many shorter mounts may run before it reports lag; positive. Default: 100 ms. See
     * {@link StallReport.Kind}.
     */
    public BridgeBuilder stallThreshold(Duration stallThreshold) {
        this.stallThreshold = Checks.positive("stallThreshold", stallThreshold);
        return this;
    }

    /**
     * With {@link BlockingPolicy#HAND_OFF}: how long one mount may hold its loop's carrier before the
     * loop moves to a fresh carrier; positive, at most the {@link #stallThreshold stall threshold}.
     * The watchdog looks every quarter of this (at least 1 ms apart), so the loop moves between this
     * and 1.25 times it, if the machine runs the watchdog on time: with the default, half the stall
     * threshold, a hog that can be handed off holds its loop for less than the threshold. The move is reported as a hog with
     * {@code handedOff} set. Default: half the stall threshold.
     *
     * @throws IllegalArgumentException if not positive; {@link #build()} throws if the policy is not
     *                                  HAND_OFF or this exceeds the stall threshold
     */
    public BridgeBuilder handOffAfter(Duration handOffAfter) {
        this.handOffAfter = Checks.positive("handOffAfter", handOffAfter);
        return this;
    }

    /** The hand-off delay in effect: {@link #handOffAfter} if set, else half the stall threshold. */
    Duration effectiveHandOffAfter() {
        return handOffAfter != null ? handOffAfter : Duration.ofNanos(Math.max(1, Checks.saturatedNanos(stallThreshold) / 2));
    }

    /** What to do about a stall: {@link BlockingPolicy#REPORT} (default) or {@link BlockingPolicy#HAND_OFF}. */
    public BridgeBuilder blockingPolicy(BlockingPolicy blockingPolicy) {
        this.blockingPolicy = Objects.requireNonNull(blockingPolicy, "blockingPolicy");
        return this;
    }

    /**
     * With {@link BlockingPolicy#HAND_OFF}: per shard, the most carriers that lost the loop and are
     * still stuck in their blocking call at once; beyond it a stall is only reported.
     * 1..{@value #MAX_EXTRA_CARRIERS}.
     * Default: 4.
     */
    public BridgeBuilder maxExtraCarriers(int maxExtraCarriers) {
        this.maxExtraCarriers = Checks.inRange("maxExtraCarriers", maxExtraCarriers, 1, MAX_EXTRA_CARRIERS);
        return this;
    }

    /**
     * Records every event (REQUEST, SUSPEND, RESUME by kind; shard, virtual thread id, nanoTime)
     * in {@code ring} as a compact record, from the loops, without a lock convoy (a ring in the style of HAProxy's ring v2). A
     * memory-mapped ring keeps the last events of a process that crashed; read it with
     * {@code TraceReader} or {@code TraceDump}. The bridge does not close the ring. Default: none.
     */
    public BridgeBuilder trace(TraceRing ring) {
        this.trace = Objects.requireNonNull(ring, "ring");
        return this;
    }

    /**
     * Whether the loops also offer every event to JFR as an {@code io.vtbridge.Event}
     * ({@code BridgeJfrEvent}, disabled in JFR by default: enable it in a recording to see the
     * events in JDK Mission Control). While it is not enabled, each event costs one flag check.
     * Default: true.
     */
    public BridgeBuilder jfrEvents(boolean jfrEvents) {
        this.jfrEvents = jfrEvents;
        return this;
    }

    /**
     * Whether to also report the JVM's {@code jdk.VirtualThreadPinned} events (a virtual thread of
     * this bridge that parked while pinned for at least {@code threshold}) as
     * {@link StallReport.Kind#PINNED} stalls, through JFR event streaming. Off by default: a JFR
     * recording starts a few JVM threads and a disk repository. Ignored (with a warning) on a
     * JVM without JFR.
     */
    public BridgeBuilder reportPinned(boolean reportPinned, Duration threshold) {
        this.pinnedThreshold = Checks.notNegative("threshold", threshold);
        this.reportPinned = reportPinned;
        return this;
    }

    /**
     * Platform threads of the CPU pool ({@link Bridge#compute}), 1..{@value #MAX_POOL_THREADS};
     * started on first use. Default: available processors − 1, at least 1 (leave a core
     * for the loops: the rule of InfluxDB IOx's CPU-pool guideline).
     */
    public BridgeBuilder cpuThreads(int cpuThreads) {
        this.cpuThreads = Checks.inRange("cpuThreads", cpuThreads, 1, MAX_POOL_THREADS);
        return this;
    }

    /** Tasks the CPU pool queues before it rejects with {@link BridgeOverloadedException}; positive. Default: 10,000. */
    public BridgeBuilder cpuQueueCapacity(int cpuQueueCapacity) {
        this.cpuQueueCapacity = Checks.positive("cpuQueueCapacity", cpuQueueCapacity);
        return this;
    }

    /**
     * Platform threads of the blocking pool ({@link Bridge#blocking}, {@link Mode#SYNC} tasks),
     * 1..{@value #MAX_POOL_THREADS}; started on first use. Default: 64.
     */
    public BridgeBuilder blockingThreads(int blockingThreads) {
        this.blockingThreads = Checks.inRange("blockingThreads", blockingThreads, 1, MAX_POOL_THREADS);
        return this;
    }

    /** Tasks the blocking pool queues before it rejects with {@link BridgeOverloadedException}; positive. Default: 10,000. */
    public BridgeBuilder blockingQueueCapacity(int blockingQueueCapacity) {
        this.blockingQueueCapacity = Checks.positive("blockingQueueCapacity", blockingQueueCapacity);
        return this;
    }

    /**
     * Receives every event (REQUEST, SUSPEND, RESUME by kind) on the bridge's event thread; see
     * {@link BridgeListener} for delivery. Default: none (no buffer, no thread; the per-shard
     * counters in {@link ShardStats} are kept either way).
     */
    public BridgeBuilder listener(BridgeListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Events each shard buffers for the listener, a power of two in 2..{@value #MAX_EVENT_BUFFER}; beyond it new events
     * are dropped and counted ({@link Shard#eventsLost()}). Default: 8192.
     */
    public BridgeBuilder eventBuffer(int eventBuffer) {
        this.eventBuffer = Checks.powerOfTwo("eventBuffer", eventBuffer, 2, MAX_EVENT_BUFFER);
        return this;
    }

    /**
     * The coop budget: vtbridge requests a virtual thread may serve on their fast path (an
     * uncontended lock, a semaphore with permits) in one run on its shard before it yields (a
     * YIELD event), so that one hot task cannot starve the others on its shard; positive.
     * Default: {@value #DEFAULT_COOP_BUDGET}.
     */
    public BridgeBuilder coopBudget(int coopBudget) {
        this.coopBudget = Checks.positive("coopBudget", coopBudget);
        return this;
    }

    /**
     * Whether to register the bridge's MXBeans in the platform MBean server while the bridge runs
     * (visible in JConsole): one per shard, {@code io.vtbridge:type=Shard,bridge="<name>",shard=<i>},
     * and one per pool, {@code io.vtbridge:type=Pool,bridge="<name>",pool=cpu} and
     * {@code pool=blocking}. The bridge's name is quoted ({@code ObjectName.quote}). Default: true.
     */
    public BridgeBuilder jmx(boolean jmx) {
        this.jmx = jmx;
        return this;
    }

    /**
     * Starts the shards. Unless the JVM was started with {@code -Djdk.virtualThreadScheduler.timerQueues},
     * the first build sets that JDK property to the shard count (or the processor count, if
     * larger) rounded up to a power of two, so that {@code Thread.sleep} in bridged code does
     * not make the loops contend for one JDK timer-queue lock; see {@code docs/RUNTIME.md}.
     *
     * @throws IllegalStateException if the JVM does not open {@code java.lang} to vtbridge, naming the
     *         {@code --add-opens} flag in the form this JVM needs (class path or module path)
     */
    public Bridge build() {
        if (handOffAfter != null && blockingPolicy != BlockingPolicy.HAND_OFF) {
            throw new IllegalArgumentException("handOffAfter (" + handOffAfter + ") applies to BlockingPolicy.HAND_OFF only;"
                    + " the policy is " + blockingPolicy);
        }
        if (handOffAfter != null && handOffAfter.compareTo(stallThreshold) > 0) {
            throw new IllegalArgumentException("handOffAfter (" + handOffAfter + ") must not exceed the stall threshold ("
                    + stallThreshold + ")");
        }
        JdkAccess.checkAvailable();
        // Before any bridged thread can sleep: one JDK timer queue per loop (see the method).
        JdkAccess.spreadTimerQueues(Math.max(shards, Runtime.getRuntime().availableProcessors()));
        // Before any bridged thread can wait on a socket: the JDK's pollers must not become ours.
        JdkAccess.startSocketPollers();
        return new Bridge(this);
    }
}
