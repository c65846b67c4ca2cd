package io.vtbridge.loop;

import io.vtbridge.internal.JdkAccess;
import io.vtbridge.queue.MpscLinkedQueue;
import io.vtbridge.timer.TimerQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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
 * <p>What lives beside this class: {@link LoopOwnership} (which carrier owns the loop, and the
 * hand-off to a fresh one), {@link LoopServices} (what bridged threads call on their loop: timers,
 * sleep, waits and their events), {@link LoopEvents} (the event model), {@link LoopGauges} and
 * {@link LoopCounters} (what monitoring threads read), {@link WakeupGate} (the go-to-sleep
 * handshake).
 *
 * <p><b>Threading:</b> {@link #execute}, {@link #stop}, {@link #awaitTermination} and the readers
 * ({@link #counters()}, {@link #unparks()}...) may be called from any thread; {@link #timers()} only
 * by a virtual thread this loop is carrying ({@code assert inLoop()}); the loop itself runs on its
 * {@link LoopThread}.
 */
public final class ShardLoop implements Executor {

    /** Longest delay a loop timer accepts (about 73 years); longer sleeps are clamped to it. */
    public static final long MAX_DELAY_NANOS = Long.MAX_VALUE >> 2;

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int STOPPING = 2;
    private static final int TERMINATED = 3;

    private static final VarHandle RUN_STATE;

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
    private final LoopOwnership ownership; // which carrier runs the loop now, and the hand-off protocol

    /** Per iteration, the loop's own sources (timers, expiries, local) get this many batches each; inbound one. */
    public static final int OWNED_SHARE = 8;

    /** Default coop budget: fast paths one virtual thread may take in one run before it yields. */
    public static final int DEFAULT_COOP_BUDGET = 128;

    private final MpscLinkedQueue<Runnable> inbound = new MpscLinkedQueue<>(); // any thread offers; loop polls
    private final MpscLinkedQueue<Runnable> expiries = new MpscLinkedQueue<>(); // the JDK's timer thread offers; loop polls
    private final MpscLinkedQueue<Runnable> resumes = new MpscLinkedQueue<>();  // other threads' resumes of this loop's threads; loop polls
    private static final ThreadLocal<ShardLoop> STARTING = new ThreadLocal<>(); // set by starting(): execute() calls on this thread are thread starts
    private final ArrayDeque<Runnable> local = new ArrayDeque<>(256);           // loop-owned
    private final TimerQueue timers = new TimerQueue();                         // loop-owned
    private final WakeupGate gate = new WakeupGate();
    private final LoopCounters counters = new LoopCounters();
    private final LoopEvents events;
    private final LoopServices services;
    private final LoopGauges gauges = new LoopGauges();
    private final AtomicLong dropped = new AtomicLong();                        // continuations that arrived after termination
    private final LongAdder offered = new LongAdder();                          // offers to the inbound and expiry queues, for their depth
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
        // Checked once, where the user gave them (BridgeBuilder); here they are the loop's invariants.
        assert coopBudget > 0 : "coopBudget " + coopBudget;
        assert batch > 0 : "batch " + batch;
        assert idleSpins >= 0 : "idleSpins " + idleSpins;
        this.index = index;
        this.owner = owner;
        this.batch = batch;
        this.ownedBatch = (int) Math.min((long) batch * OWNED_SHARE, Integer.MAX_VALUE);
        this.idleSpins = idleSpins;
        this.ownership = new LoopOwnership(this, name, daemon);
        this.events = new LoopEvents(index, sink, coopBudget);
        this.services = new LoopServices(this, ownership, timers, events, counters);
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
        if (ownership.enterOwned()) {
            if (services.takeProbe()) {
                // The resume of a pinning probe: it goes first, so the probe costs a switch, not a
                // trip through the whole run queue (which in a burst can be thousands long).
                local.addFirst(continuation);
            } else {
                local.addLast(continuation);
            }
            counters.increment(LoopCounter.LOCAL_SCHEDULES);
            ownership.endOwned();
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

    /** Continuations waiting in the inbound and expiry queues: offered minus taken, a snapshot. Any thread. */
    public long inboundDepth() {
        long taken = counters.get(LoopCounter.REMOTE_SCHEDULES) + counters.get(LoopCounter.EXPIRY_SCHEDULES); // all three foreign queues
        return Math.max(0, offered.sum() - taken);
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
     * (parked, or about to). A stall is an iteration that has been running too long. Any thread.
     */
    public long busySince() {
        return gauges.busySince();
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

    // ---- the loop -------------------------------------------------------------------------------

    void run() { // the body of LoopThread
        try {
            loop();
        } catch (Throwable e) { // not a continuation's: the loop's own machinery failed (an OOM, say)
            if (!ownership.lost()) {
                counters.increment(LoopCounter.ERRORS);
                lastError = e;
            }
        } finally {
            if (ownership.lost()) {
                ownership.retired(); // a carrier that lost the loop leaves; the new owner runs on
            } else {
                terminate(); // never leave a dead loop that still looks RUNNING to execute()
            }
        }
    }

    private void loop() {
        int spins = 0;
        while (runState == RUNNING) {
            long start = System.nanoTime();
            gauges.busy(start);
            int work = fireTimers() + runExpiries();
            if (ownership.lost()) {
                return;
            }
            work += runResumes();
            if (ownership.lost()) {
                return;
            }
            work += runLocal();
            if (ownership.lost()) {
                return;
            }
            work += runInbound();
            if (ownership.lost()) {
                return;
            }
            if (work > 0) {
                // Only iterations that found work are counted: an idle spin writes nothing, so it
                // does not bounce the counters' cache line under threads that read them.
                counters.increment(LoopCounter.ITERATIONS);
                gauges.publish(local.size(), timers.size(), System.nanoTime() - start);
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
            if (ownership.lost()) {
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
            if (ownership.lost()) {
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
        LoopThread self = ownership.beginMount(); // with hand-off on: publishes everything above to a watchdog that takes the loop
        try {
            continuation.run();
        } catch (Throwable e) { // the JDK's continuation runner handles user exceptions itself
            if (!LoopOwnership.taken(self)) {
                counters.increment(LoopCounter.ERRORS);
                lastError = e;
            }
        }
        if (!ownership.endMount(self)) {
            // The watchdog handed the loop to a new carrier while this one was stuck in the mount:
            // touch nothing loop-owned any more, and leave.
            return;
        }
        events.endMount();
    }

    private void idle() {
        gauges.idle(); // parked: not a stall, however long
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
}
