package io.vtbridge.loop;

import io.vtbridge.internal.JdkAccess;
import io.vtbridge.internal.VarHandles;
import io.vtbridge.timer.TimerQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * One shard's event loop, and the {@link Executor} that schedules its virtual threads: every
 * continuation of a virtual thread created with this loop as its scheduler comes here
 * ({@link #execute}), waits in one of the loop's {@link RunQueues}, and is mounted by the loop
 * thread in a later turn ({@link LoopTurn}, which holds the service order and its reasons).
 *
 * <p>What lives beside this class: {@link LoopTurn} (the iterations), {@link LoopIdle} (spin or park
 * after a turn that found no work), {@link RunQueues} (one queue
 * per source), {@link LoopOwnership} (which carrier owns the loop, and the hand-off to a fresh one),
 * {@link LoopServices} (what bridged threads call on their loop: timers, sleep, waits and their
 * events), {@link LoopEvents} (the event model), {@link LoopGauges} and {@link LoopCounters} (what
 * monitoring threads read), {@link WakeupGate} (the go-to-sleep handshake), {@link LoopEntry} (where
 * a continuation or a submitted task goes: the bodies of {@link #execute}, {@link #submitTask},
 * {@link #starting}), {@link HogMover} (hogs moved off the loop), {@link LaneRescue} (the latency
 * lane's starts from other threads, and their rescue).
 *
 * <p>Run states:
 * <pre>
 *   NEW      -> RUNNING     start()        (owner of the bridge)
 *   RUNNING  -> STOPPING    stop()         (any thread, CAS)
 *   STOPPING -> TERMINATED  loop exit      (loop thread)
 * </pre>
 *
 * <p><b>Threading:</b> {@link #execute}, {@link #stop}, {@link #awaitTermination} and the readers
 * ({@link #counters()}, {@link #unparks()}...) may be called from any thread; {@link #timers()} only
 * by a virtual thread this loop is carrying ({@code assert inLoop()}); the loop itself runs on its
 * {@link LoopThread}.
 */
public final class ShardLoop implements Executor {

    /** What {@link #rescueOverdueStarts} and {@link #nextLaneDeadline} return when no latency-lane start waits. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Longest delay a loop timer accepts (about 73 years); longer sleeps are clamped to it. */
    public static final long MAX_DELAY_NANOS = Long.MAX_VALUE >> 2;

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int STOPPING = 2;
    private static final int TERMINATED = 3;

    private static final VarHandle RUN_STATE = VarHandles.field(MethodHandles.lookup(), "runState", int.class);
    private static final VarHandle SETTLED = MethodHandles.arrayElementVarHandle(long[].class);

    private final int index;
    private final Object owner;
    private final LoopOwnership ownership; // which carrier runs the loop now, and the hand-off protocol

    /** Per turn, the loop's own sources (timers, expiries, resumes, local) get this many batches each; starts one. */
    public static final int OWNED_SHARE = 8;

    /** Default coop budget: fast paths one virtual thread may take in one run before it yields. */
    public static final int DEFAULT_COOP_BUDGET = 128;

    private final RunQueues queues = new RunQueues();
    private final TimerQueue timers = new TimerQueue();                         // loop-owned
    private final WakeupGate gate = new WakeupGate();
    private final LoopCounters counters = new LoopCounters();
    private final LoopEvents events;
    private final LoopServices services;
    private final LoopGauges gauges = new LoopGauges();
    private final LoopTurn turn;
    private final LoopEntry entry;          // where continuations and submitted tasks go (execute, starting, submitTask)
    private final AtomicLong dropped = new AtomicLong();                        // continuations that arrived after termination
    private final CountDownLatch terminated = new CountDownLatch(1);

    private final LoopSettings settings;
    private final long[] settled = new long[16]; // [8] (padded): tasks finished here plus moved out minus moved in, as of the last working turn; setOpaque by the owner, getOpaque by submitters
    private TaskRunners runners;            // set before start() by enableRunners(); null: each task has a thread of its own
    private volatile int runState;          // see the table above
    private volatile Throwable lastError;   // written by the loop when a continuation throws; read by monitors

    /**
     * A loop with the default settings but for {@code batch} and {@code idleSpins} (for tests).
     *
     * @see #ShardLoop(int, Object, String, boolean, EventSink, LoopSettings)
     */
    public ShardLoop(int index, Object owner, String name, boolean daemon, int batch, int idleSpins) {
        this(index, owner, name, daemon, null, LoopSettings.of(batch, idleSpins));
    }

    /**
     * @param index    shard index, for names and stats
     * @param owner    the object that owns this loop (the {@code Shard}); returned by {@link #owner()}
     * @param name     the loop thread's name
     * @param daemon   whether the loop thread is a daemon thread
     * @param sink     where events go besides the counters, or {@code null}
     * @param settings the turn's batch, slice and idle spins, the coop budget, whether delays are measured
     */
    public ShardLoop(int index, Object owner, String name, boolean daemon, EventSink sink, LoopSettings settings) {
        this.index = index;
        this.owner = owner;
        this.settings = settings;
        this.ownership = new LoopOwnership(this, name, daemon);
        this.events = new LoopEvents(index, sink, settings.coopBudget(), settings.measureDelays());
        this.services = new LoopServices(this, ownership, timers, events, counters);
        this.turn = new LoopTurn(this, queues, timers, gate, counters, events, gauges, ownership, settings);
        this.entry = new LoopEntry(this, ownership, queues, gate, counters, events, services, turn, dropped, settings);
    }

    /**
     * Turns on the hand-off handshake ({@link #handOff()}): each mount then costs a volatile store
     * and a CAS, and each access of bridged code to loop-owned state a volatile store. Before
     * {@link #start()}.
     *
     * @param maxExtraCarriers carriers that lost the loop and may still be alive at once, at least 1
     */
    public void enableHandOff(int maxExtraCarriers) {
        if (runState != NEW) {
            throw new IllegalStateException("enableHandOff after start");
        }
        assert maxExtraCarriers > 0 : "maxExtraCarriers " + maxExtraCarriers;
        ownership.enable(maxExtraCarriers);
    }

    /**
     * Moves the loop to a fresh platform thread, if its current carrier is stuck in one mount (a
     * carrier-blocking call of the virtual thread it carries): any thread, normally the stall
     * watchdog. The old carrier stays inside the call; when the virtual thread next unmounts, the
     * old carrier finds the loop taken and exits. Returns whether it happened: not if hand-off is off,
     * the loop is not running, the mount has ended meanwhile, or {@code maxExtraCarriers} old
     * carriers are still alive.
     *
     * <p>The handshake is {@link LoopOwnership}'s: one CAS on the old carrier's mount state decides
     * who keeps the loop; the new owner starts only once the old carrier is outside any access to
     * loop-owned state.
     */
    public boolean handOff() {
        return ownership.handOff(runState == RUNNING);
    }

    /** Hand-offs so far. Any thread. */
    public long handOffs() {
        return ownership.handOffs();
    }

    /** Carriers that lost this loop to a hand-off and are still alive (inside their blocking call). Any thread. */
    public int extraCarriers() {
        return ownership.extraCarriers();
    }

    /**
     * Turns on task runners ({@link TaskRunners}): submitted tasks ({@link #submitTask}) run one after
     * another on reused virtual threads made by {@code factory} (this loop's), instead of a thread
     * each. With {@code balance}, unkeyed tasks may move to a peer loop that has nothing to do
     * ({@link #connectRunners}). Before {@link #start()}.
     */
    public void enableRunners(ThreadFactory factory, boolean balance) {
        if (runState != NEW) {
            throw new IllegalStateException("enableRunners after start");
        }
        runners = new TaskRunners(this, ownership, events, queues, factory, balance, settings);
        entry.runners(runners);
    }

    /**
     * Makes {@code loops} share one limit on loops in an adaptive idle spin (at most half of them at
     * once: {@code SpinLimit}). Before the loops start.
     */
    public static void shareSpinLimit(ShardLoop[] loops) {
        SpinLimit limit = new SpinLimit(loops.length);
        for (ShardLoop loop : loops) {
            if (loop.runState != NEW) {
                throw new IllegalStateException("shareSpinLimit after start");
            }
            loop.turn.spinLimit(limit);
        }
    }

    /** Introduces the runners of {@code loops} to each other (the spill's peers). Before the loops start. */
    public static void connectRunners(ShardLoop[] loops) {
        TaskRunners[] all = new TaskRunners[loops.length];
        for (int i = 0; i < loops.length; i++) {
            all[i] = loops[i].runners;
            if (all[i] == null) {
                return; // runners off: nothing moves
            }
        }
        for (TaskRunners r : all) {
            r.peers(all);
        }
    }

    /**
     * Tasks this loop is done with, for the placement's load figure: finished here, plus moved to
     * other shards, minus moved here from them; as of the loop's last turn that found work (one
     * opaque load of a line written at most once per turn). Any thread.
     */
    public long settledTasks() {
        return (long) SETTLED.getOpaque(settled, 8);
    }

    /** Who frees the in-flight slots of tasks that end on this loop, in batches. Before {@link #start()}; needs runners. */
    public void slotReleaser(SlotReleaser releaser) {
        if (runState != NEW) {
            throw new IllegalStateException("slotReleaser after start");
        }
        if (runners != null) {
            runners.releaser(releaser);
        }
    }

    /**
     * Frees {@code slot} with the others of this turn, if the caller is on this loop's owner and a
     * {@link #slotReleaser} is set; else returns false and the caller frees it at once.
     */
    public boolean deferSlotRelease(int slot) {
        if (runners == null || !ownership.enterOwned()) {
            return false;
        }
        try {
            return runners.deferRelease(slot);
        } finally {
            ownership.endOwned();
        }
    }

    /** Whether this loop runs submitted tasks on runners ({@link #enableRunners}). */
    public boolean runsTasks() {
        return runners != null;
    }

    /**
     * Queues a submitted task for this loop's runners (only after {@link #enableRunners}). On the
     * loop's owner it joins a loop-owned queue; from any other thread, the runners' inbox, and the
     * loop is woken if it sleeps. Never blocks and never throws; after the loop stopped the task is
     * counted in {@link #dropped()} and never runs (whoever aborts the bridge's pending tasks
     * completes it).
     */
    public void submitTask(RunnerTask task) {
        entry.submitTask(task);
    }

    /** Starts the loop thread. Once. */
    public void start() {
        if (!RUN_STATE.compareAndSet(this, NEW, RUNNING)) {
            throw new IllegalStateException("loop " + index + " already started");
        }
        ownership.owner().start();
    }

    /**
     * The loop carrying the current thread, or {@code null} if the current thread is not a virtual
     * thread carried by a shard loop.
     */
    public static ShardLoop current() {
        Thread t = Thread.currentThread();
        if (!t.isVirtual() || !JdkAccess.isAvailable()) {
            return null;
        }
        // A carrier that lost its loop to a hand-off still carries the thread that blocked it:
        // that thread is no longer on a shard's owner, so it is not "in bridged code" until it moves.
        return JdkAccess.currentCarrierThread() instanceof LoopThread carrier && carrier.loop().ownership.owner() == carrier
                ? carrier.loop() : null;
    }

    /** Whether the current thread is this loop's thread or a virtual thread it is carrying. */
    public boolean inLoop() {
        return ownership.inLoop();
    }

    /**
     * Schedules a continuation. Never blocks and never throws: on the loop's own thread it joins the
     * local run queue; from any other thread it joins the inbound queue and wakes the loop if it
     * sleeps. A runner inside a task without a key (with balance on, more than one shard) joins the
     * loop's ready queue instead, which idle peers also take from ({@link RunnerSteal}).
     *
     * <p>After the loop stopped, a continuation can never run: it belongs to a thread that was still
     * alive at the stop (abandoned), or to a thread started after it. It is counted in
     * {@link #dropped()} and otherwise ignored, so that whoever resumed it (a lock's {@code unlock()},
     * an {@code interrupt()}, the JDK's timer thread) is not handed an exception for a thread it
     * knows nothing about. The one that raced the loop's exit is dropped as well, and counted when the
     * final drain sees it.
     */
    @Override
    public void execute(Runnable continuation) {
        entry.execute(continuation);
    }

    /**
     * The rescuer's step, on the bridge's lane thread: claims every latency-lane start the loop has
     * not taken by its deadline (the loop, which claims before it mounts, then never runs it too),
     * and offers it to {@code takeHere}, which returns true when the rescuer runs it on its own
     * thread; otherwise it runs on another carrier ({@link #connect offLoop}, the bridge's CPU pool).
     * Returns the deadline of the next start still waiting, or {@link #NO_DEADLINE}.
     */
    public long rescueOverdueStarts(long now, Predicate<Runnable> takeHere) {
        return entry.lane.rescueOverdueStarts(now, takeHere);
    }

    /** The rescue deadline of the oldest latency-lane start on the rescuer's list, or {@link #NO_DEADLINE}. Any thread. */
    public long nextLaneDeadline() {
        return entry.lane.nextLaneDeadline();
    }

    /**
     * Wires the loop to its bridge before {@link #start()}: where a continuation can run off the loop
     * (the CPU pool: urgently, for a rescued latency-lane start, or behind urgent work, for a hog), and
     * whom to tell of each latency-lane start (the rescuer's wake-up).
     */
    public void connect(Executor offLoop, Executor offLoopLater, LongConsumer laneWatcher) {
        if (runState != NEW) {
            throw new IllegalStateException("connect after start");
        }
        entry.lane.connect(offLoop, laneWatcher);
        entry.hogs.connect(offLoopLater);
    }

    /**
     * Runs {@code action} (which starts virtual threads of this loop, e.g. {@code thread.start()})
     * so that the starts it makes from this thread take the inbound queue, the share for new work,
     * or with {@code urgent} the latency lane, rather than the resume queue. The bridge wraps every
     * task start in it.
     */
    public void starting(Runnable action, boolean urgent) {
        entry.starting(action, urgent);
    }

    /**
     * Schedules the resume of a virtual thread whose timed wait (or a timed park armed off the loop's
     * owner) expired, issued by the JDK's timer thread (the {@link ForkJoinPoolFacade}'s worker). It takes the expiry queue, which the loop
     * serves before new inbound work, so that a sleeper woken during a burst of submissions is not
     * queued behind it. Never blocks and never throws; after the loop stopped it is dropped, as in
     * {@link #execute}. From the loop's own thread it is a plain {@link #execute}.
     */
    public void executeExpiry(Runnable continuation) {
        entry.executeExpiry(continuation);
    }

    /** What this loop offers the bridged threads it carries: timers, sleep, waits, the coop budget. */
    public LoopServices services() {
        return services;
    }

    /** The event model of this loop: counters by phase and kind, the coop budget. */
    public LoopEvents events() {
        return events;
    }

    /**
     * The loop-owned timer queue, to read (its size, in tests). Only on the loop's owner thread;
     * arm and cancel timers with {@link LoopServices#addTimer} and {@link LoopServices#removeTimer},
     * which also work while the loop is being handed off.
     */
    public TimerQueue timers() {
        assert inLoop() : "timers() called off loop " + index;
        return timers;
    }

    /** The loop's {@link TimerLead}, in nanoseconds: on its owner, or after it terminated. For tests. */
    long timerLeadNanos() {
        return turn.timerLeadNanos();
    }

    /** Asks the loop to exit at its next iteration. Idempotent; any thread. */
    public void stop() {
        if (RUN_STATE.compareAndSet(this, RUNNING, STOPPING) || RUN_STATE.compareAndSet(this, NEW, TERMINATED)) {
            gate.wake();
        }
        if (runState == TERMINATED) {
            terminated.countDown(); // never started: nothing will count it down
        }
    }

    /**
     * Waits until the loop has terminated and its thread has exited (not merely counted down: a
     * caller that returns from here sees {@code thread().isAlive() == false}).
     */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(unit.toNanos(timeout), MAX_DELAY_NANOS);
        if (!terminated.await(timeout, unit)) {
            return false;
        }
        LoopThread owner = ownership.owner();
        if (owner.getState() == Thread.State.NEW) {
            return true; // stopped before it started
        }
        // terminate() is the loop thread's last act: it is returning from run() now.
        return owner.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /** Whether the loop has exited. */
    public boolean isTerminated() {
        return runState == TERMINATED;
    }

    /** The shard index this loop serves. */
    public int index() {
        return index;
    }

    /** The object that owns this loop (the {@code io.vtbridge.Shard}), as given to the constructor. */
    public Object owner() {
        return owner;
    }

    /** The platform thread that runs this loop and carries its virtual threads. */
    public LoopThread thread() {
        return ownership.owner();
    }

    /** This loop's event counters (written by the loop, readable from any thread). */
    public LoopCounters counters() {
        return counters;
    }

    /** Unparks issued to this loop by other threads; a wake-up of a loop that was awake costs none. */
    public long unparks() {
        return gate.unparks();
    }

    /** Continuations waiting in the three cross-thread queues (inbound, resume, expiry): offered minus taken, a snapshot. Any thread. */
    public long inboundDepth() {
        long taken = counters.get(LoopCounter.REMOTE_SCHEDULES) + counters.get(LoopCounter.EXPIRY_SCHEDULES); // all three foreign queues
        return Math.max(0, queues.offered() - taken);
    }

    /** The local run queue's length after the last iteration that found work. Any thread. */
    public long localDepth() {
        return gauges.localDepth();
    }

    /** Loop timers pending after the last iteration that found work. Any thread. */
    public long pendingTimers() {
        return gauges.pendingTimers();
    }

    /**
     * When the current loop iteration began ({@link System#nanoTime()}), or 0 while the loop is idle
     * (parked, or about to). The watchdog's input for lag (a turn that has been running too long);
     * a hog is told by the mount counter. Any thread.
     */
    public long busySince() {
        return gauges.busySince();
    }

    /**
     * The mounts this loop had made when its current iteration began (the {@link LoopCounter#MOUNTS}
     * counter then): with {@link #busySince()}, how many mounts a long iteration is made of. Any thread.
     */
    public long turnStartMounts() {
        return gauges.turnMounts();
    }

    /** The scheduling delays of {@code cause} so far (empty when not measured). Any thread. */
    public io.vtbridge.monitor.DelayHistogram delays(io.vtbridge.monitor.DelayCause cause) {
        return events.delays(cause);
    }

    /** The longest iteration that found work, in nanoseconds (a stall shows here). Any thread. */
    public long longestIterationNanos() {
        return gauges.longestIterationNanos();
    }

    /** Continuations that arrived after the loop terminated, or were still queued when it exited: never run. */
    public long dropped() {
        return dropped.get();
    }

    /** The last throwable that escaped a continuation, or {@code null}. */
    public Throwable lastError() {
        return lastError;
    }

    // ---- for the turn ---------------------------------------------------------------------------

    /** The body of the loop's thread (and of each carrier a hand-off starts). */
    void run() {
        turn.run();
    }

    /** After a turn that found work, on the owner: publishes {@link #settledTasks()}, if it changed. */
    void publishSettled() {
        long now = counters.get(LoopCounter.TASKS_FINISHED) + counters.get(LoopCounter.TASKS_SPILLED_OUT)
                - counters.get(LoopCounter.TASKS_SPILLED_IN);
        if (settled[8] != now) {
            SETTLED.setOpaque(settled, 8, now);
        }
    }

    /** The task runners, or null. */
    TaskRunners runners() {
        return runners;
    }

    /**
     * The steal's back-stop, from the stall watchdog at each check: if this loop has runnable runners
     * of unkeyed tasks waiting, wakes one hungry peer to take one (see {@code RunnerSteal}). Any thread.
     */
    public void wakePeerForWaitingRunners() {
        TaskRunners r = runners;
        if (r != null && r.stealing() && !r.steal.isEmpty()) {
            r.steal.wakeHungryPeer();
        }
    }

    /** A peer moved tasks to this loop's runners: wakes it if it sleeps. Any thread. */
    void wakeForTasks() {
        gate.wake();
    }

    /** A runner begins a task inside its mount: the hog check times the task, not the mount. Owner only. */
    void restartMountClock(long clock) {
        turn.restartMountClock(clock);
    }

    /** Whether the loop should go on turning. */
    boolean isRunning() {
        return runState == RUNNING;
    }

    /** A throwable escaped a continuation or the loop's own machinery. On the owner. */
    void recordError(Throwable e) {
        counters.increment(LoopCounter.ERRORS);
        lastError = e;
    }

    /** The loop's last act, on its thread: nothing queued will ever run; waiters are released. */
    void terminate() {
        runState = TERMINATED; // volatile store: execute() callers after this count their drop
        dropped.addAndGet(queues.clear());
        if (runners != null) {
            dropped.addAndGet(runners.steal.clear());
            runners.sources.clear();
            runners.flushReleases();
        }
        terminated.countDown();
    }
}
