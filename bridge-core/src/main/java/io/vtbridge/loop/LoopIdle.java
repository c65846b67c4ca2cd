package io.vtbridge.loop;

import io.vtbridge.timer.TimerQueue;

import java.util.concurrent.locks.LockSupport;

/**
 * What a loop does after a turn that found no work ({@link LoopTurn}): spin another turn, or park
 * until its next timer or a wake-up.
 * <ul>
 *   <li>Whether to spin is {@link IdleSpin}'s: {@code idleSpins} empty turns, and a short adaptive
 *       window after short sleeps, within the bridge's {@link SpinLimit}.</li>
 *   <li>The park goes through the {@link WakeupGate} handshake: the loop announces sleep, then reads
 *       every source once more (its queues, its runners' tasks, its own and its peers' stealable
 *       resumes, its running state), and parks only if all are empty, so a producer that queued
 *       before the announcement is seen here and one that queued after it sees the announcement and
 *       unparks the loop.</li>
 *   <li>A park until a timer asks to end {@link TimerLead} earlier than the timer, since the kernel
 *       ends timed parks late; the turns spin the rest, if the {@link SpinLimit} leaves this loop a
 *       place (else it parks for the whole delay). A timer still fires only when due.</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop-owned: only the loop's owner calls it, except {@link #spinLimit}, before
 * the loop starts.
 */
final class LoopIdle {

    private final ShardLoop loop;
    private final RunQueues queues;
    private final TimerQueue timers;       // loop-owned
    private final WakeupGate gate;
    private final LoopCounters counters;
    private final LoopGauges gauges;
    private final IdleSpin spin;           // when an idle loop parks
    private final TimerLead timerLead;     // how much earlier than its next timer an idle loop wakes

    LoopIdle(ShardLoop loop, RunQueues queues, TimerQueue timers, WakeupGate gate, LoopCounters counters,
             LoopGauges gauges, int idleSpins) {
        this.loop = loop;
        this.queues = queues;
        this.timers = timers;
        this.gate = gate;
        this.counters = counters;
        this.gauges = gauges;
        this.spin = new IdleSpin(idleSpins);
        this.timerLead = new TimerLead(idleSpins > 0);
    }

    /** The bridge's limit on loops in an adaptive spin. Before the loop starts. */
    void spinLimit(SpinLimit limit) {
        spin.limit(limit);
    }

    /** How much earlier than its next timer this loop asks to wake ({@link TimerLead}), ns. */
    long timerLeadNanos() {
        return timerLead.nanos();
    }

    /** A turn found work: the next empty turn starts a new spin count. */
    void workFound() {
        spin.workFound();
    }

    /** Whether the {@code idleSpins} empty turns are spent ({@link IdleSpin#countSpent}). */
    boolean countSpent() {
        return spin.countSpent();
    }

    /** The loop exits: a loop stopped inside its spin leaves the other loops their place. */
    void loopExits() {
        spin.loopExits();
    }

    /**
     * After a turn that began at clock {@code now} and found no work: spins once more, or parks.
     * {@code runners} is the loop's, or null.
     */
    void rest(long now, TaskRunners runners) {
        if (spin.spinAgain(now)) {
            Thread.onSpinWait();
        } else {
            park(runners);
        }
    }

    private void park(TaskRunners runners) {
        gauges.idle(); // parked: not a stall, however long
        gate.prepareToSleep(); // volatile store; the loads below cannot move above it
        if (!queues.allEmpty() || (runners != null && (runners.sources.hasTasks() || !runners.steal.isEmpty()
                || (runners.stealing() && runners.steal.peersHaveReady()))) || !loop.isRunning()) {
            gate.awake();
            return;
        }
        long next = timers.nextDeadline();
        long parkedAt = System.nanoTime();
        long woke;
        if (next == TimerQueue.NONE) {
            spin.parks();
            LockSupport.park(loop);
            woke = System.nanoTime();
        } else {
            long delay = next - parkedAt;
            long lead = timerLead.nanos();
            if (delay <= lead) {
                // A timer is due, or due sooner than a park would end (the kernel wakes a timed park
                // late, TimerLead): back to the turn's first step, and the turns spin until it is
                // due, if the bridge's SpinLimit leaves this loop a place; if not, it parks for the
                // whole delay.
                if (delay <= 0 || spin.holdForTimer(next)) {
                    gate.awake();
                    return;
                }
                lead = 0;
            }
            spin.parks();
            LockSupport.parkNanos(loop, delay - lead);
            woke = System.nanoTime();
            timerLead.parkReturned(parkedAt + delay - lead, woke);
            spin.timerParkEnded();
        }
        gate.awake();
        spin.slept(woke - parkedAt);
        counters.increment(LoopCounter.PARKS);
        // No virtual thread is mounted here, so the carrier's interrupt status means nothing;
        // a stray interrupt would otherwise turn every later park into a spin.
        Thread.interrupted();
    }
}
