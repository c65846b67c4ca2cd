package io.vtbridge;

import io.vtbridge.events.EventDispatcher;
import io.vtbridge.events.EventRing;
import io.vtbridge.events.EventSinks;
import io.vtbridge.events.JfrEventSink;
import io.vtbridge.events.TraceSink;
import io.vtbridge.trace.TraceRing;
import io.vtbridge.loop.EventSink;
import io.vtbridge.internal.JdkAccess;
import io.vtbridge.pool.PoolStats;
import io.vtbridge.pool.WorkPool;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.task.TaskTable;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

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
 * {@link #close()}). {@code future.cancel(true)} interrupts the task's virtual thread. A task's
 * future completes on the task's own virtual thread, so dependent stages run there; when the bridge
 * shuts down, pending futures are completed by the closing thread.
 *
 * <h2>Requirements</h2>
 * A JDK 21 or newer, started with {@value JdkAccess#OPENS_FLAG}; without it {@link Builder#build()}
 * throws an {@link IllegalStateException} naming the flag.
 *
 * <p><b>Threading:</b> every method is thread-safe. {@link #close()} and {@link #shutdownNow()} wait
 * for the bridge's threads, so they must not be called from a virtual thread of the same bridge
 * (they throw {@link IllegalStateException} there).
 */
public final class Bridge implements Executor, AutoCloseable {

    private static final int OPEN = 0;       // accepting tasks
    private static final int CLOSING = 1;    // close(): no new tasks; running ones may finish
    private static final int STOPPING = 2;   // pending futures completed; loops about to stop
    private static final int TERMINATED = 3; // loops stopped

    private static final VarHandle STATE;
    private static final AtomicInteger BRIDGE_IDS = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(Bridge.class.getName());

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Bridge.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Shard[] shards;
    private final List<Shard> shardList;
    private final TaskTable<BridgeTask<?>> tasks;
    private final Duration closeTimeout;
    private final Duration stopGrace;
    private final ReentrantLock lifecycle = new ReentrantLock(); // held by closing threads only; never by a loop
    private final EventDispatcher dispatcher;                   // null without a listener
    private final PinnedEventWatcher pinnedWatcher;             // null unless reportPinned
    private final WorkPool cpuPool;                             // Bridge.compute; threads start on first use
    private final WorkPool blockingPool;                        // Bridge.blocking and Mode.SYNC tasks; threads start on first use
    private final BridgeMBeans mbeans;                          // null when JMX is off
    private final StallWatchdog watchdog;                       // its own platform thread; never a loop's

    private volatile int state; // OPEN -> CLOSING -> STOPPING -> TERMINATED, forward only (CAS in advanceState)

    private Bridge(Builder b) {
        this.name = b.name != null ? b.name : "vtbridge-" + BRIDGE_IDS.incrementAndGet();
        this.tasks = new TaskTable<>(b.maxInFlight);
        this.closeTimeout = b.closeTimeout;
        this.stopGrace = b.stopGrace;
        this.cpuPool = new WorkPool(name + "-cpu", b.cpuThreads, b.cpuQueueCapacity, b.daemon);
        this.blockingPool = new WorkPool(name + "-blocking", b.blockingThreads, b.blockingQueueCapacity, b.daemon);
        this.shards = new Shard[b.shards];
        List<EventRing> rings = new ArrayList<>();
        for (int i = 0; i < shards.length; i++) {
            EventRing ring = b.listener != null ? new EventRing(b.eventBuffer) : null;
            if (ring != null) {
                rings.add(ring);
            }
            EventSink sink = EventSinks.of(ring, b.trace != null ? new TraceSink(b.trace) : null,
                    b.jfrEvents ? JfrEventSink.INSTANCE : null);
            shards[i] = new Shard(this, i, name + "-shard-" + i, b.daemon, b.loopBatch, b.idleSpins, ring, sink, b.jfrEvents, b.coopBudget);
            if (b.blockingPolicy == BlockingPolicy.HAND_OFF) {
                shards[i].loop().enableHandOff(b.maxExtraCarriers);
            }
        }
        this.shardList = List.of(shards);
        this.dispatcher = b.listener != null ? new EventDispatcher(name + "-events", rings, b.listener, b.daemon) : null;
        for (Shard shard : shards) {
            shard.loop().start();
        }
        if (dispatcher != null) {
            dispatcher.start();
        }
        this.mbeans = b.jmx ? BridgeMBeans.register(this) : null;
        this.watchdog = new StallWatchdog(this, nanos(b.stallThreshold), b.blockingPolicy, true);
        watchdog.start();
        this.pinnedWatcher = b.reportPinned ? PinnedEventWatcher.start(this, b.pinnedThreshold) : null;
    }

    /** The live thread of {@code shard} that vtbridge started with this id, or null. For JFR events. */
    Thread threadWithId(Shard shard, long id) {
        return findThread(shard, t -> t.threadId() == id);
    }

    /** The virtual thread of {@code shard} mounted on {@code carrier} now, if vtbridge started it; else null. */
    Thread threadMountedOn(Shard shard, Thread carrier) {
        return findThread(shard, t -> JdkAccess.carrierOf(t) == carrier);
    }

    /** The first live thread of {@code shard} that vtbridge started (task runners, then newThread threads) matching {@code test}. */
    private Thread findThread(Shard shard, java.util.function.Predicate<Thread> test) {
        Thread[] found = new Thread[1];
        tasks.forEach(task -> {
            Thread runner = task.runner();
            if (found[0] == null && runner != null && task.shard() == shard && test.test(runner)) {
                found[0] = runner;
            }
        });
        if (found[0] == null) {
            for (Thread t : shard.handMadeThreads()) {
                if (test.test(t)) {
                    return t;
                }
            }
        }
        return found[0];
    }

    /** A stall report for the listener, on the event thread (so listener calls stay sequential). */
    void deliverStall(StallReport report) {
        if (dispatcher != null) {
            dispatcher.offerStall(report);
        }
    }

    /** A builder with the defaults documented on each setter. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- submission -----------------------------------------------------------------------------

    /**
     * Runs {@code task} in a new bridged virtual thread on a lightly loaded shard: the less loaded
     * of two picked at random, where load counts the tasks a shard has started and not finished. A
     * burst of submissions that no loop has started yet sees equal loads, so it spreads at random.
     *
     * @return a future completed exactly once; already failed with {@link BridgeOverloadedException}
     *         when {@code maxInFlight} tasks are in flight, or with {@link RejectedExecutionException}
     *         after {@link #close()}
     * @throws NullPointerException if {@code task} is null
     */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return submitTo(pickShard(), task);
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
        return submitTo(shardFor(key), task);
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
        if (mode == Mode.ASYNC) {
            return submitTo(pickShard(), task);
        }
        BridgeTask<T> sync = new BridgeTask<>(this, null, task, false);
        RejectedExecutionException rejected = admit(sync);
        if (rejected != null) {
            sync.completeExceptionally(rejected);
        }
        return sync;
    }

    /**
     * Runs {@code command} in a new bridged virtual thread. An exception it throws goes to the
     * thread's uncaught-exception handler.
     *
     * @throws BridgeOverloadedException  if {@code maxInFlight} tasks are in flight
     * @throws RejectedExecutionException if the bridge is closed
     * @throws NullPointerException       if {@code command} is null
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        BridgeTask<Object> task = new BridgeTask<>(this, pickShard(), Executors.callable(command), true);
        RejectedExecutionException rejected = admit(task);
        if (rejected != null) {
            throw rejected;
        }
    }

    /** The shard {@link #submit(Object, Callable)} uses for {@code key}. */
    public Shard shardFor(Object key) {
        Objects.requireNonNull(key, "key");
        int h = key.hashCode();
        return shards[Math.floorMod(h ^ (h >>> 16), shards.length)];
    }

    private <T> CompletableFuture<T> submitTo(Shard shard, Callable<T> callable) {
        BridgeTask<T> task = new BridgeTask<>(this, shard, callable, false);
        RejectedExecutionException rejected = admit(task);
        if (rejected != null) {
            task.completeExceptionally(rejected);
        }
        return task;
    }

    /** Admits and starts {@code task}, or returns why not. */
    private RejectedExecutionException admit(BridgeTask<?> task) {
        if (state != OPEN) {
            return closedRejection();
        }
        int slot = tasks.acquire(task); // volatile store of the task, then the state load below
        if (slot < 0) {
            return new BridgeOverloadedException(name, tasks.capacity());
        }
        task.slot = slot;
        if (state != OPEN) {
            // A closer flipped the state meanwhile and may or may not have seen our slot: the task
            // never starts. Whoever claims it (we, or the closer's abort) frees the slot, once.
            backOut(task);
            return closedRejection();
        }
        try {
            if (task.shard() == null) {
                // Mode.SYNC at LOW: Bridge.blocking calls of running bridged tasks go first.
                blockingPool.execute(Priority.LOW, task::runSync);
            } else {
                task.shard().startTask(task);
            }
        } catch (BridgeOverloadedException queueFull) {
            backOut(task);
            return queueFull;
        } catch (RejectedExecutionException loopStopped) {
            // The loop (or the blocking pool) stopped between our state check and the start (a
            // shutdown that ran its whole course meanwhile): the start failed, the task never ran.
            backOut(task);
            return closedRejection();
        }
        return null;
    }

    private void backOut(BridgeTask<?> task) {
        if (task.claimUnstarted()) {
            tasks.release(task.slot);
        }
    }

    private RejectedExecutionException closedRejection() {
        return new RejectedExecutionException("bridge " + name + " is closed");
    }

    private Shard pickShard() {
        int n = shards.length;
        if (n == 1) {
            return shards[0];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        return shards[a].load() <= shards[b].load() ? shards[a] : shards[b];
    }

    void release(BridgeTask<?> task) {
        tasks.release(task.slot);
    }

    void checkAccepting() {
        if (state != OPEN) {
            throw closedRejection();
        }
    }

    boolean isStopping() {
        return state >= STOPPING;
    }

    // ---- shards ---------------------------------------------------------------------------------

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

    /** Tasks admitted and not yet finished. */
    public int inFlight() {
        return tasks.used();
    }

    /** The in-flight bound this bridge was built with. */
    public int maxInFlight() {
        return tasks.capacity();
    }

    /** This bridge's name (the prefix of its loop threads' names). */
    public String name() {
        return name;
    }

    // ---- bridged-code helpers -------------------------------------------------------------------

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
        Objects.requireNonNull(duration, "duration");
        ShardLoop loop = ShardLoop.current();
        if (loop == null) {
            Thread.sleep(duration);
            return;
        }
        loop.sleep(nanos(duration));
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
        Objects.requireNonNull(stage, "stage");
        CompletableFuture<T> future = toFuture(stage);
        ShardLoop loop = ShardLoop.current();
        if (loop != null) {
            loop.coopCheck();
            loop.events().request(EventKind.AWAIT);
        }
        if (!future.isDone()) {
            // In bridged code CompletableFuture.get() parks the virtual thread, which unmounts:
            // the loop runs others, and the completion, on whatever thread, resumes it. An
            // interrupted get() removes its waiter node, so nothing is left on a long-lived stage.
            long token = loop != null ? loop.beginWait(EventKind.AWAIT) : 0L;
            try {
                future.get();
            } catch (ExecutionException | CancellationException reportedBelow) {
                // the outcome is reported by outcome(future)
            } finally {
                if (loop != null) {
                    loop.endWait(EventKind.AWAIT, token);
                }
            }
        } else if (loop != null) {
            loop.events().fastPath();
        }
        return outcome(future);
    }

    /**
     * Runs CPU-heavy {@code task} on the bridge's bounded CPU pool at {@link Priority#HIGH}, while
     * the calling bridged virtual thread waits unmounted (its shard serves others), and returns its
     * result. Seed 001: never run CPU-heavy work on the I/O threads.
     *
     * @see #compute(Priority, Callable)
     */
    public static <T> T compute(Callable<T> task) throws Exception {
        return Offload.call(Priority.HIGH, task, EventKind.CPU);
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
        return Offload.call(priority, task, EventKind.CPU);
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
        return Offload.call(Priority.HIGH, task, EventKind.BLOCKING);
    }

    private static <T> CompletableFuture<T> toFuture(CompletionStage<T> stage) {
        if (stage instanceof CompletableFuture<T> future) {
            return future;
        }
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException notSupported) {
            CompletableFuture<T> future = new CompletableFuture<>();
            stage.whenComplete((value, failure) -> {
                if (failure != null) {
                    future.completeExceptionally(failure);
                } else {
                    future.complete(value);
                }
            });
            return future;
        }
    }

    private static <T> T outcome(CompletableFuture<T> done) {
        try {
            return done.join();
        } catch (CompletionException wrapped) {
            Throwable cause = wrapped.getCause();
            if (cause instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw wrapped;
        }
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
        checkNotOwnThread("close()");
        boolean interrupted = false;
        lifecycle.lock();
        try {
            if (state == TERMINATED) {
                return;
            }
            advanceState(CLOSING);
            boolean drained;
            try {
                // Stops waiting early if a shutdownNow() moves the state on meanwhile.
                drained = tasks.awaitEmpty(nanos(closeTimeout), TimeUnit.NANOSECONDS, this::isStopping);
            } catch (InterruptedException e) {
                interrupted = true;
                drained = false;
            }
            if (!drained) {
                interrupted |= abortPending("bridge " + name + " closed before the task started");
            }
            terminate();
        } finally {
            lifecycle.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
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
        checkNotOwnThread("shutdownNow()");
        // Complete the futures before taking the lock, so that a close() waiting for the drain sees
        // the interrupted tasks end instead of waiting out its timeout.
        boolean interrupted = abortPending("bridge " + name + " shut down before the task started");
        lifecycle.lock();
        try {
            if (state != TERMINATED) {
                terminate();
            }
        } finally {
            lifecycle.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether {@link #close()} or {@link #shutdownNow()} has been called. */
    public boolean isClosed() {
        return state != OPEN;
    }

    /** Whether the loops have stopped. */
    public boolean isTerminated() {
        return state == TERMINATED;
    }

    /** Moves to STOPPING, completes every pending future, waits stopGrace; returns whether interrupted. */
    private boolean abortPending(String notStartedReason) {
        advanceState(STOPPING); // volatile: a submitter that missed it has its slot seen by the scan below
        tasks.wakeWaiters();    // a close() waiting for the drain stops waiting
        tasks.forEach(task -> task.abort(notStartedReason));
        try {
            tasks.awaitEmpty(nanos(stopGrace), TimeUnit.NANOSECONDS);
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    private void terminate() {
        advanceState(STOPPING);
        watchdog.stop(); // first: no hand-off of a loop that is stopping
        if (pinnedWatcher != null) {
            pinnedWatcher.close();
        }
        for (Shard shard : shards) {
            shard.loop().stop();
        }
        long start = System.nanoTime();
        long patience = Math.min(nanos(stopGrace), Long.MAX_VALUE / 4) + TimeUnit.SECONDS.toNanos(5);
        for (Shard shard : shards) {
            boolean exited;
            try {
                exited = shard.loop().awaitTermination(Math.max(0, patience - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exited = shard.loop().isTerminated();
            }
            if (!exited) {
                // The closing thread may log; a loop thread never does.
                LOG.log(System.Logger.Level.WARNING, "vtbridge: loop thread {0} did not stop; it is held by a"
                        + " carrier-blocking call of a bridged thread", shard.threadName());
            }
        }
        for (Shard shard : shards) {
            shard.stopTimerPool();
        }
        stopPool(cpuPool);
        stopPool(blockingPool);
        if (dispatcher != null) {
            try {
                dispatcher.stop(5, TimeUnit.SECONDS); // after the loops: it delivers their last events
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (mbeans != null) {
            mbeans.unregister();
        }
        advanceState(TERMINATED);
    }

    /** Stops a pool: queued work is rejected, running work interrupted; waits for its threads. */
    private void stopPool(WorkPool pool) {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(nanos(stopGrace) + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "vtbridge: pool {0} has threads that ignored the interrupt", pool.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    WorkPool cpuPool() {
        return cpuPool;
    }

    WorkPool blockingPool() {
        return blockingPool;
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

    /** {@code d} in nanoseconds, saturated: a Duration too long for a long means "practically forever". */
    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private void advanceState(int target) {
        while (true) {
            int current = state;
            if (current >= target || STATE.compareAndSet(this, current, target)) {
                return;
            }
        }
    }

    private void checkNotOwnThread(String method) {
        ShardLoop loop = ShardLoop.current();
        if (loop != null && ((Shard) loop.owner()).bridge() == this) {
            throw new IllegalStateException(method + " called from a virtual thread of bridge " + name
                    + " (" + loop.owner() + "): it would wait for itself; call it from outside the bridge");
        }
    }

    @Override
    public String toString() {
        return "Bridge[" + name + ", shards=" + shards.length + ", inFlight=" + tasks.used() + "/" + tasks.capacity()
                + ", state=" + switch (state) {
                    case OPEN -> "open";
                    case CLOSING -> "closing";
                    case STOPPING -> "stopping";
                    default -> "terminated";
                } + "]";
    }

    // ---- builder --------------------------------------------------------------------------------

    /**
     * Configures and starts a {@link Bridge}. Each setter checks its argument at once and names it in
     * the exception. Not thread-safe; a builder may build several bridges.
     */
    public static final class Builder {

        /** The largest shard count accepted. */
        public static final int MAX_SHARDS = 1024;

        private int shards = Runtime.getRuntime().availableProcessors();
        private int maxInFlight = 10_000;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Duration stopGrace = Duration.ofSeconds(1);
        private int loopBatch = 128;
        private int idleSpins = 64;
        private boolean daemon = true;
        private String name;
        private BridgeListener listener;
        private int eventBuffer = 8192;
        private int coopBudget = ShardLoop.DEFAULT_COOP_BUDGET;
        private boolean jmx = true;
        private Duration stallThreshold = Duration.ofMillis(100);
        private BlockingPolicy blockingPolicy = BlockingPolicy.REPORT;
        private int maxExtraCarriers = 4;
        private boolean reportPinned;
        private boolean jfrEvents = true;
        private TraceRing trace;
        private Duration pinnedThreshold = Duration.ofMillis(20);
        private int cpuThreads = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        private int cpuQueueCapacity = 10_000;
        private int blockingThreads = 64;
        private int blockingQueueCapacity = 10_000;

        private Builder() {
        }

        /** Number of shards (loop threads), 1..{@value #MAX_SHARDS}. Default: available processors. */
        public Builder shards(int shards) {
            if (shards <= 0 || shards > MAX_SHARDS) {
                throw new IllegalArgumentException("shards must be in 1.." + MAX_SHARDS + ", was " + shards);
            }
            this.shards = shards;
            return this;
        }

        /**
         * Most tasks admitted and not finished, over all shards, 1..{@value TaskTable#MAX_CAPACITY}.
         * Submissions beyond it are rejected at once with {@link BridgeOverloadedException}. The
         * bridge preallocates a table of this many slots. Default: 10,000.
         */
        public Builder maxInFlight(int maxInFlight) {
            if (maxInFlight <= 0 || maxInFlight > TaskTable.MAX_CAPACITY) {
                throw new IllegalArgumentException(
                        "maxInFlight must be in 1.." + TaskTable.MAX_CAPACITY + ", was " + maxInFlight);
            }
            this.maxInFlight = maxInFlight;
            return this;
        }

        /** How long {@link Bridge#close()} lets admitted tasks run before cancelling them; positive. Default: 30 s. */
        public Builder closeTimeout(Duration closeTimeout) {
            Objects.requireNonNull(closeTimeout, "closeTimeout");
            if (closeTimeout.isNegative() || closeTimeout.isZero()) {
                throw new IllegalArgumentException("closeTimeout must be positive, was " + closeTimeout);
            }
            this.closeTimeout = closeTimeout;
            return this;
        }

        /**
         * How long shutdown waits for cancelled tasks' threads to end before stopping the loops; zero
         * or positive. Default: 1 s.
         */
        public Builder stopGrace(Duration stopGrace) {
            Objects.requireNonNull(stopGrace, "stopGrace");
            if (stopGrace.isNegative()) {
                throw new IllegalArgumentException("stopGrace must not be negative, was " + stopGrace);
            }
            this.stopGrace = stopGrace;
            return this;
        }

        /**
         * Continuations each loop takes from its inbound queue (new tasks, resumes from other threads)
         * per iteration; positive. Default: 128. Its own timers and same-shard resumes get 8 times as
         * many per iteration, so due wake-ups run ahead of new work (see docs/RUNTIME.md).
         */
        public Builder loopBatch(int loopBatch) {
            if (loopBatch <= 0) {
                throw new IllegalArgumentException("loopBatch must be positive, was " + loopBatch);
            }
            this.loopBatch = loopBatch;
            return this;
        }

        /** Empty loop iterations spun before an idle loop parks; zero or positive. Default: 64. */
        public Builder idleSpins(int idleSpins) {
            if (idleSpins < 0) {
                throw new IllegalArgumentException("idleSpins must not be negative, was " + idleSpins);
            }
            this.idleSpins = idleSpins;
            return this;
        }

        /** Whether loop threads are daemon threads (they do not keep the JVM alive). Default: true. */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /** The bridge's name, the prefix of its loop threads' names. Default: {@code vtbridge-N}. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * How long one loop iteration may run before the watchdog reports a stall (a carrier-blocking
         * call: java.io, JNI, a pinned park, long CPU work in bridged code); positive. Default: 100 ms.
         */
        public Builder stallThreshold(Duration stallThreshold) {
            Objects.requireNonNull(stallThreshold, "stallThreshold");
            if (stallThreshold.isNegative() || stallThreshold.isZero()) {
                throw new IllegalArgumentException("stallThreshold must be positive, was " + stallThreshold);
            }
            this.stallThreshold = stallThreshold;
            return this;
        }

        /** What to do about a stall: {@link BlockingPolicy#REPORT} (default) or {@link BlockingPolicy#HAND_OFF}. */
        public Builder blockingPolicy(BlockingPolicy blockingPolicy) {
            this.blockingPolicy = Objects.requireNonNull(blockingPolicy, "blockingPolicy");
            return this;
        }

        /**
         * With {@link BlockingPolicy#HAND_OFF}: per shard, the most carriers that lost the loop and are
         * still stuck in their blocking call at once; beyond it a stall is only reported. 1..64.
         * Default: 4.
         */
        public Builder maxExtraCarriers(int maxExtraCarriers) {
            if (maxExtraCarriers <= 0 || maxExtraCarriers > 64) {
                throw new IllegalArgumentException("maxExtraCarriers must be in 1..64, was " + maxExtraCarriers);
            }
            this.maxExtraCarriers = maxExtraCarriers;
            return this;
        }

        /**
         * Records every event (REQUEST, SUSPEND, RESUME by kind; shard, virtual thread id, nanoTime)
         * in {@code ring} as a compact record, from the loops, without a lock convoy (seed 002). A
         * memory-mapped ring keeps the last events of a process that crashed; read it with
         * {@code TraceReader} or {@code TraceDump}. The bridge does not close the ring. Default: none.
         */
        public Builder trace(TraceRing ring) {
            this.trace = Objects.requireNonNull(ring, "ring");
            return this;
        }

        /**
         * Whether the loops also offer every event to JFR as an {@code io.vtbridge.Event}
         * ({@code BridgeJfrEvent}, disabled in JFR by default: enable it in a recording to see the
         * events in JDK Mission Control). While it is not enabled, each event costs one flag check.
         * Default: true.
         */
        public Builder jfrEvents(boolean jfrEvents) {
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
        public Builder reportPinned(boolean reportPinned, Duration threshold) {
            Objects.requireNonNull(threshold, "threshold");
            if (threshold.isNegative()) {
                throw new IllegalArgumentException("threshold must not be negative, was " + threshold);
            }
            this.reportPinned = reportPinned;
            this.pinnedThreshold = threshold;
            return this;
        }

        /**
         * Platform threads of the CPU pool ({@link Bridge#compute}), 1..{@value #MAX_POOL_THREADS};
         * started on first use. Default: available processors − 1, at least 1 (seed 001: leave a
         * core for the loops).
         */
        public Builder cpuThreads(int cpuThreads) {
            this.cpuThreads = checkPoolThreads("cpuThreads", cpuThreads);
            return this;
        }

        /** Tasks the CPU pool queues before it rejects with {@link BridgeOverloadedException}; positive. Default: 10,000. */
        public Builder cpuQueueCapacity(int cpuQueueCapacity) {
            this.cpuQueueCapacity = checkPositive("cpuQueueCapacity", cpuQueueCapacity);
            return this;
        }

        /**
         * Platform threads of the blocking pool ({@link Bridge#blocking}, {@link Mode#SYNC} tasks),
         * 1..{@value #MAX_POOL_THREADS}; started on first use. Default: 64.
         */
        public Builder blockingThreads(int blockingThreads) {
            this.blockingThreads = checkPoolThreads("blockingThreads", blockingThreads);
            return this;
        }

        /** Tasks the blocking pool queues before it rejects with {@link BridgeOverloadedException}; positive. Default: 10,000. */
        public Builder blockingQueueCapacity(int blockingQueueCapacity) {
            this.blockingQueueCapacity = checkPositive("blockingQueueCapacity", blockingQueueCapacity);
            return this;
        }

        /** The most threads a pool accepts. */
        public static final int MAX_POOL_THREADS = 4096;

        private static int checkPoolThreads(String name, int value) {
            if (value <= 0 || value > MAX_POOL_THREADS) {
                throw new IllegalArgumentException(name + " must be in 1.." + MAX_POOL_THREADS + ", was " + value);
            }
            return value;
        }

        private static int checkPositive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }

        /**
         * Receives every event (REQUEST, SUSPEND, RESUME by kind) on the bridge's event thread; see
         * {@link BridgeListener} for delivery. Default: none (no buffer, no thread; the per-shard
         * counters in {@link ShardStats} are kept either way).
         */
        public Builder listener(BridgeListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Events each shard buffers for the listener, a power of two in 2..2^26; beyond it new events
         * are dropped and counted ({@link Shard#eventsLost()}). Default: 8192.
         */
        public Builder eventBuffer(int eventBuffer) {
            if (eventBuffer < 2 || eventBuffer > (1 << 26) || Integer.bitCount(eventBuffer) != 1) {
                throw new IllegalArgumentException("eventBuffer must be a power of two in 2..2^26, was " + eventBuffer);
            }
            this.eventBuffer = eventBuffer;
            return this;
        }

        /**
         * The coop budget: vtbridge requests a virtual thread may serve on their fast path (an
         * uncontended lock, a semaphore with permits) in one run on its shard before it yields (a
         * YIELD event), so that one hot task cannot starve the others on its shard; positive.
         * Default: {@value ShardLoop#DEFAULT_COOP_BUDGET}.
         */
        public Builder coopBudget(int coopBudget) {
            if (coopBudget <= 0) {
                throw new IllegalArgumentException("coopBudget must be positive, was " + coopBudget);
            }
            this.coopBudget = coopBudget;
            return this;
        }

        /**
         * Whether to register one MXBean per shard ({@code io.vtbridge:type=Shard,bridge=<name>,shard=<i>})
         * in the platform MBean server while the bridge runs (visible in JConsole). Default: true.
         */
        public Builder jmx(boolean jmx) {
            this.jmx = jmx;
            return this;
        }

        /**
         * Starts the shards. Unless the JVM was started with {@code -Djdk.virtualThreadScheduler.timerQueues},
         * the first build sets that JDK property to the shard count (or the processor count, if
         * larger) rounded up to a power of two, so that {@code Thread.sleep} in bridged code does
         * not make the loops contend for one JDK timer-queue lock; see {@code docs/RUNTIME.md}.
         *
         * @throws IllegalStateException if the JVM lacks {@value JdkAccess#OPENS_FLAG}, naming the flag
         */
        public Bridge build() {
            JdkAccess.checkAvailable();
            // Before any bridged thread can sleep: one JDK timer queue per loop (see the method).
            JdkAccess.spreadTimerQueues(Math.max(shards, Runtime.getRuntime().availableProcessors()));
            // Before any bridged thread can wait on a socket: the JDK's pollers must not become ours.
            JdkAccess.startSocketPollers();
            return new Bridge(this);
        }
    }
}
