package io.vtbridge.loop;

import io.vtbridge.queue.StripedMpscQueue;

import java.util.ArrayDeque;

/**
 * Where a loop's submitted tasks wait until a runner ({@link TaskRunners}) takes them, and the task
 * step's accounting of its time per source: which task runs next.
 *
 * <p><b>Where tasks wait.</b> Other threads' submissions go to the {@link #inbox} (striped by
 * submitting thread, as the inbound queue of thread starts); submissions made on the loop itself
 * (by its bridged threads) go to two loop-owned deques, one for tasks with a key and one for the
 * others. A step serves these sources in turn, each for its own share of the step's time when
 * several are busy (each task then timed), so one submitter's long tasks do not pace another's short
 * ones. (Inbox tasks a spill took out to count them and kept wait in a deque per stripe, served
 * before that stripe, so that they keep their order and other stripes do not wait behind them.)
 *
 * <p><b>The step's accounting.</b> {@link #beginStep} makes every busy source eligible with nothing
 * spent; {@link #poll} takes the next task from the sources in turn; a task that ends is charged to
 * its source ({@link #taskEnded}, {@link #account}), and so is one that left the mount inside its run
 * ({@link #taskLeftMount}, {@link #chargeLeftTask}); a source that has had its allowance leaves the
 * step. The spill ({@link TaskSpill}) takes from these sources through {@link #keepFromInbox} and
 * {@link #takeNewestMovable}.
 *
 * <p><b>Threading:</b> {@link #submitRemote} from any thread, and a peer loop's spill offers to the
 * {@link #inbox}; the rest on the loop's owner (the loop thread, or a runner it carries, checked by
 * the callers with {@code LoopOwnership.enterOwned()}).
 */
final class TaskSources {

    /** Task sources a step serves in turn: the inbox's stripes, then the two loop-owned deques. */
    private static final int SOURCES = RunQueues.INBOUND_STRIPES + 2;
    private static final int KEPT_OPEN = RunQueues.INBOUND_STRIPES;
    private static final int KEPT_KEYED = RunQueues.INBOUND_STRIPES + 1;

    private final ShardLoop loop;
    private final boolean everyTask;         // read the clock after every task (hogs are moved)
    private final long grain;                // a 32nd of the slice

    final StripedMpscQueue<RunnerTask> inbox = new StripedMpscQueue<>(RunQueues.INBOUND_STRIPES); // other threads' submissions; the loop polls
    private final ArrayDeque<RunnerTask> keptOpen = new ArrayDeque<>();   // loop-owned: unkeyed tasks submitted on the loop
    private final ArrayDeque<RunnerTask> keptKeyed = new ArrayDeque<>();  // loop-owned: tasks with a key submitted on the loop
    private final ArrayDeque<RunnerTask>[] fromInbox = newDeques(RunQueues.INBOUND_STRIPES); // loop-owned: per stripe, its tasks a spill took and kept; served before that stripe
    private int fromInboxCount;              // loop-owned: tasks in fromInbox, all stripes

    // Loop-owned from here on.
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
    private int tasksInStep;                 // tasks taken in the current step

    TaskSources(ShardLoop loop, LoopSettings settings) {
        this.loop = loop;
        this.everyTask = settings.moveHogs();
        this.grain = Math.max(1, settings.sliceNanos() / 32);
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
        inbox.offer(RunQueues.stripeFor(inbox), task, 0);
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

    // ---- the loop's task step -------------------------------------------------------------------

    /**
     * Begins a task step that may run {@code limit} tasks until {@code stepDeadline}: every source
     * with a task queued is eligible, with nothing spent. Owner only.
     */
    void beginStep(long stepDeadline, long clock, int limit) {
        allowance = Math.max(stepDeadline - clock, 1);
        now = clock;
        left = limit;
        sinceClock = 0;
        tasksInStep = 0;
        lastSource = -1;
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

    /** The runners' latest clock reading. Owner only. */
    long now() {
        return now;
    }

    /**
     * Before each mount of the step, with the loop's latest clock reading: whether the step goes on
     * (tasks left to its count, a source still eligible, a task queued). Owner only.
     */
    boolean stepGoesOn(long clock) {
        now = clock;
        return left > 0 && eligible != 0 && hasTasks();
    }

    /** Whether the current step may still run a task (its count is not spent). Owner only. */
    boolean countLeft() {
        return left > 0;
    }

    /** The active runner is back from a task (or from none): the task's time is charged to its source ({@link #account}). Owner only. */
    void taskEnded() {
        if (lastSource >= 0) {
            account(lastSource);
            lastSource = -1;
        }
    }

    /** A runner that is not the active one is back from its task: no task of the step's runs now. Owner only. */
    void noTask() {
        lastSource = -1;
    }

    /** A mount ended with its runner inside a task: the task's time so far is charged to its source ({@link #chargeLeftTask}). Owner only. */
    void taskLeftMount() {
        if (lastSource >= 0) {
            chargeLeftTask(lastSource);
            lastSource = -1;
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
        charge(source, System.nanoTime(), (eligible & ~(1L << source)) == 0);
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
            charge(source, t, alone);
        }
    }

    /**
     * Charges {@code source} up to the reading {@code t}: alone, every task since the last reading
     * was its; else the task since its own start ({@link #poll} read the clock then, so with hogs
     * moved the two are the same). A source that has had its allowance leaves the step.
     */
    private void charge(int source, long t, boolean alone) {
        spent[source] += alone ? t - now : t - taskStart;
        sinceClock = 0;
        now = t;
        if (spent[source] >= allowance) {
            eligible &= ~(1L << source);
        }
    }

    /**
     * The next task: the step's sources in turn, one task each per pass (the inbox's stripes, then
     * the loop-owned deques), skipping the spent and the empty. A task returned counts against the
     * step's count ({@link #countLeft}, {@link #tasksInStep}). Owner only.
     */
    RunnerTask poll() {
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
            left--;
            tasksInStep++;
            return task;
        }
        return null;
    }

    // ---- for the spill --------------------------------------------------------------------------

    /** Unkeyed tasks submitted on the loop and queued here. Owner only. */
    int keptOpenCount() {
        return keptOpen.size();
    }

    /** A task the spill took from stripe {@code stripe} of the inbox to count it, and keeps here. Owner only. */
    void keepFromInbox(int stripe, RunnerTask task) {
        fromInbox[stripe].addLast(task);
        fromInboxCount++;
    }

    /** The newest task without a key: from the loop's own submissions, else from those taken from the inbox. */
    RunnerTask takeNewestMovable() {
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
}
