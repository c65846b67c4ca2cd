package io.vtbridge.loop;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ways into one loop: where a continuation made runnable ({@link ShardLoop#execute},
 * {@link ShardLoop#executeExpiry}) or a submitted task ({@link ShardLoop#submitTask}) goes, and whom
 * it wakes. On the loop's owner a continuation joins the local run queue, with no atomic
 * instruction (or the runners' ready queue, {@link RunnerSteal}); from any other thread it joins one
 * of the cross-thread queues of {@link RunQueues} (a start made inside {@link #starting}, the inbound
 * queue or the latency lane; any other resume, the resume queue or the expiry queue) and the
 * {@link WakeupGate} unparks the loop if it announced sleep. Two paths leave the loop: a hog's own
 * re-submission ({@link HogMover}) and an overdue latency-lane start ({@link LaneRescue}).
 *
 * <p><b>Threading:</b> {@link #execute}, {@link #executeExpiry}, {@link #submitTask},
 * {@link #starting} and {@link #resumeOnLoop} from any thread (the owned paths only after
 * {@code LoopOwnership.enterOwned()} succeeds); {@link #runners(TaskRunners)} before the loop starts.
 */
final class LoopEntry {

    private static final AtomicInteger URGENT_STARTING = new AtomicInteger(); // threads inside a latency-lane starting(): guards the thread-local read on the local path
    private static final ThreadLocal<Object> STARTING = new ThreadLocal<>(); // set by starting(): execute() calls on this thread are thread starts, into this queue

    private final ShardLoop loop;
    private final LoopOwnership ownership;
    private final RunQueues queues;
    private final WakeupGate gate;
    private final LoopCounters counters;
    private final LoopServices services;
    private final LoopTurn turn;
    private final AtomicLong dropped;       // the loop's: continuations that arrived after termination
    private final boolean measureDelays;    // stamp each continuation with when it became runnable
    private final boolean moveHogs;         // a thread that held the loop past the slice and then yielded runs off the loop
    final HogMover hogs;                    // used with moveHogs: sends such a thread to the CPU pool
    final LaneRescue lane;                  // latency-lane starts from other threads, and their rescue
    private TaskRunners runners;            // set before start() by ShardLoop.enableRunners(), as the loop's; null: each task has a thread of its own

    LoopEntry(ShardLoop loop, LoopOwnership ownership, RunQueues queues, WakeupGate gate, LoopCounters counters,
              LoopEvents events, LoopServices services, LoopTurn turn, AtomicLong dropped, LoopSettings settings) {
        this.loop = loop;
        this.ownership = ownership;
        this.queues = queues;
        this.gate = gate;
        this.counters = counters;
        this.services = services;
        this.turn = turn;
        this.dropped = dropped;
        this.measureDelays = settings.measureDelays();
        this.moveHogs = settings.moveHogs();
        this.hogs = new HogMover(this, ownership, turn, counters, events, settings.sliceNanos());
        this.lane = new LaneRescue(this, queues, gate, counters, settings);
    }

    /** The loop's task runners ({@link ShardLoop#enableRunners}). Before the loop starts. */
    void runners(TaskRunners r) {
        runners = r;
    }

    /** {@link ShardLoop#execute}: the local run queue on the owner, else a cross-thread queue and the gate. */
    void execute(Runnable continuation) {
        if (moveHogs && hogs.movedAsHog(continuation)) {
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
        if (loop.isTerminated()) {
            dropped.incrementAndGet();
            return;
        }
        // A start is new work (the inbound share, or the latency lane); anything else from another
        // thread resumes work this shard already runs (a lock hand-off, a completion, a socket): the
        // owned share.
        Object start = STARTING.get();
        if (start == queues.urgent) {
            lane.offerUrgent(continuation);
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

    /** {@link ShardLoop#submitTask}: a loop-owned deque on the owner, else the runners' inbox and the gate. */
    void submitTask(RunnerTask task) {
        if (ownership.enterOwned()) {
            runners.sources.submitLocal(task, measureDelays ? turn.now() | 1 : 0);
            ownership.endOwned();
            return;
        }
        if (loop.isTerminated()) {
            dropped.incrementAndGet();
            return;
        }
        runners.sources.submitRemote(task, stamp()); // sequentially consistent swap, then...
        gate.wake();                          // ...the load of the gate's state: see WakeupGate
    }

    /** {@link ShardLoop#starting}: the starts {@code action} makes from this thread are new work (or the latency lane's). */
    void starting(Runnable action, boolean urgent) {
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

    /** {@link ShardLoop#executeExpiry}: the expiry queue from another thread, a plain {@link #execute} on the owner's. */
    void executeExpiry(Runnable continuation) {
        if (ownership.inLoop()) {
            execute(continuation); // the owner's thread: the local path (or, racing a hand-off, the inbound one)
            return;
        }
        if (loop.isTerminated()) {
            dropped.incrementAndGet();
            return;
        }
        queues.offer(queues.expiries, continuation, stamp()); // as in execute(): the swap, then the gate's load
        gate.wake();
    }

    /**
     * A continuation that was to run off the loop (a rescued latency-lane start, a hog) runs on it
     * after all, the pool having refused it (full, or shut down) or not being connected: into the
     * resume queue, then the gate's load, as in {@link #execute}. Any thread.
     */
    void resumeOnLoop(Runnable continuation) {
        queues.offer(queues.resumes, continuation, stamp());
        gate.wake();
    }

    /** The stamp of a continuation made runnable by another thread now: its clock, or 0 when delays are not measured. */
    private long stamp() {
        return measureDelays ? System.nanoTime() | 1 : 0; // | 1: never 0, which means "not measured"
    }
}
