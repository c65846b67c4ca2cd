package io.vtbridge;

import io.vtbridge.events.EventDispatcher;
import io.vtbridge.events.EventRing;
import io.vtbridge.events.EventSinks;
import io.vtbridge.events.JfrEventSink;
import io.vtbridge.events.TraceSink;
import io.vtbridge.internal.Checks;
import io.vtbridge.loop.EventSink;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.PoolStats;
import io.vtbridge.monitor.ShardStats;
import io.vtbridge.monitor.StallReport;
import io.vtbridge.pool.WorkPool;
import io.vtbridge.pool.WorkerStarter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs blocking, synchronous code on virtual threads whose scheduler is a set of event loops
 * (shards), and hands the results to asynchronous callers as {@link CompletableFuture}s.
 *
 * <pre>{@code
 * try (Bridge bridge = Bridge.builder().shards(2).maxInFlight(10_000).build()) {
 *     CompletableFuture<Row> row = bridge.submit(() -> legacyDao.load(id));  // any shard
 *     CompletableFuture<Row> same = bridge.submit(id, () -> legacyDao.load(id)); // id's shard, always
 * }
 * }</pre>
 *
 * Each shard is one platform thread running a loop that is the scheduler of its virtual threads.
 * When bridged code blocks in a way the JDK can unmount ({@code ReentrantLock}, {@code BlockingQueue},
 * {@code Thread.sleep}, sockets, {@code CompletableFuture.get}, and the bridge's own
 * {@link #sleep(Duration)} and {@link #await(CompletionStage)}), its virtual thread unmounts and the
 * loop runs other work; the resume comes back to the loop. Code that blocks the carrier itself
 * ({@code java.io} file streams, JNI, and on JDK 21–23 {@code synchronized} and {@code Object.wait},
 * which JDK 24+ no longer pin, JEP 491) holds the whole shard until it returns.
 *
 * <h2>Futures</h2>
 * Every future {@link #submit} returns completes exactly once: with the task's value, its exception,
 * a {@link CancellationException}, or a {@link RejectedExecutionException} ({@link
 * BridgeOverloadedException} when {@code maxInFlight} tasks are already in flight; a plain one after
 * {@link #close()}). {@code future.cancel(true)} interrupts the thread running the task, and only
 * that run. A task's future completes on the bridged thread that ran it, so dependent stages run
 * there; when the bridge shuts down, pending futures are completed by the closing thread.
 *
 * <h2>Threads</h2>
 * A task runs on a bridged virtual thread of its shard. By default that thread is a reused one (a
 * shard's <em>runner</em>, which runs tasks one after another and is reset between them; see
 * {@link BridgeBuilder#reuseThreads}); {@link Priority#HIGH} tasks, and every task with reuse off,
 * get a new one.
 *
 * <h2>Requirements</h2>
 * A JDK 21 or newer, started with {@code --add-opens java.base/java.lang=ALL-UNNAMED} (vtbridge on
 * the class path) or {@code --add-opens java.base/java.lang=io.vtbridge} (vtbridge on the module
 * path); without it {@link BridgeBuilder#build()} throws an {@link IllegalStateException} naming the
 * flag in the form the JVM needs.
 *
 * <p><b>Threading:</b> every method is thread-safe. {@link #close()} and {@link #shutdownNow()} wait
 * for the bridge's threads, so they must not be called from a virtual thread of the same bridge,
 * wherever it runs (on its loop, or off it: the lane thread, the CPU pool); they throw
 * {@link IllegalStateException} there.
 */
public final class Bridge implements Executor, AutoCloseable {

    // This class is the facade: the work is done by Admission (run state, in-flight bound, shard
    // choice), BridgeLifecycle (close and shutdown), BridgedCalls (what bridged code calls) and
    // the Shards; the constructor wires them.

    private static final AtomicInteger BRIDGE_IDS = new AtomicInteger();

    private final String name;
    private final Shard[] shards;
    private final List<Shard> shardList;
    private final Admission admission;
    private final BridgeLifecycle lifecycle;
    private final ThreadFinder threads;
    private final WorkPool cpuPool;                             // Bridge.compute; threads start on first use
    private final WorkPool blockingPool;                        // Bridge.blocking and Mode.SYNC tasks; threads start on first use
    private final EventDispatcher dispatcher;                   // null without a listener
    private final BridgeMBeans mbeans;                          // null when JMX is off
    private final StallWatchdog watchdog;                       // its own platform thread; never a loop's
    private final LaneRescuer laneRescuer;                      // its own platform thread, started on the first lane start
    private final PinnedEventWatcher pinnedWatcher;             // null unless reportPinned

    Bridge(BridgeBuilder b) {
        this.name = b.name != null ? b.name : "vtbridge-" + BRIDGE_IDS.incrementAndGet();
        // The pools' threads start lazily; one that bridged code needs is started by the watchdog's
        // thread, never on a loop's carrier (see WorkerStarter).
        WorkerStarter starter = new WorkerStarter();
        this.laneRescuer = new LaneRescuer(this, starter); // before the shards: a lane start tells it its deadline
        this.cpuPool = new WorkPool(name + "-cpu", b.cpuThreads, b.cpuQueueCapacity, b.daemon, starter);
        this.blockingPool = new WorkPool(name + "-blocking", b.blockingThreads, b.blockingQueueCapacity, b.daemon, starter);
        this.shards = new Shard[b.shards];
        List<EventRing> rings = new ArrayList<>();
        for (int i = 0; i < shards.length; i++) {
            EventRing ring = b.listener != null ? new EventRing(b.eventBuffer) : null;
            if (ring != null) {
                rings.add(ring);
            }
            EventSink sink = EventSinks.of(ring, b.trace != null ? new TraceSink(b.trace) : null,
                    b.jfrEvents ? JfrEventSink.INSTANCE : null);
            shards[i] = new Shard(this, i, name + "-shard-" + i, b, ring, sink);
        }
        this.shardList = List.of(shards);
        ShardLoop[] loops = new ShardLoop[shards.length];
        for (int i = 0; i < shards.length; i++) {
            loops[i] = shards[i].loop();
        }
        ShardLoop.connectRunners(loops); // the spill's peers, when balance is on
        ShardLoop.shareSpinLimit(loops); // at most half of the loops in an adaptive idle spin at once
        this.admission = new Admission(name, shards, b.maxInFlight, blockingPool);
        for (ShardLoop loop : loops) {
            loop.slotReleaser(admission.tasks()::releaseAll);
        }
        this.lifecycle = new BridgeLifecycle(this, admission, b.closeTimeout, b.stopGrace);
        this.threads = new ThreadFinder(admission.tasks());
        this.dispatcher = b.listener != null ? new EventDispatcher(name + "-events", rings, b.listener, b.daemon) : null;
        // Before the loops: the watchdog runs the starts of the pools' workers and of the lane's rescuer.
        this.watchdog = new StallWatchdog(this, Checks.saturatedNanos(b.stallThreshold), b.blockingPolicy,
                Checks.saturatedNanos(b.effectiveHandOffAfter()), starter, true);
        watchdog.start();
        for (Shard shard : shards) {
            shard.loop().start();
        }
        if (dispatcher != null) {
            dispatcher.start();
        }
        this.mbeans = b.jmx ? BridgeMBeans.register(this) : null;
        this.pinnedWatcher = b.reportPinned ? PinnedEventWatcher.start(this, b.pinnedThreshold) : null;
    }

    /** A builder with the defaults documented on each setter. */
    public static BridgeBuilder builder() {
        return new BridgeBuilder();
    }

    // ---- submission -----------------------------------------------------------------------------

    /**
     * Runs {@code task} in a bridged virtual thread. From a bridged thread of this bridge it goes to
     * that thread's own shard (with {@link BridgeBuilder#reuseThreads} on, the default; an idle shard
     * takes a share of a busy one's queued tasks, {@link BridgeBuilder#balance}); from any other thread,
     * to a lightly loaded shard: the less loaded of two picked at random, where load counts the tasks
     * placed on a shard and not finished yet, whether they have started or still wait for their loop.
     *
     * @return a future completed exactly once; already failed with {@link BridgeOverloadedException}
     *         when {@code maxInFlight} tasks are in flight, or with {@link RejectedExecutionException}
     *         after {@link #close()}
     * @throws NullPointerException if {@code task} is null
     */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return submitTo(admission.pickShard(), task, false, true);
    }

    /**
     * Runs {@code task} as {@link #submit(Callable)} does, at {@code priority}: {@link Priority#LOW}
     * is {@link #submit(Callable)}; {@link Priority#HIGH} takes the shard's <em>latency lane</em>,
     * whose starts the loop serves ahead of the new work already queued and between the mounts of
     * everything else, so the task starts within about one share of a turn however long the backlog
     * (the {@code /ping} of a server that must answer while it is saturated). Meant for short work:
     * a latency-lane task that runs long holds its shard as any other would. Counted against
     * {@code maxInFlight} like any task.
     *
     * @throws NullPointerException if {@code priority} or {@code task} is null
     */
    public <T> CompletableFuture<T> submit(Priority priority, Callable<T> task) {
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(task, "task");
        return submitTo(admission.pickShard(), task, priority == Priority.HIGH, true);
    }

    /**
     * Runs {@code task} on the shard that owns {@code key}: the same key always lands on the same
     * shard of this bridge ({@code key.hashCode()}, spread, modulo the shard count), so work on the
     * same data is serialised on one loop and shares its loop-owned state.
     *
     * @throws NullPointerException if {@code key} or {@code task} is null
     * @see #submit(Callable)
     */
    public <T> CompletableFuture<T> submit(Object key, Callable<T> task) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(task, "task");
        return submitTo(admission.shardFor(key), task, false, false);
    }

    /**
     * Runs {@code task} on the shard that owns {@code key} ({@link #submit(Object, Callable)}) at
     * {@code priority} ({@link #submit(Priority, Callable)}).
     *
     * @throws NullPointerException if {@code key}, {@code priority} or {@code task} is null
     */
    public <T> CompletableFuture<T> submit(Object key, Priority priority, Callable<T> task) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(task, "task");
        return submitTo(admission.shardFor(key), task, priority == Priority.HIGH, false);
    }

    /**
     * Runs {@code task} in the given mode: {@link Mode#ASYNC} is {@link #submit(Callable)};
     * {@link Mode#SYNC} runs the whole task on a platform thread of the blocking pool, for code that
     * would block a shard's carrier (java.io, JNI, a library that pins). The future contract is the
     * same: completed exactly once; {@code cancel(true)} interrupts the thread running it; counted
     * against {@code maxInFlight}; already failed with {@link BridgeOverloadedException} when
     * {@code maxInFlight} tasks are in flight or the blocking pool's queue is full, and with
     * {@link RejectedExecutionException} after {@link #close()}.
     *
     * @throws NullPointerException if {@code mode} or {@code task} is null
     */
    public <T> CompletableFuture<T> submit(Mode mode, Callable<T> task) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(task, "task");
        return submitTo(mode == Mode.ASYNC ? admission.pickShard() : null, task, false, true);
    }

    /**
     * Runs {@code command} in a bridged virtual thread, as {@link #submit(Callable)} does. An
     * exception it throws goes to the thread's uncaught-exception handler.
     *
     * @throws BridgeOverloadedException  if {@code maxInFlight} tasks are in flight
     * @throws RejectedExecutionException if the bridge is closed
     * @throws NullPointerException       if {@code command} is null
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        BridgeTask<Object> task = BridgeTask.ofExecuted(this, admission.pickShard(), command);
        RejectedExecutionException rejected = admission.admit(task);
        if (rejected != null) {
            throw rejected;
        }
    }

    /** The shard {@link #submit(Object, Callable)} uses for {@code key}. */
    public Shard shardFor(Object key) {
        return admission.shardFor(key);
    }

    /**
     * A task on {@code shard}, or on the blocking pool for a null shard ({@link Mode#SYNC});
     * {@code urgent}: the latency lane; {@code movable}: no key, so it may run on another shard.
     */
    private <T> CompletableFuture<T> submitTo(Shard shard, Callable<T> callable, boolean urgent, boolean movable) {
        BridgeTask<T> task = BridgeTask.of(this, shard, callable, urgent, movable);
        RejectedExecutionException rejected = admission.admit(task);
        if (rejected != null) {
            task.completeExceptionally(rejected);
        }
        return task;
    }

    // ---- shards and figures ---------------------------------------------------------------------

    /** The shards, in index order (an unmodifiable list). */
    public List<Shard> shards() {
        return shardList;
    }

    /**
     * The shard at {@code index}.
     *
     * @throws IndexOutOfBoundsException naming the index and the shard count
     */
    public Shard shard(int index) {
        Objects.checkIndex(index, shards.length);
        return shards[index];
    }

    /** A snapshot of every shard's counters, in index order. */
    public List<ShardStats> stats() {
        List<ShardStats> stats = new ArrayList<>(shards.length);
        for (Shard shard : shards) {
            stats.add(shard.stats());
        }
        return stats;
    }

    /**
     * Tasks admitted whose in-flight slot is not free yet: a snapshot. A task's slot is freed after
     * its future completes; for a task that ended on its loop, with the other slots of that loop's
     * turn, at the end of the turn. So a caller that has just seen the last future complete may read
     * a few here for a moment ({@link #close()} waits for them).
     */
    public int inFlight() {
        return admission.tasks().used();
    }

    /** The in-flight bound this bridge was built with. */
    public int maxInFlight() {
        return admission.tasks().capacity();
    }

    /** This bridge's name (the prefix of its loop threads' names). */
    public String name() {
        return name;
    }

    /** The CPU pool's figures: threads, queued HIGH and LOW tasks, running, completed, rejected. */
    public PoolStats cpuPoolStats() {
        return cpuPool.stats();
    }

    /** The blocking pool's figures (it also runs {@link Mode#SYNC} tasks). */
    public PoolStats blockingPoolStats() {
        return blockingPool.stats();
    }

    /** Throwables the listener threw (each one was swallowed and the next event delivered). */
    public long listenerErrors() {
        return dispatcher == null ? 0 : dispatcher.listenerErrors();
    }

    // ---- calls made inside bridged code ---------------------------------------------------------

    /**
     * The shard running the current thread, or empty outside bridged code.
     */
    public static Optional<Shard> current() {
        ShardLoop loop = ShardLoop.current();
        return loop == null ? Optional.empty() : Optional.of((Shard) loop.owner());
    }

    /**
     * Sleeps for {@code duration}. In bridged code this is a timer on the current shard's loop: the
     * virtual thread unmounts, and the loop itself resumes it, with no JDK timer thread involved.
     * Anywhere else it is {@link Thread#sleep(Duration)}. A zero or negative duration returns at once.
     *
     * <p>A pinned virtual thread (inside a class initialiser or a native frame; inside
     * {@code synchronized} or {@code Object.wait} on JDK 21–23) cannot unmount, so it cannot wait on
     * a timer of the loop that carries it: {@code Bridge.sleep} detects that (with a
     * {@code Thread.yield()} probe) and blocks the carrier for the duration, as {@code Thread.sleep}
     * would. The shard is held meanwhile, as by any blocking call of a pinned thread.
     *
     * @throws InterruptedException if the thread is interrupted before or while sleeping
     * @throws NullPointerException if {@code duration} is null
     */
    public static void sleep(Duration duration) throws InterruptedException {
        BridgedCalls.sleep(duration);
    }

    /**
     * Waits for {@code stage} and returns its value. In bridged code the virtual thread unmounts
     * until the stage completes, on whatever thread; anywhere else the calling thread blocks.
     *
     * <p>A stage that failed with an unchecked exception or an error rethrows that same throwable; a
     * cancelled stage throws its {@link CancellationException}; a checked failure arrives wrapped in a
     * {@link CompletionException} (as {@link CompletableFuture#join()} does).
     *
     * @throws InterruptedException if the thread is interrupted while waiting (the stage is left alone)
     * @throws NullPointerException if {@code stage} is null
     */
    public static <T> T await(CompletionStage<T> stage) throws InterruptedException {
        return BridgedCalls.await(stage);
    }

    /**
     * Runs CPU-heavy {@code task} on the bridge's bounded CPU pool at {@link Priority#HIGH}, while
     * the calling bridged virtual thread waits unmounted (its shard serves others), and returns its
     * result. Never run CPU-heavy work on the threads that serve I/O (the rule of InfluxDB IOx's
     * CPU-pool guideline).
     *
     * @see #compute(Priority, Callable)
     */
    public static <T> T compute(Callable<T> task) throws Exception {
        return BridgedCalls.offload(Priority.HIGH, task, EventKind.CPU);
    }

    /**
     * Runs CPU-heavy {@code task} on the bridge's bounded CPU pool (a fixed number of platform
     * threads, by default one per processor but one, at least one) and returns its result, or throws
     * what it threw. A {@link Priority#LOW} task starts only when no HIGH one is queued. In bridged
     * code the virtual thread waits unmounted: REQUEST, SUSPEND, RESUME of kind CPU. If it is
     * interrupted while waiting, the task is cancelled (removed if queued, interrupted if running)
     * and {@link InterruptedException} is thrown. Outside bridged code the task simply runs on the
     * calling thread.
     *
     * @throws BridgeOverloadedException if the CPU pool's queue is full (at once: nothing was queued)
     * @throws RejectedExecutionException if the bridge is shutting down
     * @throws NullPointerException if {@code priority} or {@code task} is null
     */
    public static <T> T compute(Priority priority, Callable<T> task) throws Exception {
        return BridgedCalls.offload(priority, task, EventKind.CPU);
    }

    /**
     * Runs {@code task}, which blocks its carrier thread (java.io, JNI, a legacy call known to pin),
     * on the bridge's bounded blocking pool and returns its result, or throws what it threw. In
     * bridged code the virtual thread waits unmounted, so the shard keeps running: REQUEST, SUSPEND,
     * RESUME of kind BLOCKING. Interrupts, overload and code outside the bridge as for
     * {@link #compute(Priority, Callable)}.
     *
     * @throws BridgeOverloadedException if the blocking pool's queue is full
     */
    public static <T> T blocking(Callable<T> task) throws Exception {
        return BridgedCalls.offload(Priority.HIGH, task, EventKind.BLOCKING);
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    /**
     * Stops accepting tasks, lets admitted ones finish for up to {@code closeTimeout}, then completes
     * whatever is still pending (tasks that never started with a {@link RejectedExecutionException},
     * running ones by {@code cancel(true)}), waits up to {@code stopGrace} for their threads, and stops
     * the loops. When it returns, every future this bridge returned is complete and the loop threads
     * have exited. Idempotent. If the calling thread is interrupted while waiting, it stops waiting,
     * completes the pending futures as above, and keeps its interrupt status.
     *
     * @throws IllegalStateException if called from a virtual thread of this bridge
     */
    @Override
    public void close() {
        lifecycle.close();
    }

    /**
     * Stops accepting tasks, completes every pending future at once (tasks that never started with a
     * {@link RejectedExecutionException}, running ones by {@code cancel(true)}, which interrupts their
     * virtual threads), waits up to {@code stopGrace} for those threads to end, and stops the loops.
     * Virtual threads that ignore the interrupt are abandoned: they never run again. Idempotent.
     *
     * @throws IllegalStateException if called from a virtual thread of this bridge
     */
    public void shutdownNow() {
        lifecycle.shutdownNow();
    }

    /** Whether {@link #close()} or {@link #shutdownNow()} has been called. */
    public boolean isClosed() {
        return !admission.isOpen();
    }

    /** Whether the loops have stopped. */
    public boolean isTerminated() {
        return admission.isTerminated();
    }

    /**
     * A stage that completes (with {@code null}) once {@link #close()} or {@link #shutdownNow()}
     * has stopped the bridge: {@link #isTerminated()} is then true, and a task still running was
     * abandoned (see {@link BridgeBuilder#stopGrace}). Actions that depend on it run on the closing
     * thread, before its {@code close()} or {@code shutdownNow()} returns (or at once, on the caller,
     * if the bridge has terminated already); they must not block. The stage cannot be completed from
     * outside.
     */
    public CompletionStage<Void> terminationFuture() {
        return lifecycle.terminationFuture();
    }

    @Override
    public String toString() {
        return "Bridge[" + name + ", shards=" + shards.length + ", inFlight=" + inFlight() + "/" + maxInFlight()
                + ", state=" + switch (admission.state()) {
                    case Admission.OPEN -> "open";
                    case Admission.CLOSING -> "closing";
                    case Admission.STOPPING -> "stopping";
                    default -> "terminated";
                } + "]";
    }

    // ---- for the package: the parts the lifecycle, the tasks and the watchers reach -------------

    Admission admission() {
        return admission;
    }

    ThreadFinder threads() {
        return threads;
    }

    WorkPool cpuPool() {
        return cpuPool;
    }

    WorkPool blockingPool() {
        return blockingPool;
    }

    EventDispatcher dispatcher() {
        return dispatcher;
    }

    BridgeMBeans mbeans() {
        return mbeans;
    }

    StallWatchdog watchdog() {
        return watchdog;
    }

    LaneRescuer laneRescuer() {
        return laneRescuer;
    }

    PinnedEventWatcher pinnedWatcher() {
        return pinnedWatcher;
    }

    /** A stall report for the listener, on the event thread (so listener calls stay sequential). */
    void deliverStall(StallReport report) {
        if (dispatcher != null) {
            dispatcher.offerStall(report);
        }
    }
}
