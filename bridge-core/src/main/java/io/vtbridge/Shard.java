package io.vtbridge;

import io.vtbridge.events.EventRing;
import io.vtbridge.internal.Checks;
import io.vtbridge.internal.JdkAccess;
import io.vtbridge.internal.ThreadReset;
import io.vtbridge.loop.EventSink;
import io.vtbridge.loop.ForkJoinPoolFacade;
import io.vtbridge.loop.LoopCounter;
import io.vtbridge.loop.LoopCounters;
import io.vtbridge.loop.LoopSettings;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.monitor.DelayCause;
import io.vtbridge.monitor.DelayHistogram;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.monitor.ShardStats;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

/**
 * One shard of a {@link Bridge}: a platform thread running an event loop that schedules the virtual
 * threads created here. Code running in such a virtual thread is <em>bridged</em>: when it blocks,
 * the virtual thread unmounts and the loop runs others. Virtual threads that bridged code starts
 * itself ({@code Thread.ofVirtual().start(...)}) inherit the shard.
 *
 * <p><b>Threading:</b> all methods are thread-safe.
 */
public final class Shard implements ThreadFactory {

    private final Bridge bridge;
    private final int index;
    private final ShardLoop loop;
    private final ForkJoinPoolFacade timerPool; // JDK 25: how the JDK sees this loop (for timed parks); else null
    private final ThreadFactory factory; // thread-safe, per Thread.Builder#factory()
    private final EventRing ring;        // the listener's buffer, or null
    private final java.util.concurrent.atomic.AtomicLong stalls = new java.util.concurrent.atomic.AtomicLong(); // counted by the watchdog
    private final java.util.concurrent.atomic.AtomicLong pinned = new java.util.concurrent.atomic.AtomicLong(); // counted by the JFR watcher
    private final java.util.concurrent.atomic.LongAdder assigned = new java.util.concurrent.atomic.LongAdder(); // tasks placed on this shard: added by submitters, summed by placement
    private final java.util.Set<Thread> handMadeThreads = java.util.concurrent.ConcurrentHashMap.newKeySet(); // newThread() threads alive: for stall reports

    Shard(Bridge bridge, int index, String threadName, BridgeBuilder settings, EventRing ring, EventSink sink) {
        this.bridge = bridge;
        this.index = index;
        this.ring = ring;
        this.loop = new ShardLoop(index, this, threadName, settings.daemon, sink, new LoopSettings(settings.loopBatch,
                settings.idleSpins, settings.coopBudget, Checks.saturatedNanos(settings.turnSlice),
                Checks.saturatedNanos(settings.laneRescueAfter), settings.schedulingDelays,
                settings.moveHogs));
        loop.events().jfr(settings.jfrEvents);
        loop.connect(continuation -> bridge.cpuPool().execute(Priority.HIGH, continuation),
                continuation -> bridge.cpuPool().execute(Priority.LOW, continuation),
                deadline -> bridge.laneRescuer().urgentQueued(deadline));
        if (settings.blockingPolicy == BlockingPolicy.HAND_OFF) {
            loop.enableHandOff(settings.maxExtraCarriers);
        }
        this.timerPool = ForkJoinPoolFacade.isUseful() ? new ForkJoinPoolFacade(loop, threadName) : null;
        this.factory = JdkAccess.virtualThreadBuilder(timerPool != null ? timerPool : loop).factory();
        if (settings.reuseThreads && ThreadReset.isAvailable()) {
            loop.enableRunners(factory, settings.balance);
        }
    }

    /** This shard's position in {@link Bridge#shards()}, from 0. */
    public int index() {
        return index;
    }

    /** The bridge this shard belongs to. */
    public Bridge bridge() {
        return bridge;
    }

    /**
     * Creates an unstarted virtual thread scheduled by this shard. Unlike {@link Bridge#submit}, such
     * threads are not counted against {@code maxInFlight} and {@link Bridge#close()} does not wait for
     * them: join them before closing. A thread still alive when its shard stops never runs again
     * (its {@code join()} waits forever), and neither does one started after the stop; both show in
     * {@link ShardStats#dropped()}.
     *
     * @throws NullPointerException       if {@code task} is null
     * @throws RejectedExecutionException if the bridge is closed
     */
    @Override
    public Thread newThread(Runnable task) {
        Objects.requireNonNull(task, "task");
        bridge.admission().checkAccepting();
        return factory.newThread(() -> {
            handMadeThreads.add(Thread.currentThread());
            loop.services().threadStarts();
            try {
                task.run();
            } finally {
                loop.services().threadEnds();
                handMadeThreads.remove(Thread.currentThread());
            }
        });
    }

    /** A snapshot of this shard's counters. */
    public ShardStats stats() {
        LoopCounters c = loop.counters();
        long mounts = c.get(LoopCounter.MOUNTS);
        return new ShardStats(index,
                c.get(LoopCounter.TASKS_STARTED),
                c.get(LoopCounter.TASKS_FINISHED),
                mounts,
                Math.max(0, mounts - c.get(LoopCounter.THREADS_STARTED)),
                Math.max(0, mounts - c.get(LoopCounter.THREADS_ENDED)),
                c.get(LoopCounter.LOCAL_SCHEDULES),
                c.get(LoopCounter.REMOTE_SCHEDULES),
                c.get(LoopCounter.EXPIRY_SCHEDULES),
                c.get(LoopCounter.TIMERS_FIRED),
                c.get(LoopCounter.ITERATIONS),
                c.get(LoopCounter.PARKS),
                loop.unparks(),
                loop.dropped(),
                c.get(LoopCounter.ERRORS),
                loop.inboundDepth(),
                loop.localDepth(),
                loop.pendingTimers(),
                loop.longestIterationNanos(),
                c.get(LoopCounter.LANE_RESCUES),
                c.get(LoopCounter.HOG_MOVES),
                c.get(LoopCounter.HOG_RETURNS),
                byKind(EventPhase.REQUEST),
                byKind(EventPhase.SUSPEND),
                byKind(EventPhase.RESUME),
                delays());
    }

    private Map<DelayCause, DelayHistogram> delays() {
        EnumMap<DelayCause, DelayHistogram> m = new EnumMap<>(DelayCause.class);
        for (DelayCause cause : DelayCause.values()) {
            m.put(cause, loop.delays(cause));
        }
        return m;
    }

    /** The scheduling delays of {@code cause} on this shard so far (empty if not measured): a live snapshot. Any thread. */
    public DelayHistogram delays(DelayCause cause) {
        return loop.delays(cause);
    }

    private Map<EventKind, Long> byKind(EventPhase phase) {
        EnumMap<EventKind, Long> m = new EnumMap<>(EventKind.class);
        for (EventKind kind : EventKind.values()) {
            m.put(kind, loop.events().count(phase, kind));
        }
        return m;
    }

    /** Stalls the watchdog reported for this shard. Any thread. */
    public long stalls() {
        return stalls.get();
    }

    /** Hand-offs of this shard's loop to a fresh carrier ({@link BlockingPolicy#HAND_OFF}). Any thread. */
    public long handOffs() {
        return loop.handOffs();
    }

    /**
     * Tasks without a key that this shard's loop moved to another shard's loop because that one had
     * nothing to do ({@link BridgeBuilder#balance}). Any thread.
     */
    public long tasksMovedOut() {
        return loop.counters().get(LoopCounter.TASKS_SPILLED_OUT);
    }

    /** Tasks other shards' loops moved to this shard's loop ({@link BridgeBuilder#balance}). Any thread. */
    public long tasksMovedIn() {
        return loop.counters().get(LoopCounter.TASKS_SPILLED_IN);
    }

    /**
     * Runnable threads of other shards that this shard's loop ran because it had nothing of its own
     * to run: runners inside tasks without a key that had blocked and been resumed while their own
     * shard was busy ({@link BridgeBuilder#balance}). Any thread.
     */
    public long threadsStolen() {
        return loop.counters().get(LoopCounter.RUNNERS_STOLEN);
    }

    /** Carriers that lost this shard's loop and are still inside their blocking call. Any thread. */
    public int extraCarriers() {
        return loop.extraCarriers();
    }

    void countStall() {
        stalls.incrementAndGet();
    }

    /** Pinned parks JFR reported for this shard's threads ({@link BridgeBuilder#reportPinned}). Any thread. */
    public long pinnedReports() {
        return pinned.get();
    }

    void countPinned() {
        pinned.incrementAndGet();
    }

    /** The {@link #newThread} threads alive now (for stall reports). */
    Iterable<Thread> handMadeThreads() {
        return handMadeThreads;
    }

    /** Events dropped because the listener's buffer was full (0 without a listener). Any thread. */
    public long eventsLost() {
        return ring == null ? 0 : ring.lost();
    }

    /** How many events of {@code phase} and {@code kind} this shard has seen: a live counter. Any thread. */
    public long events(EventPhase phase, EventKind kind) {
        return loop.events().count(phase, kind);
    }

    /** The loop thread's name. */
    public String threadName() {
        return loop.thread().getName();
    }

    @Override
    public String toString() {
        return "Shard[" + index + ", " + loop.thread().getName() + "]";
    }

    ShardLoop loop() {
        return loop;
    }

    /** Whether {@code scheduler} is this shard's: the virtual threads it schedules are this shard's, wherever they run. */
    boolean schedules(java.util.concurrent.Executor scheduler) {
        return scheduler != null && (scheduler == loop || scheduler == timerPool);
    }

    /** Stops the JDK timer threads this shard may have (after its loop stopped); returns whether they have exited. */
    boolean stopTimerPool() {
        return timerPool == null || timerPool.stop();
    }

    /**
     * Starts {@code task} on this shard: queued for the loop's runners (reused threads), or on a
     * virtual thread of its own for a latency-lane task, or when runners are off. The task's own
     * counters apply.
     */
    void startTask(BridgeTask<?> task) {
        assigned.increment(); // before the start: the task counts as this shard's load from now on
        if (!task.urgent() && loop.runsTasks()) {
            loop.submitTask(task);
            return;
        }
        Thread thread = factory.newThread(task);
        loop.starting(thread::start, task.urgent()); // a start is new work (or the latency lane's), not a resume
    }

    /**
     * A load figure for placement: tasks placed here and not ended, whether they have started or
     * still wait in the loop's queue (a shard busy with long mounts starts its queued tasks late;
     * counting only started ones made it look idle and drew yet more tasks). A task moved to another
     * shard's loop counts there. The loop's side is as of its last turn that found work.
     */
    long load() {
        return assigned.sum() - loop.settledTasks();
    }

    /**
     * Tasks placed on this shard (or moved here by the spill) that have not ended, started or still
     * queued: a snapshot, with the loop's side as of its last turn that found work. With runners, a
     * task waiting to start is here and not in {@link ShardStats#inboundDepth()}, which counts
     * continuations. Any thread.
     */
    public long pendingTasks() {
        return Math.max(0, load());
    }

    /** Whether submitted tasks run on this shard's runners (reused threads). */
    boolean runsTasks() {
        return loop.runsTasks();
    }
}
