package io.vtbridge.loop;

import io.vtbridge.internal.IdentityIndex;
import io.vtbridge.internal.ThreadReset;
import io.vtbridge.internal.VarHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * A loop's <em>runners</em>: bridged virtual threads that run submitted tasks one after another, so
 * that a task costs no virtual thread of its own. Where the tasks wait, and which runs next, is
 * {@link TaskSources}'s; the spill of unkeyed tasks to a shard that has nothing to do is
 * {@link TaskSpill}'s.
 *
 * <p><b>One active runner.</b> The loop's task step ({@link LoopTurn}) mounts the <em>active</em>
 * runner, which runs tasks inline, one after another in one mount, until the step's deadline, its
 * count, a latency-lane start or an empty queue; then it parks and the loop goes on. If a task blocks
 * (or yields), the mount ends with the runner inside the task: the loop sees it ({@link #mountEnded})
 * and the runner is no longer active, so the next step activates another, an idle one or a new one.
 * The blocked runner finishes its task whenever it is resumed, then parks among the idle runners (at
 * most {@link #MAX_IDLE}; beyond that it ends). A runner that finds itself off its loop's owner after
 * a task (moved as a hog, or left on a carrier that lost the loop to a hand-off) ends.
 *
 * <p><b>Activation without a trip through a queue.</b> The loop unparks (or starts) the runner it
 * activates with {@link #capturing} set, so that the continuation the JDK hands to the loop's
 * {@code execute} is given back here and mounted at once.
 *
 * <p><b>Slots.</b> A task that ends on the loop leaves its in-flight slot here; the loop frees the
 * turn's slots together ({@link SlotReleaser}, one push of the chain), at the end of each turn.
 *
 * <p><b>Hunger.</b> A loop that has found no work for {@link #HUNGRY_AFTER} turns in a row, or is
 * about to park, says it is hungry (a volatile flag, {@link #turnEnded}). A busy peer's spill claims
 * a hungry loop (a CAS on the flag, {@link #claimHungry}) and feeds it ({@link TaskSpill}); a peer
 * with runnable runners of unkeyed tasks wakes it to take one ({@link RunnerSteal}).
 *
 * <p><b>The steal.</b> A runner inside a task without a key that blocks and is resumed may be run
 * by a peer loop that has nothing of its own ({@link RunnerSteal}); such a runner ends after its
 * task (it finds itself off its loop's owner), and its continuation leaves the steal's map then.
 *
 * <p><b>Threading:</b> {@link #isHungry}, {@link #claimHungry} and {@link #leaveHungry} from peers
 * (any thread); {@link TaskSources#submitRemote} through {@link #sources} from any thread; the rest
 * on the loop's owner (the loop thread, or a runner it carries, checked with
 * {@code LoopOwnership.enterOwned()}).
 */
final class TaskRunners {

    /** Idle runners kept per loop; a runner that finishes a task with this many idle ends instead. */
    static final int MAX_IDLE = 64;

    /** Slots of ended tasks freed in one batch at most. */
    static final int RELEASE_BATCH = 64;

    /** Consecutive turns without work after which a loop says it is hungry (or fewer, if it parks first). */
    static final int HUNGRY_AFTER = 8;

    private static final int TASK = 0;
    private static final int PARK = 1;
    private static final int EXIT = 2;

    private static final VarHandle HUNGRY = VarHandles.field(MethodHandles.lookup(), "hungry", int.class);

    final ShardLoop loop;                    // a peer's spill reaches it too (counters, wake-up)
    private final LoopOwnership ownership;
    private final LoopEvents events;
    private final RunQueues queues;
    private final ThreadFactory factory;     // this loop's virtual threads
    private final boolean balance;
    private final ClassLoader loader;        // the runners' context class loader, restored after each task
    final TaskSources sources;               // where the tasks wait, and the step's time per source
    private final TaskSpill spill;           // the spill of unkeyed tasks to hungry peers
    final RunnerSteal steal;                 // this loop's runners that peers may carry
    private boolean balancing;               // balance on and peers to balance with: set before the loops start
    private volatile int hungry;             // 1: the loop has run dry (see turnEnded); written by the loop, CAS 1 -> 0 by a feeding peer (claimHungry), 1 again by one with nothing to give (leaveHungry)

    // Loop-owned from here on.
    private Runner active;                   // the runner that takes tasks now, or null
    private Runner running;                  // the runner inside a task right now (mounted), or null
    private final Runner[] idle = new Runner[MAX_IDLE];
    private int idleCount;
    private boolean capturing;               // an activation is in progress: execute() hands its continuation here
    private Runnable captured;
    private int emptyTurns;                  // consecutive turns without work
    private final int[] releases = new int[RELEASE_BATCH]; // slots of ended tasks, freed together
    private int releaseCount;
    private SlotReleaser releaser;           // set before start: frees them

    TaskRunners(ShardLoop loop, LoopOwnership ownership, LoopEvents events, RunQueues queues, ThreadFactory factory,
                boolean balance, LoopSettings settings) {
        this.loop = loop;
        this.ownership = ownership;
        this.events = events;
        this.queues = queues;
        this.factory = factory;
        this.balance = balance;
        this.loader = Thread.currentThread().getContextClassLoader();
        this.sources = new TaskSources(loop, settings);
        this.spill = new TaskSpill(loop, sources);
        this.steal = new RunnerSteal(loop);
    }

    /** The other shards' runners, for the spill and the steal. Before the loops start. */
    void peers(TaskRunners[] all) {
        int n = 0;
        TaskRunners[] others = new TaskRunners[Math.max(0, all.length - 1)];
        for (TaskRunners r : all) {
            if (r != this && n < others.length) {
                others[n++] = r;
            }
        }
        spill.peers(others);
        RunnerSteal[] steals = new RunnerSteal[others.length];
        for (int i = 0; i < others.length; i++) {
            steals[i] = others[i].steal;
        }
        steal.peers(steals);
        balancing = balance && others.length > 0;
    }

    /** Whether idle peers may carry this loop's runners (balance on, more than one loop). */
    boolean stealing() {
        return balancing;
    }

    // ---- slots ----------------------------------------------------------------------------------

    /** Who frees the slots of ended tasks. Before the loop starts. */
    void releaser(SlotReleaser r) {
        releaser = r;
    }

    /**
     * Queues the in-flight slot of a task that ended on this loop, to be freed with others at the end
     * of the turn (or when the batch is full). Owner only; false if no releaser was set.
     */
    boolean deferRelease(int slot) {
        if (releaser == null) {
            return false;
        }
        releases[releaseCount++] = slot;
        if (releaseCount == RELEASE_BATCH) {
            flushReleases();
        }
        return true;
    }

    /** Frees the queued slots. Owner only: at the end of each turn, before parking, at the exit. */
    void flushReleases() {
        int n = releaseCount;
        if (n > 0) {
            releaseCount = 0;
            releaser.releaseAll(releases, n);
        }
    }

    // ---- hunger ---------------------------------------------------------------------------------

    /**
     * After a turn, on the owner: whether it found work, and whether the loop parks next. A loop is
     * hungry after {@link #HUNGRY_AFTER} turns in a row without work, or when it is about to park: a
     * loop that runs dry for a turn or two between bursts is not fed other shards' tasks. Writes the
     * flag only when it changes.
     */
    void turnEnded(boolean foundWork, boolean parksNext) {
        if (foundWork) {
            emptyTurns = 0;
            if (hungry != 0) {
                hungry = 0;
            }
        } else if ((++emptyTurns >= HUNGRY_AFTER || parksNext) && hungry == 0) {
            hungry = 1; // volatile store: ordered before the loop's re-check of its queues when it parks
        }
    }

    /** Whether the loop has said it is hungry (nothing to do for a while, or about to park). Any thread. */
    boolean isHungry() {
        return hungry != 0;
    }

    /** A feeding peer's claim of this hungry loop (a CAS 1 -> 0: one feeder at a time): whether it won. Any thread. */
    boolean claimHungry() {
        return HUNGRY.compareAndSet(this, 1, 0);
    }

    /** A feeding peer that claimed this loop had nothing to give: the loop is hungry again, for another peer. Any thread. */
    void leaveHungry() {
        HUNGRY.setVolatile(this, 1);
    }

    // ---- the loop's task step -------------------------------------------------------------------

    /** Begins a task step that may run {@code limit} tasks until {@code stepDeadline}. Owner only. */
    void beginStep(long stepDeadline, long clock, int limit) {
        if (balancing) {
            spill.spillIfHungryPeer(); // first: it may move inbox tasks to the deques, which the sources' step then includes
        }
        sources.beginStep(stepDeadline, clock, limit);
    }

    /**
     * The continuation of the runner to mount next in this step, or {@code null} when the step is
     * over (no task, no budget, the loop told to stop, or the active runner cannot be mounted from
     * here). Owner only.
     */
    Runnable nextMount(long clock) {
        // A stopping loop starts no task: its runners exit without taking one (decide), so a step
        // that went on would start runner after runner, each ending at once, and never end while
        // tasks stay queued. The queued tasks are the closer's to reject.
        if (!loop.isRunning() || !sources.stepGoesOn(clock)) {
            return null;
        }
        Runner r = active;
        if (r == null) {
            if (idleCount > 0) {
                r = idle[--idleCount];
                idle[idleCount] = null;
            } else {
                r = new Runner(this);
            }
            active = r;
        } else if (!r.waiting) {
            return null; // woken by someone else meanwhile (a stray unpark): it runs from the queue it is in
        }
        r.waiting = false;
        Runnable c = activate(r);
        if (c == null) {
            active = null; // could not start or resume it here; the next step tries again
        }
        return c;
    }

    /** Unparks (or starts) {@code r} with the capture on: returns its continuation, or null. */
    private Runnable activate(Runner r) {
        capturing = true;
        try {
            if (r.thread == null) {
                Thread t = factory.newThread(r);
                r.thread = t;
                t.start();
            } else {
                LockSupport.unpark(r.thread);
            }
        } catch (Throwable e) { // an OOM creating the thread, or a JDK that refused the start
            r.thread = null;
            loop.recordError(e);
        } finally {
            capturing = false;
        }
        Runnable c = captured;
        captured = null;
        if (c != null && r.indexKey() == null) {
            steal.register(c, r); // the same Runnable for the thread's whole life (the JDK's runContinuation)
        }
        return c;
    }

    /**
     * From {@code execute()} on the owner: takes {@code continuation} if an activation is in progress,
     * so that the loop mounts it at once. Owner only.
     */
    boolean capture(Runnable continuation) {
        if (!capturing) {
            return false;
        }
        captured = continuation;
        return true;
    }

    /** After every mount, on the owner: a runner that left its mount inside a task is active no more. */
    void mountEnded() {
        Runner r = running;
        if (r != null) {
            running = null;
            if (active == r) {
                active = null;
            }
            sources.taskLeftMount();
        }
    }

    /** A new owner took the loop in a hand-off: the runner stuck on the old carrier is forgotten. Owner only. */
    void ownerChanged() {
        running = null;
        active = null;
    }

    /** At the loop's exit, on the owner: the idle runners end (the loop mounts each one last time). */
    Runnable nextRetiring() {
        while (true) {
            Runner r = active;
            if (r != null && r.waiting) {
                active = null;
            } else {
                r = idleCount > 0 ? idle[--idleCount] : null;
                if (r == null) {
                    return null;
                }
                idle[idleCount] = null;
            }
            r.exit = true;
            r.waiting = false;
            Runnable c = activate(r);
            if (c != null) {
                return c;
            } // else already queued by a stray wake-up: it ends when that mount runs, if the loop still runs it
        }
    }

    // ---- the runner's side ----------------------------------------------------------------------

    /** The body of a runner thread. */
    private void runnerBody(Runner r) {
        loop.services().threadStarts();
        try {
            RunnerTask task;
            while ((task = take(r)) != null) {
                task.runOnRunner(loop);
                ThreadReset.afterTask(loader);
            }
        } finally {
            steal.unregister(r);
            loop.services().threadEnds();
        }
    }

    /** The runner's next task, or null when it is to end. Parks between steps and while idle. */
    private RunnerTask take(Runner r) {
        r.movable = false; // between tasks a runner belongs to its loop
        while (true) {
            if (!ownership.enterOwned()) {
                return null; // off the loop's owner: a fresh runner takes over on the loop
            }
            int action;
            try {
                action = decide(r);
            } finally {
                ownership.endOwned();
            }
            if (action == TASK) {
                RunnerTask task = r.next;
                r.next = null;
                r.movable = balancing && task.movable();
                return task;
            }
            if (action == EXIT) {
                return null;
            }
            // An interrupt now is a stray one (whoever kept a reference to this thread from an
            // earlier task): cleared, or every park would return at once and spin inside this mount.
            Thread.interrupted();
            LockSupport.park(this); // a stray wake-up comes back here and parks again (r.waiting)
        }
    }

    /** What runner {@code r} does next. Owner only. */
    private int decide(Runner r) {
        if (running == r) {
            running = null; // its task has ended
        }
        if (r.waiting) {
            events.suspendingSilently();
            return PARK; // woken by someone else than the loop: not activated yet
        }
        if (r.exit || !loop.isRunning()) {
            if (active == r) {
                active = null;
            }
            return EXIT;
        }
        if (active != r) {
            sources.noTask();
            return goIdle(r); // it was inside a task when another runner took over
        }
        sources.taskEnded();
        if (sources.countLeft() && queues.urgent.isEmpty()) {
            RunnerTask task = sources.poll();
            if (task != null) {
                running = r;
                r.next = task;
                events.taskStarted(task.queuedAt(), sources.now());
                if (balancing) {
                    spill.feedOneHungryPeer();
                }
                return TASK;
            }
            if (!sources.hasTasks()) {
                active = null;
                return goIdle(r);
            }
        }
        r.waiting = true; // the step is over: it stays active, and the next step mounts it again
        events.suspendingSilently();
        return PARK;
    }

    private int goIdle(Runner r) {
        if (idleCount < MAX_IDLE && loop.isRunning()) {
            idle[idleCount++] = r;
            r.waiting = true;
            events.suspendingSilently();
            return PARK;
        }
        return EXIT;
    }

    /**
     * A runner: the body of one reusable bridged virtual thread. It is its own entry in the loop's
     * index of runners ({@link RunnerSteal}), under its continuation: added by the loop at its first
     * activation, before it first runs; removed when it ends.
     */
    static final class Runner extends IdentityIndex.Node<Runnable> implements Runnable {
        private final TaskRunners home;
        Thread thread;        // loop-owned: set when the loop starts it
        boolean waiting;      // loop-owned: parked until the loop activates it
        boolean exit;         // loop-owned: told to end at its next look
        RunnerTask next;      // loop-owned: the task decide() gave it
        volatile boolean movable; // the runner's own: inside a task without a key (peers may carry it), read by any loop

        Runner(TaskRunners home) {
            this.home = home;
        }

        @Override
        public void run() {
            home.runnerBody(this);
        }
    }
}