package io.vtbridge.loop;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * The off-loop part of one loop's latency lane: a lane start from another thread goes into the
 * urgent queue, which the loop serves first and between its other mounts, and onto this list of
 * pending starts, from which the rescuer (the bridge's lane thread) runs on another carrier (its own,
 * or the CPU pool's) every start the loop has not taken by its deadline, so that a loop held by one
 * long mount does not hold the start too. Who runs a start is decided by its claim ({@link UrgentStart}); when the rescuer
 * must look is agreed through {@link LaneAlarm}.
 *
 * <p><b>Threading:</b> {@link #offerUrgent} from any thread that starts a lane task off the loop;
 * {@link #rescueOverdueStarts} by the rescuer and the watchdog's backup, possibly at once (each start
 * is claimed once); {@link #nextLaneDeadline} from any thread;
 * {@link #connect} before the loop starts.
 */
final class LaneRescue {

    private final LoopEntry entry;          // the loop's: where a start goes if the pool refuses it
    private final RunQueues queues;
    private final WakeupGate gate;
    private final LoopCounters counters;
    private final boolean measureDelays;    // stamp each continuation with when it became runnable
    private final long rescueAfterNanos;    // how long a latency-lane start may wait for the loop before the rescuer runs it elsewhere
    private final ConcurrentLinkedQueue<UrgentStart> pendingUrgent = new ConcurrentLinkedQueue<>(); // lane starts not yet seen taken: offered by starters, polled by the rescuer
    private volatile Executor offLoop;      // set before start(): runs a continuation on another carrier (the bridge's CPU pool), urgently
    private volatile LongConsumer laneWatcher; // set before start(): told of each latency-lane start's deadline (wakes the rescuer)

    LaneRescue(LoopEntry entry, RunQueues queues, WakeupGate gate, LoopCounters counters, LoopSettings settings) {
        this.entry = entry;
        this.queues = queues;
        this.gate = gate;
        this.counters = counters;
        this.measureDelays = settings.measureDelays();
        this.rescueAfterNanos = settings.laneRescueNanos();
    }

    /** Where a rescued start runs (the CPU pool, urgently), and whom to tell of each start (the rescuer's wake-up). Before the loop starts. */
    void connect(Executor offLoop, LongConsumer laneWatcher) {
        this.offLoop = offLoop;
        this.laneWatcher = laneWatcher;
    }

    /**
     * A latency-lane start from another thread: into the urgent queue, which the loop serves first
     * and between its other mounts, and onto the rescuer's list, so that a loop held by one long
     * mount does not hold the start too ({@link #rescueOverdueStarts}).
     */
    void offerUrgent(Runnable continuation) {
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
     * The rescuer's step ({@link ShardLoop#rescueOverdueStarts}): claims every latency-lane start the
     * loop has not taken by its deadline, first, so that the loop, which claims before it mounts,
     * never runs it too; then offers it to {@code takeHere} (the rescuer runs it on its own thread
     * when that returns true) or runs it on another carrier ({@link #offLoop}). Returns the deadline
     * of the next start still waiting, or {@link ShardLoop#NO_DEADLINE}.
     */
    long rescueOverdueStarts(long now, Predicate<Runnable> takeHere) {
        UrgentStart start;
        while ((start = pendingUrgent.peek()) != null) {
            if (!start.isClaimed()) {
                if (start.deadline() - now > 0) {
                    return start.deadline();
                }
                if (start.claim()) {
                    counters.incrementShared(LoopCounter.LANE_RESCUES);
                    if (!takeHere.test(start.continuation())) {
                        runOffLoop(start.continuation());
                    }
                }
            }
            pendingUrgent.remove(start); // this one, not the head: another rescuer may have taken it meanwhile
        }
        return ShardLoop.NO_DEADLINE;
    }

    /** The rescue deadline of the oldest latency-lane start on the rescuer's list, or {@link ShardLoop#NO_DEADLINE}. Any thread. */
    long nextLaneDeadline() {
        UrgentStart start = pendingUrgent.peek();
        return start == null ? ShardLoop.NO_DEADLINE : start.deadline();
    }

    /**
     * Runs {@code continuation} on another carrier than the loop (the bridge's CPU pool): its thread is
     * then not in bridged code until it blocks, and its next resume comes back to this loop. If the
     * pool refuses (full, or shut down), the loop runs it after all.
     */
    private void runOffLoop(Runnable continuation) {
        Executor elsewhere = offLoop;
        try {
            if (elsewhere != null) {
                elsewhere.execute(continuation);
                return;
            }
        } catch (RejectedExecutionException | OutOfMemoryError refused) {
            // fall through: the loop runs it (claimed, so nobody else will)
        }
        entry.resumeOnLoop(continuation);
    }
}
