package io.vtbridge.loop;

import io.vtbridge.internal.ThreadReset;
import io.vtbridge.internal.VarHandles;
import io.vtbridge.queue.StripedMpscQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * A loop's <em>runners</em>: bridged virtual threads that run submitted tasks one after another, so
 * that a task costs no virtual thread of its own; and the spill of unkeyed tasks to a shard that has
 * nothing to do.
 *
 * <p><b>Where tasks wait.</b> Other threads' submissions go to the {@link #inbox} (striped by
 * submitting thread, as the inbound queue of thread starts); submissions made on the loop itself
 * (by its bridged threads) go to two loop-owned deques, one for tasks with a key and one for the
 * others. A step serves these sources in turn, each for its own share of the step's time when
 * several are busy (each task then timed), so one submitter's long tasks do not pace another's short
 * ones. (Inbox tasks a spill took out to count them and kept wait in a deque per stripe, served
 * before that stripe, so that they keep their order and other stripes do not wait behind them.)
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
 * <p><b>The spill.</b> A loop that has found no work for {@link #HUNGRY_AFTER} turns in a row, or is
 * about to park, says it is hungry (a volatile flag). Between two tasks, a loop looks at one peer (the
 * next in turn); if that peer is hungry and this loop has at least {@link #SPILL_MIN} unkeyed tasks
 * queued, it claims the peer (a CAS on the peer's flag, so one loop feeds one hungry peer at a time)
 * and moves up to {@link #SPILL_MAX} of them, never more than half, to the peer's inbox, newest
 * first, and wakes it. Tasks with a key never move. The idea is Go's scheduler's (an idle processor
 * takes half of a busy one's run queue) with the roles turned round: the busy loop gives, so every
 * queue keeps a single consumer.
 *
 * <p><b>The steal.</b> A runner inside a task without a key that blocks and is resumed may be run
 * by a peer loop that has nothing of its own ({@link RunnerSteal}); such a runner ends after its
 * task (it finds itself off its loop's owner), and its continuation leaves the steal's map then.
 *
 * <p><b>Threading:</b> {@link #submitRemote} from any thread; {@link #hungry} read by peers; the rest
 * on the loop's owner (the loop thread, or a runner it carries, checked with
 * {@code LoopOwnership.enterOwned()}).
 */
final class TaskRunners {

    /** Idle runners kept per loop; a runner that finishes a task with this many idle ends instead. */
    static final int MAX_IDLE = 64;

    /** The most tasks one spill moves. */
    static final int SPILL_MAX = 64;

    /** Slots of ended tasks freed in one batch at most. */
    static final int RELEASE_BATCH = 64;

    /** Consecutive turns without work after which a loop says it is hungry (or fewer, if it parks first). */
    static final int HUNGRY_AFTER = 8;

    /** The fewest unkeyed tasks a loop must have queued to feed a hungry peer. */
    static final int SPILL_MIN = 8;

    private static final int TASK = 0;
    private static final int PARK = 1;
    private static final int EXIT = 2;

    /** Task sources a step serves in turn: the inbox's stripes, then the two loop-owned deques. */
    private static final int SOURCES = RunQueues.INBOUND_STRIPES + 2;
    private static final int KEPT_OPEN = RunQueues.INBOUND_STRIPES;
    private static final int KEPT_KEYED = RunQueues.INBOUND_STRIPES + 1;

    private static final VarHandle HUNGRY = VarHandles.field(MethodHandles.lookup(), "hungry", int.class);

    private final ShardLoop loop;
    private final LoopOwnership ownership;
    private final LoopEvents events;
    private final RunQueues queues;
    private final ThreadFactory factory;     // this loop's virtual threads
    private final boolean balance;
    private final boolean everyTask;         // read the clock after every task (hogs are moved)
    private final long grain;                // a 32nd of the slice
    private final ClassLoader loader;        // the runners' context class loader, restored after each task

    final StripedMpscQueue<RunnerTask> inbox = new StripedMpscQueue<>(RunQueues.INBOUND_STRIPES); // other threads' submissions; the loop polls
    private final ArrayDeque<RunnerTask> keptOpen = new ArrayDeque<>();   // loop-owned: unkeyed tasks submitted on the loop
    private final ArrayDeque<RunnerTask> keptKeyed = new ArrayDeque<>();  // loop-owned: tasks with a key submitted on the loop
    private final ArrayDeque<RunnerTask>[] fromInbox = newDeques(RunQueues.INBOUND_STRIPES); // loop-owned: per stripe, its tasks a spill took and kept; served before that stripe
    private int fromInboxCount;              // loop-owned: tasks in fromInbox, all stripes
    private TaskRunners[] peers = new TaskRunners[0]; // set before the loops start
    final RunnerSteal steal;                 // this loop's runners that peers may carry
    private boolean stealing;                // balance on and peers to balance with: set before the loops start
    private volatile int hungry;             // 1: the loop has run dry (see turnEnded); written by the loop, CAS 1 -> 0 by a feeding peer

    // Loop-owned from here on.
    private Runner active;                   // the runner that takes tasks now, or null
    private Runner running;                  // the runner inside a task right now (mounted), or null
    private final Runner[] idle = new Runner[MAX_IDLE];
    private int idleCount;
    private boolean capturing;               // an activation is in progress: execute() hands its continuation here
    private Runnable captured;
    private long allowance;                  // each source's time in the current step
    private int left;                        // tasks the current step may still run
    private long eligible;                   // sources (SOURCES) not yet seen empty or spent in this step
    private final long[] spent = new long[SOURCES]; // each source's time in this step
    private int cursor;                      // the source taken from first next time
    private int lastSource = -1;             // the source of the task running now, or -1
    private long taskStart;                  // the clock reading that task began at (when timed one by one)
    private long now;                        // the runners' latest clock reading
    private int sinceClock;
    private int clockEvery = 1;
    private int emptyTurns;                  // consecutive turns without work
    private int peerCursor;
    private int tasksInStep;                 // tasks taken in the current step
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
        this.everyTask = settings.moveHogs();
        this.grain = Math.max(1, settings.sliceNanos() / 32);
        this.loader = Thread.currentThread().getContextClassLoader();
        this.steal = new RunnerSteal(loop);
    }

    /** The other shards' runners, for the spill. Before the loops start. */
    void peers(TaskRunners[] all) {
        int n = 0;
        TaskRunners[] others = new TaskRunners[Math.max(0, all.length - 1)];
        for (TaskRunners r : all) {
            if (r != this && n < others.length) {
                others[n++] = r;
            }
        }
        this.peers = others;
        RunnerSteal[] steals = new RunnerSteal[others.length];
        for (int i = 0; i < others.length; i++) {
            steals[i] = others[i].steal;
        }
        steal.peers(steals);
        stealing = balance && others.length > 0;
    }

    /** Whether idle peers may carry this loop's runners (balance on, more than one loop). */
    boolean stealing() {
        return stealing;
    }

    /** Whether the loop has said it is hungry (nothing to do for a while, or about to park). Any thread. */
    boolean isHungry() {
        return hungry != 0;
    }

    // ---- submissions ----------------------------------------------------------------------------

    /** A submission made on the loop's owner (a bridged thread of this loop). Owner only. */
    void submitLocal(RunnerTask task, long stamp) {
        task.queuedAt(stamp);
        (task.movable() ? keptOpen : keptKeyed).addLast(task);
    }

    /** A submission from another thread: a sequentially consistent swap; the caller then wakes the loop. */
    void submitRemote(RunnerTask task, long stamp) {
        task.queuedAt(stamp);
        inbox.offer(RunQueues.stripeOfCurrentThread(), task, 0);
    }

    /** Whether any task waits (the inbox's elements in flight count). Owner only. */
    boolean hasTasks() {
        return !keptOpen.isEmpty() || !keptKeyed.isEmpty() || fromInboxCount > 0 || !inbox.isEmpty();
    }

    /** Drops every queued task at the loop's exit (the bridge's closer rejects them). Owner only. */
    void clear() {
        keptOpen.clear();
        keptKeyed.clear();
        for (ArrayDeque<RunnerTask> kept : fromInbox) {
            kept.clear();
        }
        fromInboxCount = 0;
        inbox.drain();
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

    // ---- the loop's task step -------------------------------------------------------------------

    /** Begins a task step that may run {@code limit} tasks until {@code stepDeadline}. Owner only. */
    void beginStep(long stepDeadline, long clock, int limit) {
        allowance = Math.max(stepDeadline - clock, 1);
        now = clock;
        left = limit;
        sinceClock = 0;
        tasksInStep = 0;
        lastSource = -1;
        if (balance && peers.length > 0) {
            spillIfHungryPeer(); // first: it may move inbox tasks to the deques, which the sources below then include
        }
        long sources = inbox.usedStripes();
        if (!keptOpen.isEmpty()) {
            sources |= 1L << KEPT_OPEN;
        }
        if (!keptKeyed.isEmpty()) {
            sources |= 1L << KEPT_KEYED;
        }
        eligible = sources;
        for (long u = sources; u != 0; u &= u - 1) {
            spent[Long.numberOfTrailingZeros(u)] = 0;
        }
    }

    /** Tasks taken in the current step so far. Owner only. */
    int tasksInStep() {
        return tasksInStep;
    }

    /**
     * The continuation of the runner to mount next in this step, or {@code null} when the step is
     * over (no task, no budget, or the active runner cannot be mounted from here). Owner only.
     */
    Runnable nextMount(long clock) {
        now = clock;
        if (left <= 0 || eligible == 0 || !hasTasks()) {
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
        if (c != null && r.continuation == null) {
            r.continuation = c; // the same Runnable for the thread's whole life (the JDK's runContinuation)
            steal.register(c, r);
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
            if (lastSource >= 0) {
                chargeLeftTask(lastSource);
                lastSource = -1;
            }
        }
    }

    /**
     * A task of {@code source} left the mount inside its run (it blocked or yielded): its time so
     * far is charged to its source now, as {@link #account} charges a task that ends, so that a
     * source whose tasks yield (CPU work in slices) also leaves the step once it has had its
     * allowance. Without this a step started such tasks one after another for its whole count, and
     * a source that had nothing queued when the step began waited for all of them.
     */
    private void chargeLeftTask(int source) {
        long t = System.nanoTime();
        boolean alone = (eligible & ~(1L << source)) == 0;
        spent[source] += alone && !everyTask ? t - now : t - taskStart;
        sinceClock = 0;
        now = t;
        if (spent[source] >= allowance) {
            eligible &= ~(1L << source);
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
            if (r.continuation != null) {
                steal.unregister(r.continuation, r);
            }
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
                r.movable = stealing && task.movable();
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
            lastSource = -1;
            return goIdle(r); // it was inside a task when another runner took over
        }
        if (lastSource >= 0) {
            account(lastSource);
            lastSource = -1;
        }
        if (left > 0 && queues.urgent.isEmpty()) {
            RunnerTask task = poll();
            if (task != null) {
                left--;
                tasksInStep++;
                running = r;
                r.next = task;
                events.taskStarted(task.queuedAt(), now);
                if (balance && peers.length > 0) {
                    feedOneHungryPeer();
                }
                return TASK;
            }
            if (!hasTasks()) {
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
     * After a task of {@code source}: charges its time. With several sources busy, each task is timed
     * on its own, and a source that has had its allowance leaves the step (as the inbound step's
     * stripes do, so one submitter's long tasks do not pace another's short ones). With one, the
     * clock is read every few tasks, as the loop reads it between mounts, and the time since the last
     * reading is its.
     */
    private void account(int source) {
        boolean alone = (eligible & ~(1L << source)) == 0;
        if (!alone || everyTask || ++sinceClock >= clockEvery) {
            long t = System.nanoTime();
            if (alone && !everyTask && sinceClock > 0) {
                long perTask = (t - now) / sinceClock;
                clockEvery = perTask >= grain ? 1 : (int) Math.min(LoopTurn.MAX_CLOCK_EVERY, grain / Math.max(1, perTask));
            }
            spent[source] += alone ? t - now : t - taskStart; // alone: every task since the last reading was its
            sinceClock = 0;
            now = t;
            if (spent[source] >= allowance) {
                eligible &= ~(1L << source);
            }
        }
    }

    /**
     * The next task: the step's sources in turn, one task each per pass (the inbox's stripes, then
     * the loop-owned deques), skipping the spent and the empty.
     */
    private RunnerTask poll() {
        long e = eligible;
        while (e != 0) {
            int source = cursor;
            cursor = source + 1 == SOURCES ? 0 : source + 1;
            long bit = 1L << source;
            if ((e & bit) == 0) {
                continue;
            }
            RunnerTask task = switch (source) {
                case KEPT_OPEN -> keptOpen.pollFirst();
                case KEPT_KEYED -> keptKeyed.pollFirst();
                default -> fromInbox[source].isEmpty() ? inbox.stripe(source).poll() : keptFromInbox(source);
            };
            if (task == null) {
                e &= ~bit;
                eligible = e;
                continue;
            }
            lastSource = source;
            if ((e & ~bit) != 0 || everyTask) {
                taskStart = System.nanoTime(); // several sources: this task is timed on its own
                now = taskStart;
                if (everyTask) {
                    loop.restartMountClock(taskStart); // the hog check times the task, not the mount
                }
            }
            return task;
        }
        return null;
    }

    // ---- the spill ------------------------------------------------------------------------------

    /** Between two tasks: looks at one peer (the next in turn) and feeds it if it is hungry. Owner only. */
    private void feedOneHungryPeer() {
        int n = peers.length;
        int i = peerCursor;
        TaskRunners peer = peers[i];
        peerCursor = i + 1 == n ? 0 : i + 1;
        if (peer.hungry != 0 && (keptOpen.size() >= SPILL_MIN || !inbox.isEmpty()) && HUNGRY.compareAndSet(peer, 1, 0)) {
            spillTo(peer);
        }
    }

    /** If a peer is hungry and this loop has unkeyed tasks queued: claims the peer and feeds it. Owner only. */
    private void spillIfHungryPeer() {
        int n = peers.length;
        for (int i = 0; i < n; i++) {
            TaskRunners peer = peers[(peerCursor + i) % n];
            if (peer.hungry != 0 && hasTasks() && HUNGRY.compareAndSet(peer, 1, 0)) {
                peerCursor = (peerCursor + i + 1) % n;
                spillTo(peer);
                return;
            }
        }
    }

    /** Moves up to {@link #SPILL_MAX} unkeyed tasks, and at most half of those queued, to {@code peer}. */
    private void spillTo(TaskRunners peer) {
        // Take a bounded number from the inbox first, a stripe at a time in turn, so that they can
        // be counted and split. Each waits in its stripe's fromInbox deque, which is served before
        // that stripe: the tasks that stay start in the order they were submitted, and a stripe
        // that had nothing taken (another submitter's) is served as before, not behind them.
        int movable = keptOpen.size();
        int taken = 0;
        boolean took = true;
        while (took && taken < 2 * SPILL_MAX && movable < 2 * SPILL_MAX) {
            took = false;
            for (int s = 0; s < fromInbox.length && taken < 2 * SPILL_MAX && movable < 2 * SPILL_MAX; s++) {
                RunnerTask task = inbox.stripe(s).poll();
                if (task != null) {
                    fromInbox[s].addLast(task);
                    fromInboxCount++;
                    taken++;
                    took = true;
                    if (task.movable()) {
                        movable++;
                    }
                }
            }
        }
        int moving = movable < SPILL_MIN ? 0 : Math.min(SPILL_MAX, movable / 2);
        for (int i = 0; i < moving; i++) {
            peer.inbox.offer(loop.index(), takeNewestMovable(), 0); // the newest: the oldest keep their place here
        }
        if (moving > 0) {
            loop.counters().add(LoopCounter.TASKS_SPILLED_OUT, moving);
            peer.loop.counters().addShared(LoopCounter.TASKS_SPILLED_IN, moving);
            peer.loop.wakeForTasks();
        } else {
            HUNGRY.setVolatile(peer, 1); // nothing to give: leave it for another peer
        }
    }

    /** The newest task without a key: from the loop's own submissions, else from those taken from the inbox. */
    private RunnerTask takeNewestMovable() {
        RunnerTask task = keptOpen.pollLast();
        if (task != null) {
            return task;
        }
        for (ArrayDeque<RunnerTask> kept : fromInbox) {
            for (java.util.Iterator<RunnerTask> it = kept.descendingIterator(); it.hasNext(); ) {
                RunnerTask candidate = it.next();
                if (candidate.movable()) {
                    it.remove(); // near the tail: a short shift
                    fromInboxCount--;
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("no movable task to spill"); // counted before: cannot happen
    }

    /** The oldest task a spill took from stripe {@code stripe} and kept. Owner only. */
    private RunnerTask keptFromInbox(int stripe) {
        fromInboxCount--;
        return fromInbox[stripe].pollFirst();
    }

    @SuppressWarnings("unchecked")
    private static ArrayDeque<RunnerTask>[] newDeques(int n) {
        ArrayDeque<RunnerTask>[] deques = new ArrayDeque[n];
        for (int i = 0; i < n; i++) {
            deques[i] = new ArrayDeque<>();
        }
        return deques;
    }

    /** A runner: the body of one reusable bridged virtual thread. */
    static final class Runner implements Runnable {
        private final TaskRunners home;
        Thread thread;        // loop-owned: set when the loop starts it
        boolean waiting;      // loop-owned: parked until the loop activates it
        boolean exit;         // loop-owned: told to end at its next look
        RunnerTask next;      // loop-owned: the task decide() gave it
        Runnable continuation; // written once by the loop at its first activation, before the runner first runs
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
