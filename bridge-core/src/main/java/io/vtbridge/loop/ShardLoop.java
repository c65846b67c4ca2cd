package io.vtbridge.loop;

import io.vtbridge.internal.JdkAccess;
import io.vtbridge.internal.VarHandles;
import io.vtbridge.timer.TimerQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * One shard's event loop, and the {@link Executor} that schedules its virtual threads: every
 * continuation of a virtual thread created with this loop as its scheduler comes here
 * ({@link #execute}), waits in one of the loop's {@link RunQueues}, and is mounted by the loop
 * thread in a later turn ({@link LoopTurn}, which holds the service order and its reasons).
 *
 * <p>What lives beside this class: {@link LoopTurn} (the iterations), {@link RunQueues} (one queue
 * per source), {@link LoopOwnership} (which carrier owns the loop, and the hand-off to a fresh one),
 * {@link LoopServices} (what bridged threads call on their loop: timers, sleep, waits and their
 * events), {@link LoopEvents} (the event model), {@link LoopGauges} and {@link LoopCounters} (what
 * monitoring threads read), {@link WakeupGate} (the go-to-sleep handshake).
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

    private static final AtomicInteger URGENT_STARTING = new AtomicInteger(); // threads inside a latency-lane starting(): guards the thread-local read on the local path
    private static final ThreadLocal<Object> STARTING = new ThreadLocal<>(); // set by starting(): execute() calls on this thread are thread starts, into this queue
    private final RunQueues queues = new RunQueues();
    private final TimerQueue timers = new TimerQueue();                         // loop-owned
    private final WakeupGate gate = new WakeupGate();
    private final LoopCounters counters = new LoopCounters();
    private final LoopEvents events;
    private final LoopServices services;
    private final LoopGauges gauges = new LoopGauges();
    private final LoopTurn turn;
    private final boolean measureDelays;    // stamp each continuation with when it became runnable
    private final long rescueAfterNanos;    // how long a latency-lane start may wait for the loop before the rescuer runs it elsewhere
    private final ConcurrentLinkedQueue<UrgentStart> pendingUrgent = new ConcurrentLinkedQueue<>(); // lane starts not yet seen taken: offered by starters, polled by the rescuer
    private final boolean moveHogs;         // a thread that held the loop past the slice and then yielded runs off the loop
    private static final ThreadLocal<OffLoopRun> OFF_LOOP = new ThreadLocal<>(); // set on the carrier while it runs a continuation of a hog off its loop
    private volatile Executor offLoop;      // set before start(): runs a continuation on another carrier (the bridge's CPU pool), urgently
    private volatile Executor offLoopLater; // set before start(): the same, behind urgent work (for hogs)
    private volatile LongConsumer laneWatcher; // set before start(): told of each latency-lane start's deadline (wakes the rescuer)
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
        this.measureDelays = settings.measureDelays();
        this.rescueAfterNanos = settings.sliceNanos();
        this.moveHogs = settings.moveHogs();
        this.ownership = new LoopOwnership(this, name, daemon);
        this.events = new LoopEvents(index, sink, settings.coopBudget(), settings.measureDelays());
        this.services = new LoopServices(this, ownership, timers, events, counters);
        this.turn = new LoopTurn(this, queues, timers, gate, counters, events, gauges, ownership, settings);
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
        if (ownership.enterOwned()) {
            runners.submitLocal(task, measureDelays ? turn.now() | 1 : 0);
            ownership.endOwned();
            return;
        }
        if (runState == TERMINATED) {
            dropped.incrementAndGet();
            return;
        }
        runners.submitRemote(task, stamp()); // sequentially consistent swap, then...
        gate.wake();                          // ...the load of the gate's state: see WakeupGate
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
        if (moveHogs && movedAsHog(continuation)) {
            return;
        }
        if (ownership.enterOwned()) {
            if (runners != null && runners.capture(continuation)) {
                ownership.endOwned(); // a runner the loop activates: it mounts it at once
                return;
            }
            long stamp = measureDelays ? turn.now() | 1 : 0; // the loop's latest clock reading: no clock read here
            if (services.takeProbe() || (URGENT_STARTING.get() != 0 && STARTING.get() == queues.urgent)) {
                // The resume of a pinning probe, or a latency-lane start made on the loop itself: it
                // goes first, so the probe costs a switch, not a trip through the whole run queue
                // (which in a burst can be thousands long). The thread-local is read only while some
                // thread is inside a latency-lane start: most local resumes read one shared counter.
                queues.local.addFirst(continuation, stamp);
            } else {
                int queued = runners != null && runners.stealing() ? runners.steal.offer(continuation, stamp) : RunnerSteal.NOT_MOVABLE;
                if (queued == RunnerSteal.NOT_MOVABLE) {
                    queues.local.addLast(continuation, stamp);
                } else if (queued == RunnerSteal.BEHIND) {
                    runners.steal.wakeHungryPeer(); // a backlog on a busy loop: a hungry peer may take a share
                }
            }
            counters.increment(LoopCounter.LOCAL_SCHEDULES);
            ownership.endOwned();
            return;
        }
        if (runState == TERMINATED) {
            dropped.incrementAndGet();
            return;
        }
        // A start is new work (the inbound share, or the latency lane); anything else from another
        // thread resumes work this shard already runs (a lock hand-off, a completion, a socket): the
        // owned share.
        Object start = STARTING.get();
        if (start == queues.urgent) {
            offerUrgent(continuation);
            return;
        }
        if (start == null && runners != null && runners.stealing()) {
            long stamp = stamp();
            if (runners.steal.offer(continuation, stamp) != RunnerSteal.NOT_MOVABLE) { // sequentially consistent, then...
                if (!gate.wake()) {
                    runners.steal.wakeHungryPeer(); // this loop is awake, busy: a hungry peer may take it first
                }
                return;
            }
            queues.offer(queues.resumes, continuation, stamp);
            gate.wake();
            return;
        }
        if (start == queues.inbound) {
            queues.offerStart(continuation, stamp()); // sequentially consistent swap, then...
        } else {
            queues.offer(queues.resumes, continuation, stamp()); // (the same)
        }
        gate.wake();               // ...the load of the gate's state: see WakeupGate
    }

    /**
     * With hogs moved: whether {@code continuation} is a thread's own re-submission after a run that
     * held its carrier longer than the slice (a yield, not a block), and so was sent to the CPU pool
     * instead of the loop. On the loop's carrier that is a run of the current mount; on a pool
     * worker, a hog's run there, which keeps the hog off the loop until it blocks.
     */
    private boolean movedAsHog(Runnable continuation) {
        Thread current = Thread.currentThread();
        if (current.isVirtual()) {
            return false; // a bridged thread resuming another: not a re-submission
        }
        OffLoopRun run = OFF_LOOP.get();
        if (run != null) {
            if (run.loop != this || run.continuation != continuation) {
                return false;
            }
            run.resubmitted = true; // a hog that yielded again: it stays off the loop
            counters.incrementShared(LoopCounter.HOG_MOVES);
            sendOff(continuation);
            return true;
        }
        if (current != ownership.owner() || !turn.isMounted(continuation)
                || System.nanoTime() - turn.mountStart() <= rescueAfterNanos) {
            return false;
        }
        counters.increment(LoopCounter.HOG_MOVES);
        events.hogMoved();
        sendOff(continuation);
        return true;
    }

    /** A hog's continuation to the CPU pool, behind urgent work; the loop takes it if the pool refuses. */
    private void sendOff(Runnable continuation) {
        Executor later = offLoopLater;
        try {
            if (later != null) {
                later.execute(new OffLoopRun(this, continuation));
                return;
            }
        } catch (RejectedExecutionException refused) {
            // fall through
        }
        queues.offer(queues.resumes, continuation, stamp());
        gate.wake();
    }

    /**
     * A run of a hog's continuation on a pool worker. While it runs, the worker's {@link #OFF_LOOP}
     * names it, so that the hog's own re-submission (it yielded again) is told apart from a resume by
     * another thread; a run that ends without one ended in a block: the hog goes back to its loop.
     */
    private static final class OffLoopRun implements Runnable {
        final ShardLoop loop;
        final Runnable continuation;
        boolean resubmitted; // this worker's own: the hog re-submitted itself during the run

        OffLoopRun(ShardLoop loop, Runnable continuation) {
            this.loop = loop;
            this.continuation = continuation;
        }

        @Override
        public void run() {
            OFF_LOOP.set(this);
            try {
                continuation.run();
            } finally {
                OFF_LOOP.remove();
                if (!resubmitted) {
                    loop.counters.incrementShared(LoopCounter.HOG_RETURNS);
                }
            }
        }
    }

    /**
     * A latency-lane start from another thread: into the urgent queue, which the loop serves first
     * and between its other mounts, and onto the rescuer's list, so that a loop held by one long
     * mount does not hold the start too ({@link #rescueOverdueStarts}).
     */
    private void offerUrgent(Runnable continuation) {
        long now = System.nanoTime();
        UrgentStart start = new UrgentStart(continuation, now + rescueAfterNanos);
        pendingUrgent.add(start);
        queues.offer(queues.urgent, start, measureDelays ? now | 1 : 0); // as in execute(): the swap, then the gate's load
        gate.wake();
        LongConsumer watcher = laneWatcher;
        if (watcher != null) {
            watcher.accept(start.deadline());
        }
    }

    /**
     * The rescuer's step, on the thread that watches this loop (the bridge's watchdog): runs every
     * latency-lane start the loop has not taken by its deadline on another carrier ({@link #offLoop},
     * the bridge's CPU pool), claiming it first so that the loop, which claims before it mounts,
     * never runs it too. Returns the deadline of the next start still waiting, or {@link #NO_DEADLINE}.
     */
    public long rescueOverdueStarts(long now) {
        UrgentStart start;
        while ((start = pendingUrgent.peek()) != null) {
            if (!start.isClaimed()) {
                if (start.deadline() - now > 0) {
                    return start.deadline();
                }
                if (start.claim()) {
                    counters.incrementShared(LoopCounter.LANE_RESCUES);
                    runOffLoop(start.continuation());
                }
            }
            pendingUrgent.poll();
        }
        return NO_DEADLINE;
    }

    /** The rescue deadline of the oldest latency-lane start on the rescuer's list, or {@link #NO_DEADLINE}. Any thread. */
    public long nextLaneDeadline() {
        UrgentStart start = pendingUrgent.peek();
        return start == null ? NO_DEADLINE : start.deadline();
    }

    /**
     * Runs {@code continuation} on another carrier than the loop (the bridge's CPU pool): its thread is
     * then not in bridged code until it blocks, and its next resume comes back to this loop. If the
     * pool refuses (full, or shut down), the loop runs it after all.
     */
    void runOffLoop(Runnable continuation) {
        Executor elsewhere = offLoop;
        try {
            if (elsewhere != null) {
                elsewhere.execute(continuation);
                return;
            }
        } catch (RejectedExecutionException refused) {
            // fall through: the loop runs it
        }
        queues.offer(queues.resumes, continuation, stamp());
        gate.wake();
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
        this.offLoop = offLoop;
        this.offLoopLater = offLoopLater;
        this.laneWatcher = laneWatcher;
    }

    /**
     * Runs {@code action} (which starts virtual threads of this loop, e.g. {@code thread.start()})
     * so that the starts it makes from this thread take the inbound queue, the share for new work,
     * or with {@code urgent} the latency lane, rather than the resume queue. The bridge wraps every
     * task start in it.
     */
    public void starting(Runnable action, boolean urgent) {
        Object previous = STARTING.get();
        STARTING.set(urgent ? queues.urgent : queues.inbound);
        if (urgent) {
            URGENT_STARTING.incrementAndGet();
        }
        try {
            action.run();
        } finally {
            if (urgent) {
                URGENT_STARTING.decrementAndGet();
            }
            STARTING.set(previous);
        }
    }

    /**
     * Schedules the resume of a virtual thread whose timed wait (or a timed park armed off the loop's
     * owner) expired, issued by the JDK's timer thread (the {@link ForkJoinPoolFacade}'s worker). It takes the expiry queue, which the loop
     * serves before new inbound work, so that a sleeper woken during a burst of submissions is not
     * queued behind it. Never blocks and never throws; after the loop stopped it is dropped, as in
     * {@link #execute}. From the loop's own thread it is a plain {@link #execute}.
     */
    public void executeExpiry(Runnable continuation) {
        if (inLoop()) {
            execute(continuation); // the owner's thread: the local path (or, racing a hand-off, the inbound one)
            return;
        }
        if (runState == TERMINATED) {
            dropped.incrementAndGet();
            return;
        }
        queues.offer(queues.expiries, continuation, stamp()); // as in execute(): the swap, then the gate's load
        gate.wake();
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

    /** The stamp of a continuation made runnable by another thread now: its clock, or 0 when delays are not measured. */
    private long stamp() {
        return measureDelays ? System.nanoTime() | 1 : 0; // | 1: never 0, which means "not measured"
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
            runners.clear();
            runners.flushReleases();
        }
        terminated.countDown();
    }
}
