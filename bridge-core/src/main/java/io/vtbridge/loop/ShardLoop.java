package io.vtbridge.loop;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.internal.JdkAccess;
import io.vtbridge.queue.MpscLinkedQueue;
import io.vtbridge.timer.Timer;
import io.vtbridge.timer.TimerQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * One shard's event loop, and the {@link Executor} that schedules its virtual threads.
 *
 * <p>Each iteration serves the work the loop already owns before it takes new work from outside:
 * <ol>
 *   <li>fires up to {@code 8 × batch} due loop timers ({@code Bridge.sleep});</li>
 *   <li>runs up to {@code 8 × batch} resumes from the JDK's timer thread (expired timed parks,
 *       {@code Thread.sleep}, on JDK 25 where the loop is seen as a ForkJoinPool; see
 *       {@link #executeExpiry}; on other JDKs these arrive as other threads' resumes);</li>
 *   <li>runs up to {@code 8 × batch} resumes issued by other threads (a lock hand-off from another
 *       shard, a completion, a socket wake-up): work this shard already runs;</li>
 *   <li>runs up to {@code 8 × batch} continuations from the local run queue (resumes issued on this
 *       loop's own thread; no atomics on that path), only those queued before this step;</li>
 *   <li>runs up to {@code batch} thread starts from the inbound MPSC queue: new work (see
 *       {@link #starting});</li>
 *   <li>if it found no work: spins {@code idleSpins} turns, then parks until the next timer or a
 *       wake-up, through the {@link WakeupGate} handshake.</li>
 * </ol>
 * Why this order and these shares: a resume that is due (a timer expired, a same-shard lock
 * hand-off) belongs to work already admitted, and its lateness is what users see; a new start can
 * wait an iteration. With a burst of 100k inbound releases that each arm a 20 ms sleep, serving the
 * sources 1:1 let the wake-ups queue behind the release tail (p99 lateness 40–57 ms against the
 * default scheduler's 22–35 ms; docs/BENCHMARKS.md). Inbound work is never starved: every iteration
 * takes up to {@code batch} of it, whatever the backlog elsewhere (so at least one mount in 25 when
 * every source is backlogged), and a thread that yields in a loop re-queues behind the step that
 * runs it.
 * The loop runs only this code and the continuations it mounts: it never logs, takes no lock of
 * its own, and calls no user code except by mounting a virtual thread. (One JDK lock can be taken on
 * the loop thread: when a mounted virtual thread parks with a timeout, {@code Thread.sleep}, the JDK
 * arms the timer under its {@code ScheduledThreadPoolExecutor}'s queue lock; no virtual thread ever
 * holds that lock. See {@code JdkAccess.spreadTimerQueues}.)
 *
 * <p>Run states:
 * <pre>
 *   NEW      -> RUNNING     start()        (owner of the bridge)
 *   RUNNING  -> STOPPING    stop()         (any thread, CAS)
 *   STOPPING -> TERMINATED  loop exit      (loop thread)
 * </pre>
 *
 * <p><b>Threading:</b> {@link #execute}, {@link #stop}, {@link #awaitTermination} and the readers
 * ({@link #counters()}, {@link #unparks()}...) may be called from any thread. {@link #sleep} and
 * {@link #timers()} only by a virtual thread this loop is carrying ({@code assert inLoop()}).
 */
public final class ShardLoop implements Executor {

    /** Longest delay a loop timer accepts (about 73 years); longer sleeps are clamped to it. */
    public static final long MAX_DELAY_NANOS = Long.MAX_VALUE >> 2;

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int STOPPING = 2;
    private static final int TERMINATED = 3;

    private static final VarHandle RUN_STATE;
    private static final VarHandle MOUNT_STATE = LoopThread.MOUNT_STATE; // on each carrier: a new owner has a state of its own

    static {
        try {
            RUN_STATE = MethodHandles.lookup().findVarHandle(ShardLoop.class, "runState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int index;
    private final Object owner;
    private final int batch;
    private final int ownedBatch;
    private final int idleSpins;
    private volatile LoopThread thread;   // the owner: the carrier that runs the loop now; replaced by a hand-off
    private final String threadName;
    private final boolean daemon;
    private boolean handOff;              // set before start(): the per-mount hand-off handshake is on
    private int maxExtraCarriers;         // set before start()
    private final AtomicInteger extraCarriers = new AtomicInteger(); // carriers that lost the loop and are still alive
    private final AtomicLong handOffs = new AtomicLong();            // hand-offs so far
    private static final int MOUNT_IDLE = 0;
    private static final int MOUNTED = 1;
    private static final int MOUNT_TAKEN = 2;

    /** Per iteration, the loop's own sources (timers, expiries, local) get this many batches each; inbound one. */
    public static final int OWNED_SHARE = 8;

    /** Default coop budget: fast paths one virtual thread may take in one run before it yields. */
    public static final int DEFAULT_COOP_BUDGET = 128;

    private final MpscLinkedQueue<Runnable> inbound = new MpscLinkedQueue<>(); // any thread offers; loop polls
    private final MpscLinkedQueue<Runnable> expiries = new MpscLinkedQueue<>(); // the JDK's timer thread offers; loop polls
    private final MpscLinkedQueue<Runnable> resumes = new MpscLinkedQueue<>();  // other threads' resumes of this loop's threads; loop polls
    private static final ThreadLocal<ShardLoop> STARTING = new ThreadLocal<>(); // set by starting(): execute() calls on this thread are thread starts
    private final ArrayDeque<Runnable> local = new ArrayDeque<>(256);           // loop-owned
    private boolean probing;                                                    // loop-owned: a bridged thread is yielding to probe for pinning (isPinned)
    private final TimerQueue timers = new TimerQueue();                         // loop-owned
    private final WakeupGate gate = new WakeupGate();
    private final LoopCounters counters = new LoopCounters();
    private final LoopEvents events;
    private final AtomicLong dropped = new AtomicLong();                        // continuations that arrived after termination
    private final LongAdder offered = new LongAdder();                          // offers to the inbound and expiry queues, for their depth
    private static final VarHandle GAUGE = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] gauges = new long[4];                                  // setOpaque by the loop, getOpaque by readers: see GAUGE_*
    private static final int GAUGE_LOCAL = 0;          // local run queue length after the last working iteration
    private static final int GAUGE_TIMERS = 1;         // loop timers pending after the last working iteration
    private static final int GAUGE_LONGEST = 2;        // the longest working iteration so far, in nanoseconds
    private static final int GAUGE_BUSY_SINCE = 3;     // nanoTime when the current iteration began; 0 while idle (parked)
    private final CountDownLatch terminated = new CountDownLatch(1);

    private volatile int runState;          // see the table above
    private volatile Throwable lastError;   // written by the loop when a continuation throws; read by monitors

    /**
     * @param index     shard index, for names and stats
     * @param owner     the object that owns this loop (the {@code Shard}); returned by {@link #owner()}
     * @param name      the loop thread's name
     * @param daemon    whether the loop thread is a daemon thread
     * @param batch     inbound continuations per iteration, at least 1; the loop's own sources take
     *                  {@value #OWNED_SHARE} times as many
     * @param idleSpins empty iterations spun before parking, at least 0
     */
    public ShardLoop(int index, Object owner, String name, boolean daemon, int batch, int idleSpins) {
        this(index, owner, name, daemon, batch, idleSpins, null, DEFAULT_COOP_BUDGET);
    }

    /**
     * @param sink       where events go besides the counters, or {@code null}
     * @param coopBudget fast paths a virtual thread may take in one run before it yields, at least 1
     * @see #ShardLoop(int, Object, String, boolean, int, int)
     */
    public ShardLoop(int index, Object owner, String name, boolean daemon, int batch, int idleSpins,
                     EventSink sink, int coopBudget) {
        if (coopBudget <= 0) {
            throw new IllegalArgumentException("coopBudget must be positive, was " + coopBudget);
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, was " + batch);
        }
        if (idleSpins < 0) {
            throw new IllegalArgumentException("idleSpins must not be negative, was " + idleSpins);
        }
        this.index = index;
        this.owner = owner;
        this.batch = batch;
        this.ownedBatch = (int) Math.min((long) batch * OWNED_SHARE, Integer.MAX_VALUE);
        this.idleSpins = idleSpins;
        this.thread = new LoopThread(this, name, daemon);
        this.threadName = name;
        this.daemon = daemon;
        this.events = new LoopEvents(index, sink, coopBudget);
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
        if (maxExtraCarriers <= 0) {
            throw new IllegalArgumentException("maxExtraCarriers must be positive, was " + maxExtraCarriers);
        }
        this.handOff = true;
        this.maxExtraCarriers = maxExtraCarriers;
    }

    /**
     * Moves the loop to a fresh platform thread, if its current carrier is stuck in one mount (a
     * carrier-blocking call of the virtual thread it carries): any thread, normally the stall
     * watchdog. The old carrier stays inside the call; when the virtual thread next unmounts, the
     * old carrier finds the loop taken and exits. Returns whether it happened: not if hand-off is off,
     * the loop is not running, the mount has ended meanwhile, or {@code maxExtraCarriers} old
     * carriers are still alive.
     *
     * <p>The handshake: the watchdog CASes the old carrier's mount state MOUNTED → TAKEN (the old
     * carrier's own CAS MOUNTED → IDLE at the end of the mount fails from then on, and it retires),
     * then stores the new owner, then waits until the old carrier is not inside an access to
     * loop-owned state (see {@code enterOwned}), and only then starts the new owner. If the CAS
     * fails, the mount had ended: nothing changes.
     */
    public synchronized boolean handOff() { // synchronized: one hand-off decision at a time (the watchdog's thread; never a loop)
        if (!handOff || runState != RUNNING || extraCarriers.get() >= maxExtraCarriers) {
            return false;
        }
        LoopThread old = thread;
        extraCarriers.incrementAndGet(); // before the CAS: the old carrier may retire (and count down) at once after it
        if (!MOUNT_STATE.compareAndSet(old, MOUNTED, MOUNT_TAKEN)) {
            extraCarriers.decrementAndGet();
            return false; // the mount ended: no stall any more
        }
        // The old carrier's mount can no longer end with its CAS: it will retire. Now publish the
        // new owner (volatile store), then wait out an access the old carrier may have begun
        // before it could see it (its volatile store of inOwnedOp, then its load of the owner).
        LoopThread next = new LoopThread(this, threadName + "-h" + (handOffs.get() + 1), daemon);
        thread = next; // from here bridged code on the old carrier takes the cross-thread paths
        while (old.inOwnedOp()) {
            Thread.onSpinWait(); // an access that began before our store of the owner: a few instructions
        }
        handOffs.incrementAndGet();
        next.start(); // happens-after everything the old carrier did before its mount (its volatile store of MOUNTED)
        return true;
    }

    /** Hand-offs so far. Any thread. */
    public long handOffs() {
        return handOffs.get();
    }

    /** Carriers that lost this loop to a hand-off and are still alive (inside their blocking call). Any thread. */
    public int extraCarriers() {
        return extraCarriers.get();
    }

    /** Starts the loop thread. Once. */
    public void start() {
        if (!RUN_STATE.compareAndSet(this, NEW, RUNNING)) {
            throw new IllegalStateException("loop " + index + " already started");
        }
        thread.start();
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
        return JdkAccess.currentCarrierThread() instanceof LoopThread carrier && carrier.loop().thread == carrier
                ? carrier.loop() : null;
    }

    /** Whether the current thread is this loop's thread or a virtual thread it is carrying. */
    public boolean inLoop() {
        Thread t = Thread.currentThread();
        LoopThread owner = thread;
        return t == owner || (t.isVirtual() && JdkAccess.currentCarrierThread() == owner);
    }

    /**
     * Begins an access to loop-owned state (the local run queue, the timers) from the current
     * thread, if it may: returns {@code false} (and begins nothing) when the current thread is not
     * on this loop's owner. In HAND_OFF mode the access is announced on the carrier first (a
     * volatile store, then the volatile read of the owner), so a hand-off, which stores the new owner
     * and then waits for the old carrier's announcement to clear, never starts the new owner while
     * the old carrier is inside such an access. Pair with {@link #endOwned()}.
     */
    private boolean enterOwned() {
        if (!handOff) {
            return inLoop();
        }
        if (!(carrierOfCurrent() instanceof LoopThread carrier) || carrier.loop() != this) {
            return false;
        }
        carrier.beginOwnedOp();
        if (carrier == thread) {
            return true;
        }
        carrier.endOwnedOp(); // a carrier that lost the loop: take the cross-thread path
        return false;
    }

    private void endOwned() {
        if (handOff && carrierOfCurrent() instanceof LoopThread carrier) {
            carrier.endOwnedOp();
        }
    }

    private static Thread carrierOfCurrent() {
        Thread t = Thread.currentThread();
        return t.isVirtual() ? JdkAccess.currentCarrierThread() : t;
    }

    /**
     * Schedules a continuation. Never blocks and never throws: on the loop's own thread it joins the
     * local run queue; from any other thread it joins the inbound queue and wakes the loop if it
     * sleeps.
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
        if (enterOwned()) {
            if (probing) {
                // The resume of a pinning probe: it goes first, so the probe costs a switch, not a
                // trip through the whole run queue (which in a burst can be thousands long).
                probing = false;
                local.addFirst(continuation);
            } else {
                local.addLast(continuation);
            }
            counters.increment(LoopCounter.LOCAL_SCHEDULES);
            endOwned();
            return;
        }
        if (runState == TERMINATED) {
            dropped.incrementAndGet();
            return;
        }
        offered.increment();
        // A start is new work (the inbound share); anything else from another thread resumes work
        // this shard already runs (a lock hand-off, a completion, a socket): the owned share.
        MpscLinkedQueue<Runnable> queue = STARTING.get() == this ? inbound : resumes;
        queue.offer(continuation); // sequentially consistent swap, then...
        gate.wake();               // ...the load of the gate's state: see WakeupGate
    }

    /**
     * Runs {@code action} (which starts virtual threads of this loop, e.g. {@code thread.start()})
     * so that the starts it makes from this thread take the inbound queue, the share for new work,
     * rather than the resume queue. The bridge wraps every task start in it.
     */
    public void starting(Runnable action) {
        ShardLoop previous = STARTING.get();
        STARTING.set(this);
        try {
            action.run();
        } finally {
            STARTING.set(previous);
        }
    }

    /**
     * Schedules the resume of a virtual thread whose timed park expired, issued by the JDK's timer
     * thread (the {@link ForkJoinPoolFacade}'s worker). It takes the expiry queue, which the loop
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
        offered.increment();
        expiries.offer(continuation); // as in execute(): the swap, then the gate's load
        gate.wake();
    }

    /**
     * Suspends the calling bridged virtual thread for {@code nanos} on a loop timer: the virtual
     * thread unmounts, the loop keeps running, and step 3 of a later iteration resumes it. No JDK
     * timer thread is involved, except for a pinned thread, which cannot unmount: that one sleeps
     * with {@code Thread.sleep}, holding the carrier (see {@link #isPinned()}).
     *
     * @throws InterruptedException if the thread is interrupted before or while sleeping; the timer is removed
     */
    public void sleep(long nanos) throws InterruptedException {
        assert inLoop() : "ShardLoop.sleep called off loop " + index;
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (nanos <= 0) {
            return;
        }
        long deadline = System.nanoTime() + Math.min(nanos, MAX_DELAY_NANOS);
        events.request(EventKind.SLEEP);
        if (isPinned()) {
            // A pinned virtual thread cannot unmount: its park would park the carrier, i.e. this
            // loop, and the loop timer meant to wake it could never fire. Block the carrier for the
            // duration instead, as any blocking call of a pinned thread does.
            long remaining = deadline - System.nanoTime();
            if (remaining > 0) {
                Thread.sleep(Duration.ofNanos(remaining));
            }
            return;
        }
        SleepTimer timer = new SleepTimer(deadline, Thread.currentThread());
        addTimer(timer);
        try {
            while (!timer.hasExpired()) {
                long token = beginWait(EventKind.SLEEP);
                LockSupport.park(timer);
                endWait(EventKind.SLEEP, token);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            // Back on this loop's owner: a virtual thread always resumes on its own shard.
            removeTimer(timer);
        }
    }

    /**
     * Whether the calling bridged virtual thread is pinned to its carrier (inside a class
     * initialiser or a native frame on every JDK; inside {@code synchronized} or {@code Object.wait}
     * on JDK 21–23). The JDK's own check ({@code Continuation.isPinned}) is not reachable with the
     * one flag vtbridge needs, so this probes: a {@code Thread.yield()} unmounts only an unpinned
     * thread, and its resume is a mount of this loop. A pinned yield returns at once with no mount
     * in between. Cost: one yield (a same-shard suspend and resume, about 180 ns); the resume goes to
     * the head of the run queue, so the probe does not wait behind other work.
     */
    private boolean isPinned() {
        long mounts = counters.get(LoopCounter.MOUNTS);
        probing = true;   // the yield's resume, the next execute() on this loop, jumps the queue
        events.suspendingSilently(); // the probe is no event of the event model
        Thread.yield();
        probing = false;  // a pinned yield never reached execute()
        boolean pinned = counters.get(LoopCounter.MOUNTS) == mounts;
        events.resumedSilently(!pinned); // a pinned probe did not unmount: this mount's classification stands
        return pinned;
    }

    /**
     * Whether the calling bridged virtual thread is pinned to its carrier: see the probe below. For
     * vtbridge primitives that must not park on a loop-owned wait when the thread cannot unmount.
     */
    public boolean currentThreadIsPinned() {
        assert inLoop() : "currentThreadIsPinned called off loop " + index;
        return isPinned();
    }

    /**
     * The coop budget check, at the start of each vtbridge request in bridged code: a virtual thread
     * that has taken {@code coopBudget} fast paths since it was mounted yields (a YIELD event), so
     * that one hot thread cannot hold its shard. A pinned thread cannot yield; it goes on.
     */
    public void coopCheck() {
        if (!events.budgetSpent()) {
            return;
        }
        events.request(EventKind.YIELD);
        long token = beginWait(EventKind.YIELD);
        Thread.yield();
        endWait(EventKind.YIELD, token); // a pinned thread's yield does not unmount: no SUSPEND, no RESUME
        events.resetBudget();
    }

    /**
     * Announces that the calling bridged thread is about to wait for {@code kind} (it will park, and
     * may unmount). Returns a token for {@link #endWait}. The SUSPEND is recorded by the loop if the
     * wait really unmounts the thread.
     */
    public long beginWait(EventKind kind) {
        events.suspending(kind);
        return counters.get(LoopCounter.MOUNTS);
    }

    /** After the wait begun with {@code token}: records the RESUME if the thread was unmounted meanwhile. */
    public void endWait(EventKind kind, long token) {
        if (counters.get(LoopCounter.MOUNTS) != token) {
            events.resumed(kind);
        } else {
            events.notSuspended(); // it never unmounted (the permit was there, or the thread is pinned)
        }
    }

    /**
     * Counts {@code counter} for code running in a bridged thread of this loop: on the loop's
     * owner a plain single-writer count, elsewhere (a carrier that has just lost the loop to a
     * hand-off) an atomic one.
     */
    public void countFromCurrentThread(LoopCounter counter) {
        if (inLoop()) {
            counters.increment(counter);
        } else {
            counters.incrementShared(counter);
        }
    }

    /** The event model of this loop: counters by phase and kind, the coop budget. */
    public LoopEvents events() {
        return events;
    }

    /**
     * Arms a loop timer for the calling bridged thread. On the loop's owner it goes straight into
     * the loop-owned queue; on a carrier that has just lost the loop to a hand-off, the loop's new
     * owner adds it (through the inbound queue). Either way it expires on the loop's thread.
     */
    public void addTimer(Timer timer) {
        if (enterOwned()) {
            timers.add(timer);
            endOwned();
        } else {
            execute(() -> timers.add(timer));
        }
    }

    /** Removes a timer armed with {@link #addTimer} (a no-op if it fired). As addTimer, on whichever thread owns the loop. */
    public void removeTimer(Timer timer) {
        if (enterOwned()) {
            timers.remove(timer);
            endOwned();
        } else {
            execute(() -> timers.remove(timer));
        }
    }

    /**
     * The loop-owned timer queue, to read (its size, in tests). Only on the loop's owner thread;
     * arm and cancel timers with {@link #addTimer} and {@link #removeTimer}, which also work while
     * the loop is being handed off.
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
        if (thread.getState() == Thread.State.NEW) {
            return true; // stopped before it started
        }
        // terminate() is the loop thread's last act: it is returning from run() now.
        return thread.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
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
        return thread;
    }

    /** This loop's event counters (written by the loop, readable from any thread). */
    public LoopCounters counters() {
        return counters;
    }

    /** Unparks issued to this loop by other threads; a wake-up of a loop that was awake costs none. */
    public long unparks() {
        return gate.unparks();
    }

    /** Continuations waiting in the inbound and expiry queues: offered minus taken, a snapshot. Any thread. */
    public long inboundDepth() {
        long taken = counters.get(LoopCounter.REMOTE_SCHEDULES) + counters.get(LoopCounter.EXPIRY_SCHEDULES); // all three foreign queues
        return Math.max(0, offered.sum() - taken);
    }

    /** The local run queue's length after the last iteration that found work. Any thread. */
    public long localDepth() {
        return (long) GAUGE.getOpaque(gauges, GAUGE_LOCAL);
    }

    /** Loop timers pending after the last iteration that found work. Any thread. */
    public long pendingTimers() {
        return (long) GAUGE.getOpaque(gauges, GAUGE_TIMERS);
    }

    /**
     * When the current loop iteration began ({@link System#nanoTime()}), or 0 while the loop is idle
     * (parked, or about to). A stall is an iteration that has been running too long. Any thread.
     */
    public long busySince() {
        return (long) GAUGE.getOpaque(gauges, GAUGE_BUSY_SINCE);
    }

    /** The longest iteration that found work, in nanoseconds (a stall shows here). Any thread. */
    public long longestIterationNanos() {
        return (long) GAUGE.getOpaque(gauges, GAUGE_LONGEST);
    }

    /** Continuations that arrived after the loop terminated, or were still queued when it exited: never run. */
    public long dropped() {
        return dropped.get();
    }

    /** The last throwable that escaped a continuation, or {@code null}. */
    public Throwable lastError() {
        return lastError;
    }

    // ---- the loop -------------------------------------------------------------------------------

    void run() { // the body of LoopThread
        try {
            loop();
        } catch (Throwable e) { // not a continuation's: the loop's own machinery failed (an OOM, say)
            if (!retired()) {
                counters.increment(LoopCounter.ERRORS);
                lastError = e;
            }
        } finally {
            if (retired()) {
                extraCarriers.decrementAndGet(); // a carrier that lost the loop leaves; the new owner runs on
            } else {
                terminate(); // never leave a dead loop that still looks RUNNING to execute()
            }
        }
    }

    private void loop() {
        int spins = 0;
        while (runState == RUNNING) {
            long start = System.nanoTime();
            GAUGE.setOpaque(gauges, GAUGE_BUSY_SINCE, start | 1L); // never 0 while busy (| 1: off by 1 ns at most)
            int work = fireTimers() + runExpiries();
            if (handOff && retired()) {
                return;
            }
            work += runResumes();
            if (handOff && retired()) {
                return;
            }
            work += runLocal();
            if (handOff && retired()) {
                return;
            }
            work += runInbound();
            if (handOff && retired()) {
                return;
            }
            if (work > 0) {
                // Only iterations that found work are counted: an idle spin writes nothing, so it
                // does not bounce the counters' cache line under threads that read them.
                counters.increment(LoopCounter.ITERATIONS);
                publishGauges(System.nanoTime() - start);
                spins = 0;
            } else if (spins < idleSpins) {
                spins++;
                Thread.onSpinWait();
            } else {
                spins = 0;
                idle();
            }
        }
    }

    private void publishGauges(long iterationNanos) {
        GAUGE.setOpaque(gauges, GAUGE_LOCAL, (long) local.size());
        GAUGE.setOpaque(gauges, GAUGE_TIMERS, (long) timers.size());
        if (iterationNanos > gauges[GAUGE_LONGEST]) {
            GAUGE.setOpaque(gauges, GAUGE_LONGEST, iterationNanos);
        }
    }

    private int runInbound() {
        return runRemote(inbound, batch, LoopCounter.REMOTE_SCHEDULES);
    }

    private int runExpiries() {
        return runRemote(expiries, ownedBatch, LoopCounter.EXPIRY_SCHEDULES);
    }

    private int runResumes() {
        return runRemote(resumes, ownedBatch, LoopCounter.REMOTE_SCHEDULES);
    }

    private int runRemote(MpscLinkedQueue<Runnable> queue, int limit, LoopCounter counter) {
        int n = 0;
        Runnable continuation;
        while (n < limit && (continuation = queue.poll()) != null) {
            n++;
            counters.increment(counter); // before the mount: whoever the continuation completes sees it counted
            mount(continuation);
            if (handOff && retired()) {
                return n;
            }
        }
        return n;
    }

    private int runLocal() {
        // Only what was queued before this step: resumes issued now wait for the next iteration,
        // so the inbound queue gets its turn even when threads yield in a loop.
        int n = Math.min(local.size(), ownedBatch);
        for (int i = 0; i < n; i++) {
            mount(local.pollFirst());
            if (handOff && retired()) {
                return i + 1;
            }
        }
        return n;
    }

    private int fireTimers() {
        if (timers.size() == 0) {
            return 0;
        }
        int fired = timers.fireDue(System.nanoTime(), ownedBatch);
        counters.add(LoopCounter.TIMERS_FIRED, fired);
        return fired;
    }

    private void mount(Runnable continuation) {
        counters.increment(LoopCounter.MOUNTS);
        events.beginMount();
        LoopThread self = handOff ? (LoopThread) Thread.currentThread() : null;
        if (handOff) {
            MOUNT_STATE.setVolatile(self, MOUNTED); // publishes everything above to a watchdog that takes the loop
        }
        try {
            continuation.run();
        } catch (Throwable e) { // the JDK's continuation runner handles user exceptions itself
            if (!handOff || self.mountState != MOUNT_TAKEN) {
                counters.increment(LoopCounter.ERRORS);
                lastError = e;
            }
        }
        if (handOff && !MOUNT_STATE.compareAndSet(self, MOUNTED, MOUNT_IDLE)) {
            // The watchdog handed the loop to a new carrier while this one was stuck in the mount:
            // touch nothing loop-owned any more, and leave.
            self.retired = true;
            return;
        }
        events.endMount();
    }

    /** Whether the current thread, a loop thread, lost the loop in its last mount. */
    private static boolean retired() {
        return Thread.currentThread() instanceof LoopThread self && self.retired;
    }

    private void idle() {
        GAUGE.setOpaque(gauges, GAUGE_BUSY_SINCE, 0L); // parked: not a stall, however long
        gate.prepareToSleep(); // volatile store; the loads below cannot move above it
        if (!inbound.isEmpty() || !expiries.isEmpty() || !resumes.isEmpty() || !local.isEmpty() || runState != RUNNING) {
            gate.awake();
            return;
        }
        long next = timers.nextDeadline();
        if (next == TimerQueue.NONE) {
            LockSupport.park(this);
        } else {
            long delay = next - System.nanoTime();
            if (delay <= 0) {
                gate.awake(); // a timer is due already: back to step 3
                return;
            }
            LockSupport.parkNanos(this, delay);
        }
        gate.awake();
        counters.increment(LoopCounter.PARKS);
        // No virtual thread is mounted here, so the carrier's interrupt status means nothing;
        // a stray interrupt would otherwise turn every later park into a spin.
        Thread.interrupted();
    }

    private void terminate() {
        runState = TERMINATED; // volatile store: execute() callers after this count their drop
        long left = local.size();
        local.clear();
        left += drain(inbound) + drain(expiries) + drain(resumes);
        dropped.addAndGet(left);
        terminated.countDown();
    }

    private static long drain(MpscLinkedQueue<Runnable> queue) {
        long n = 0;
        while (!queue.isEmpty()) {
            if (queue.poll() != null) {
                n++;
            } else {
                Thread.onSpinWait(); // a producer between its swap and its link
            }
        }
        return n;
    }

    /** A loop timer that resumes one sleeping virtual thread. */
    private static final class SleepTimer extends Timer {
        private static final VarHandle EXPIRED;

        static {
            try {
                EXPIRED = MethodHandles.lookup().findVarHandle(SleepTimer.class, "expired", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Thread sleeper;
        private boolean expired; // setRelease by the loop in expire(); getAcquire by the sleeper in hasExpired()

        SleepTimer(long deadline, Thread sleeper) {
            super(deadline);
            this.sleeper = sleeper;
        }

        @Override
        protected void expire() {
            EXPIRED.setRelease(this, true);   // pairs with the getAcquire in hasExpired()
            LockSupport.unpark(sleeper);        // on the loop thread: lands in the local run queue
        }

        boolean hasExpired() {
            return (boolean) EXPIRED.getAcquire(this);
        }
    }
}
